"""Home visits as staff work them through the service layer."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from common.messages import Address
from services import visits
from services.wording import day_label, window_label
from storage.bookings import BookingDraft, Change
from storage.outbox import Topic, outbox_key
from tests.conftest import SHANGHAI


async def book(rt, county="柯城区") -> str:
    day = date(2026, 11, 30)
    draft = BookingDraft("console", "elder-1", county, day, "am", "张三", "13812345678", "self", "府山街道",
                         "某路1号", "立遗嘱", rt.now())
    created = await rt.services.bookings.create(draft, 2, "req-1", rt.now(), {})
    return created.booking.ref


async def test_assigning_a_lawyer_tells_them_the_visit_about_the_resident(rt, staff, lawyer):
    ref = await book(rt)
    done = await visits.assign_lawyer(rt.services, staff, ref, lawyer.lawyer.id, rt.now())
    assert done.value.status == Change.ASSIGNED
    [notice] = done.notices
    assert (notice.channel, notice.user_id, notice.about) == ("telegram", "501", Address("console", "elder-1"))
    assert notice.dedupe_key == outbox_key(Topic.ASSIGNED, ref, lawyer.lawyer.id)


async def test_completing_a_visit_awards_ten_points_once(rt, staff, lawyer, clock):
    ref = await book(rt)
    await visits.assign_lawyer(rt.services, staff, ref, lawyer.lawyer.id, rt.now())
    clock.now = datetime(2026, 11, 30, 16, 0, tzinfo=SHANGHAI)
    assert (await visits.complete(rt.services, staff, ref, rt.now())).status == Change.VISITED
    assert (await visits.complete(rt.services, staff, ref, rt.now())).status == Change.ALREADY_VISITED
    statement = await rt.services.ledger.statement(lawyer.lawyer.id, 2026, 4)
    assert [(e.clause, e.points) for e in statement.items] == [("二(一)4", 10)]


async def test_a_visit_in_a_county_arranged_through_the_centre_earns_the_activity_points(rt, staff, lawyer, clock):
    """4号 二(一)4 "配合市法律援助中心组织各类活动,提供法律咨询、上门服务的,每次得10分": every visit booked here
    is organised by the city centre, which assigns the lawyer, so a visit in 江山市 counts as one in 柯城区."""
    ref = await book(rt, county="江山市")
    await visits.assign_lawyer(rt.services, staff, ref, lawyer.lawyer.id, rt.now())
    clock.now = datetime(2026, 11, 30, 16, 0, tzinfo=SHANGHAI)
    await visits.complete(rt.services, staff, ref, rt.now())
    statement = await rt.services.ledger.statement(lawyer.lawyer.id, 2026, 4)
    assert [(e.clause, e.points) for e in statement.items] == [("二(一)4", 10)]


async def test_reading_a_visit_and_exporting_are_logged(rt, staff):
    ref = await book(rt)
    booking, lawyer = await visits.detail(rt.services, staff, ref, rt.now())
    assert (booking.phone, lawyer) == ("13812345678", None)
    export = await visits.export(rt.services, staff, date(2026, 11, 30), date(2026, 11, 30) + timedelta(days=1),
                                 "csv", rt.now())
    assert export.count == 1 and export.document.filename.endswith(".csv")
    rows = [tuple(r) for r in await rt.db.fetchall("SELECT actor, action FROM access_log ORDER BY id")]
    assert rows == [(staff.name, "booking.details"), (staff.name, "bookings.export")]


async def test_staff_cancel_a_visit_with_a_reason_the_resident_reads(rt, staff, lawyer):
    ref = await book(rt)
    await visits.assign_lawyer(rt.services, staff, ref, lawyer.lawyer.id, rt.now())
    done = await visits.cancel(rt.services, staff, ref, "律师生病，请改约", rt.now())
    assert done.value.status == Change.CANCELLED
    to_resident, to_lawyer = done.notices
    assert (to_resident.channel, to_resident.user_id, to_resident.about) == ("console", "elder-1",
                                                                             Address("console", "elder-1"))
    t, b = rt.services.texts, done.value.booking
    assert to_resident.reply.text == t("staff.visit_cancelled_resident", ref=ref, day=day_label(t, b.visit_date),
                                       window=window_label(t, rt.services.settings.slot_rules, b.window),
                                       reason="律师生病，请改约")
    assert (to_lawyer.channel, to_lawyer.user_id) == ("telegram", "501")
    again = await visits.cancel(rt.services, staff, ref, "再取消", rt.now())
    assert (again.value.status, again.notices) == (Change.ALREADY_CANCELLED, [])


async def test_staff_move_a_visit_and_the_resident_is_told(rt, staff):
    ref = await book(rt)
    done = await visits.move(rt.services, staff, ref, date(2026, 12, 1), "pm", rt.now())
    assert done.value.status == Change.MOVED
    assert (done.value.booking.visit_date, done.value.booking.window) == (date(2026, 12, 1), "pm")
    [to_resident] = done.notices  # no lawyer assigned yet
    assert to_resident.about == Address("console", "elder-1")
    assert (await visits.move(rt.services, staff, ref, date(2026, 12, 1), "evening", rt.now())).notices == []
