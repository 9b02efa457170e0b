"""预约 in the console: the list with places left, masked details until 显示 (logged), and the
changes staff make, each told to the resident on their own channel."""

from __future__ import annotations

from datetime import date, datetime

from common.privacy import mask_phone
from tests.conftest import SHANGHAI
from tests.web.conftest import STAFF_PASSWORD, queued_for

PHONE = "13812345678"


async def test_the_list_shows_a_booking_made_in_the_chat_and_the_places_left(rt, staff, ref):
    booking = await rt.services.bookings.get(ref)
    day = booking.visit_date.isoformat()
    response = await staff.get(f"/bookings?from={day}&to={day}&county=龙游县")
    assert response.status == 200
    assert ref in staff.last and rt.services.texts("book.status.active") in staff.last
    assert PHONE not in staff.last and "张桂英" not in staff.last  # the list never shows contact details
    capacity = rt.services.settings.visit_capacity
    assert f'<td class="free">{capacity - 1}</td>' in staff.last


async def test_details_are_masked_until_shown_and_each_showing_is_logged(rt, staff, ref):
    await staff.get(f"/bookings/{ref}")
    assert mask_phone(PHONE) in staff.last and PHONE not in staff.last
    assert await rt.db.fetchval("SELECT COUNT(*) FROM access_log") == 0
    for _ in range(2):
        response = await staff.post(f"/bookings/{ref}/show")
        assert response.status == 200 and PHONE in staff.last and "某某村12号" in staff.last
    rows = [tuple(r) for r in await rt.db.fetchall("SELECT actor, action, subject FROM access_log")]
    assert rows == [("web:admin", "booking.details", ref)] * 2


async def test_completing_a_visit_earns_ten_points_and_the_ledger_shows_who(rt, staff, people, ref, clock):
    booking = await rt.services.bookings.get(ref)
    response = await staff.post(f"/bookings/{ref}/assign", {"lawyer": str(people.lawyer_id)})
    assert response.status == 303
    clock.now = datetime.combine(booking.visit_date, datetime.min.time(), SHANGHAI).replace(hour=16)
    await staff.sign_in("admin", STAFF_PASSWORD)  # days later: the session has long expired
    response = await staff.post(f"/bookings/{ref}/complete")
    assert response.headers["Location"] == f"/bookings/{ref}?result=visited"
    await staff.get(response.headers["Location"])
    assert rt.services.texts("staff.change.visited") in staff.last
    statement = await rt.services.ledger.statement(people.lawyer_id, booking.visit_date.year)
    assert [(e.clause, e.points, e.entered_by) for e in statement.items] == [("二(一)4", 10, "web:admin")]
    await staff.get(f"/points?lawyer={people.lawyer_id}&year={booking.visit_date.year}")
    assert "+10" in staff.last and "web:admin" in staff.last


async def test_a_visit_cannot_be_completed_before_its_day(rt, staff, people, ref):
    await staff.post(f"/bookings/{ref}/assign", {"lawyer": str(people.lawyer_id)})
    response = await staff.post(f"/bookings/{ref}/complete")
    assert response.headers["Location"].endswith("result=not_yet")
    assert (await rt.services.bookings.get(ref)).status == "active"


async def test_cancelling_tells_the_resident_why_on_their_own_channel(rt, staff, ref):
    response = await staff.post(f"/bookings/{ref}/cancel", {"reason": "律师生病，请改约"})
    assert response.headers["Location"].endswith("result=cancelled")
    assert (await rt.services.bookings.get(ref)).status == "cancelled"
    told = [r["text"] for r in await queued_for(rt, "console", "elder-1")]
    assert any("律师生病，请改约" in text and ref in text for text in told)


async def test_a_cancel_without_a_reason_is_refused_and_changes_nothing(rt, staff, ref):
    response = await staff.post(f"/bookings/{ref}/cancel", {"reason": ""})
    assert response.status == 400
    assert rt.services.texts("ledger.error.reason_required") in staff.last
    assert (await rt.services.bookings.get(ref)).status == "active"


async def test_moving_a_visit_keeps_its_reference_and_tells_the_resident(rt, staff, ref):
    response = await staff.post(f"/bookings/{ref}/move", {"day": "2026-12-01", "window": "pm"})
    assert response.headers["Location"].endswith("result=moved")
    moved = await rt.services.bookings.get(ref)
    assert (moved.visit_date, moved.window) == (date(2026, 12, 1), "pm")
    assert any(ref in r["text"] for r in await queued_for(rt, "console", "elder-1"))


async def test_the_day_sheet_lists_the_county_s_visits_in_full_and_is_logged(rt, staff, ref):
    booking = await rt.services.bookings.get(ref)
    await staff.get(f"/bookings/sheet?day={booking.visit_date.isoformat()}&county=龙游县")
    assert PHONE in staff.last and "某某村12号" in staff.last and "想立遗嘱" in staff.last
    await staff.get(f"/bookings/sheet?day={booking.visit_date.isoformat()}&county=柯城区")
    assert PHONE not in staff.last
    assert [tuple(r) for r in await rt.db.fetchall("SELECT action, subject FROM access_log")] == [("booking.sheet", ref)]


async def test_today_lists_tomorrow_s_visits_by_county(rt, staff, ref, clock):
    booking = await rt.services.bookings.get(ref)
    clock.now = datetime.combine(booking.visit_date, datetime.min.time(), SHANGHAI).replace(hour=8)
    clock.advance(days=-1)
    await staff.sign_in("admin", STAFF_PASSWORD)
    await staff.get("/")
    tomorrow = staff.last.split(rt.services.texts("web.today.visits_tomorrow", count=1))[1]
    assert ref in tomorrow and "龙游县" in tomorrow
