"""日历与名额 in the console, and visits taken by a member of staff: each form's effect on what the
chat offers and on the pages, with who and when shown."""

from __future__ import annotations

from datetime import date, datetime

from tests.conftest import SHANGHAI
from tests.web.conftest import STAFF_PASSWORD


async def test_places_set_on_the_page_are_what_the_county_offers(rt, staff):
    response = await staff.post("/calendar/places", {"county": "柯城区", "am": "0", "pm": "3"})
    assert response.headers["Location"] == "/calendar?result=places"
    monday = date(2026, 11, 30)
    default = rt.services.settings.visit_capacity
    free = await rt.services.bookings.availability("柯城区", [monday], ["am", "pm"], default)
    assert free == {(monday, "am"): 0, (monday, "pm"): 3}
    await staff.get("/calendar?result=places")
    t = rt.services.texts
    assert t("web.calendar.result.places") in staff.last and 'name="am" value="0"' in staff.last
    assert "web:admin" in staff.last and t("web.calendar.change.places") in staff.last
    again = await staff.post("/calendar/places", {"county": "柯城区", "am": "0", "pm": "3"})
    assert again.headers["Location"] == "/calendar?result=unchanged"


async def test_a_day_closed_with_a_visit_on_it_lists_the_visit_to_move_or_cancel(rt, staff, ref):
    booking = await rt.services.bookings.get(ref)
    response = await staff.post("/calendar/close", {"day": booking.visit_date.isoformat(), "county": "龙游县",
                                                    "window": "", "reason": "台风"})
    assert response.headers["Location"] == "/calendar?result=closed"
    await staff.get("/calendar")
    t = rt.services.texts
    assert t("web.calendar.still_booked", count=1) in staff.last and f'href="/bookings/{ref}"' in staff.last
    assert "台风" in staff.last and (await rt.services.bookings.get(ref)).status == "active"
    free = await rt.services.bookings.availability("龙游县", [booking.visit_date], ["am", "pm"], 2)
    assert set(free.values()) == {0}


async def test_closing_without_a_reason_or_for_an_unknown_county_is_refused(rt, staff):
    t = rt.services.texts
    response = await staff.post("/calendar/close", {"day": "2026-11-30", "county": "", "window": "", "reason": ""})
    assert response.status == 400 and t("ledger.error.reason_required") in staff.last
    response = await staff.post("/calendar/close", {"day": "2026-11-30", "county": "杭州", "reason": "台风"})
    assert response.status == 400
    assert await rt.db.fetchval("SELECT COUNT(*) FROM closed_days") == 0


async def test_reopening_a_closed_half_day(rt, staff):
    await staff.post("/calendar/close", {"day": "2026-11-30", "county": "", "window": "pm", "reason": "培训"})
    [closure_id] = [r["id"] for r in await rt.db.fetchall("SELECT id FROM closed_days")]
    response = await staff.post(f"/calendar/closed/{closure_id}/reopen")
    assert response.headers["Location"] == "/calendar?result=reopened"
    free = await rt.services.bookings.availability("江山市", [date(2026, 11, 30)], ["pm"], 2)
    assert free == {(date(2026, 11, 30), "pm"): 2}


async def test_the_provisional_year_is_shown_until_staff_enter_the_notice(rt, staff, clock):
    t = rt.services.texts
    clock.now = datetime(2026, 12, 20, 10, 0, tzinfo=SHANGHAI)
    await staff.sign_in("admin", STAFF_PASSWORD)
    warning = t("web.calendar.provisional", year=2027, count=len(rt.services.calendar.provisional_holidays(2027)))
    for page in ("/", "/calendar"):
        await staff.get(page)
        assert warning in staff.last
    response = await staff.post("/calendar/days", {"day": "2027-02-20", "kind": "workday"})
    assert response.headers["Location"] == "/calendar?result=day"
    assert rt.services.calendar.is_workday(date(2027, 2, 20))
    response = await staff.post("/calendar/years", {"year": "2027"})
    assert response.headers["Location"] == "/calendar?result=entered"
    for page in ("/", "/calendar"):
        await staff.get(page)
        assert t("web.calendar.provisional", year=2027, count=0)[:12] not in staff.last
    assert t("web.calendar.change.entered") in staff.last and "2027" in staff.last


async def test_a_visit_can_be_taken_by_a_member_of_staff(rt, staff, people, ref):
    t = rt.services.texts
    response = await staff.post(f"/bookings/{ref}/assign-staff", {"user": str(people.staff_user_id)})
    assert response.headers["Location"] == f"/bookings/{ref}?result=assigned"
    booking = await rt.services.bookings.get(ref)
    assert (booking.staff_user_id, booking.lawyer_id) == (people.staff_user_id, None)
    goes = t("web.booking.staff_goes", name="admin")
    await staff.get(f"/bookings/{ref}")
    assert goes in staff.last
    day = booking.visit_date.isoformat()
    await staff.get(f"/bookings?from={day}&to={day}")
    assert goes in staff.last
    await staff.get(f"/bookings/sheet?day={day}&county={booking.county}")
    assert goes in staff.last


async def test_a_lawyer_account_cannot_be_assigned_as_staff(rt, staff, people, ref):
    response = await staff.post(f"/bookings/{ref}/assign-staff", {"user": str(people.lawyer_user_id)})
    assert response.headers["Location"] == f"/bookings/{ref}?result=no_such_staff"
    assert (await rt.services.bookings.get(ref)).staff_user_id is None


async def test_next_year_can_be_marked_entered_before_its_warning_starts(rt, staff):
    t = rt.services.texts
    await staff.get("/calendar")
    assert t("web.calendar.mark_entered", year=2027) in staff.last
    assert t("web.calendar.mark_entered", year=2026) not in staff.last  # chinese-calendar publishes 2026
    assert t("web.calendar.provisional", year=2027, count=0)[:12] not in staff.last  # more than a month ahead
