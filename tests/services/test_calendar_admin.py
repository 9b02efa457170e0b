"""日历与名额 through the service layer, on SQLite and PostgreSQL: places per county and half-day,
closed days (refused inside the booking, never offered, bookings already made kept and listed),
the holiday notice staff enter (二(一)9's non-working days, 调休 Saturdays), provisional years,
and a change reaching another process by the calendar's version."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest

from policy.ledger import LedgerError
from policy.slots import bookable_dates
from services import accounts, calendar_admin, calendar_status, points, visits
from services.actor import Actor, PermissionDenied
from services.context import Services
from storage.bookings import BookingDraft, Change, Created
from storage.users import WebRole
from tests.conftest import SHANGHAI

MONDAY = date(2026, 11, 30)
SATURDAY = date(2026, 11, 28)
TUESDAY = date(2026, 12, 1)


async def book(rt, county="柯城区", day=MONDAY, window="am", user="elder-1"):
    draft = BookingDraft("console", user, county, day, window, "张三", f"1381234{len(user):04d}", "self",
                         "府山街道", "某路1号", "立遗嘱", rt.now())
    default = rt.services.settings.visit_capacity
    return await rt.services.bookings.create(draft, default, f"req-{user}-{day}-{window}", rt.now(), {})


async def free(rt, county="柯城区", days=(MONDAY,)):
    return await rt.services.bookings.availability(county, days, ["am", "pm"], rt.services.settings.visit_capacity)


async def test_places_are_per_county_and_half_day_and_the_setting_is_the_default(rt, staff):
    await calendar_admin.set_places(rt.services, staff, "柯城区", "am", 1, rt.now())
    assert await free(rt) == {(MONDAY, "am"): 1, (MONDAY, "pm"): 2}
    assert await free(rt, "江山市") == {(MONDAY, "am"): 2, (MONDAY, "pm"): 2}
    assert (await book(rt, user="a")).status == Created.CREATED
    assert (await book(rt, user="b")).status == Created.FULL
    assert (await book(rt, county="江山市", user="c")).status == Created.CREATED


async def test_a_county_with_no_places_in_a_half_day_is_not_offered_then(rt, staff):
    await calendar_admin.set_places(rt.services, staff, "开化县", "pm", 0, rt.now())
    assert (await free(rt, "开化县"))[(MONDAY, "pm")] == 0
    assert (await book(rt, county="开化县", window="pm")).status == Created.FULL
    assert (await book(rt, county="开化县", window="am")).status == Created.CREATED


async def test_lowering_places_keeps_the_visits_already_booked(rt, staff):
    first, second = await book(rt, user="a"), await book(rt, user="b")
    await calendar_admin.set_places(rt.services, staff, "柯城区", "am", 1, rt.now())
    for made in (first, second):
        assert (await rt.services.bookings.get(made.booking.ref)).status == "active"
    assert (await free(rt))[(MONDAY, "am")] == 0
    await rt.services.bookings.cancel(first.booking.ref, "console", "a", rt.now())
    assert (await free(rt))[(MONDAY, "am")] == 0  # two booked over one place: one still fills it
    assert (await book(rt, user="c")).status == Created.FULL


async def test_a_closed_day_is_refused_at_booking_and_not_offered(rt, staff):
    await calendar_admin.close_day(rt.services, staff, MONDAY, "柯城区", None, "台风", rt.now())
    assert await free(rt) == {(MONDAY, "am"): 0, (MONDAY, "pm"): 0}
    assert (await book(rt)).status == Created.FULL
    assert (await free(rt, "江山市"))[(MONDAY, "am")] == 2  # only 柯城区 was closed
    assert (await book(rt, county="江山市")).status == Created.CREATED


async def test_a_day_closed_for_one_half_day_keeps_the_other(rt, staff):
    await calendar_admin.close_day(rt.services, staff, MONDAY, None, "am", "培训", rt.now())
    for county in ("柯城区", "龙游县"):
        assert await free(rt, county) == {(MONDAY, "am"): 0, (MONDAY, "pm"): 2}
    assert (await book(rt, window="am")).status == Created.FULL
    assert (await book(rt, window="pm")).status == Created.CREATED


async def test_moving_a_visit_onto_a_closed_day_is_refused(rt, staff):
    made = await book(rt)
    await calendar_admin.close_day(rt.services, staff, TUESDAY, "柯城区", None, "台风", rt.now())
    done = await visits.move(rt.services, staff, made.booking.ref, TUESDAY, "pm", rt.now())
    assert done.value.status == Change.FULL
    assert (await rt.services.bookings.get(made.booking.ref)).visit_date == MONDAY


async def test_closing_a_day_with_bookings_keeps_and_lists_them_until_moved(rt, staff):
    made = await book(rt)
    closed = await calendar_admin.close_day(rt.services, staff, MONDAY, "柯城区", None, "台风", rt.now())
    assert [b.ref for b in closed.bookings] == [made.booking.ref]
    assert (await rt.services.bookings.get(made.booking.ref)).status == "active"
    page = await calendar_admin.page(rt.services, staff, rt.now().date())
    assert [([b.ref for b in a.bookings], a.closure.reason) for a in page.closed] == [([made.booking.ref], "台风")]
    await visits.move(rt.services, staff, made.booking.ref, TUESDAY, "am", rt.now())
    page = await calendar_admin.page(rt.services, staff, rt.now().date())
    assert [a.bookings for a in page.closed] == [[]]
    assert [(c.actor, c.action) for c in page.changes] == [(staff.name, "close")]


async def test_a_day_closed_while_a_visit_is_confirmed_either_refuses_it_or_lists_it(rt, staff):
    """Closing takes the bookings' lock: no visit slips in unlisted, whichever transaction runs first."""
    for n, day in enumerate([date(2026, 12, d) for d in (1, 2, 3, 4, 7)]):
        made, closed = await asyncio.gather(
            book(rt, day=day, user=f"race-{n}"),
            calendar_admin.close_day(rt.services, staff, day, "柯城区", None, "台风", rt.now()))
        if made.status == Created.CREATED:
            assert [b.ref for b in closed.bookings] == [made.booking.ref]
        else:
            assert (made.status, closed.bookings) == (Created.FULL, [])


async def test_a_reopened_day_is_offered_again(rt, staff):
    closed = await calendar_admin.close_day(rt.services, staff, MONDAY, None, None, "培训", rt.now())
    await calendar_admin.reopen(rt.services, staff, closed.closure.id, rt.now())
    assert await free(rt) == {(MONDAY, "am"): 2, (MONDAY, "pm"): 2}
    assert await calendar_admin.reopen(rt.services, staff, closed.closure.id, rt.now()) is None


async def test_a_closure_needs_a_reason_and_staff(rt, staff, lawyer):
    with pytest.raises(LedgerError):
        await calendar_admin.close_day(rt.services, staff, MONDAY, None, None, " ", rt.now())
    with pytest.raises(PermissionDenied):
        await calendar_admin.close_day(rt.services, lawyer, MONDAY, None, None, "台风", rt.now())
    with pytest.raises(ValueError):
        await calendar_admin.close_day(rt.services, staff, date(2026, 11, 1), None, None, "台风", rt.now())


async def test_an_entered_holiday_changes_the_non_working_days_of_points_9(rt, staff, lawyer):
    """二(一)9 is only for 非工作日: an entered 放假 Tuesday takes it; the same Tuesday before refuses it."""
    tuesday = date(2026, 11, 24)
    with pytest.raises(LedgerError) as refused:
        await points.add_entry(rt.services, staff, lawyer.lawyer.id, "non_workday_consult", tuesday, rt.now())
    assert refused.value.text_id == "ledger.error.consult_on_workday"
    await calendar_admin.set_day(rt.services, staff, tuesday, "holiday", rt.now())
    assert not rt.services.calendar.is_workday(tuesday)
    entry = await points.add_entry(rt.services, staff, lawyer.lawyer.id, "non_workday_consult", tuesday, rt.now())
    assert entry.points == 5
    await calendar_admin.set_day(rt.services, staff, TUESDAY, "holiday", rt.now())
    assert TUESDAY not in bookable_dates(rt.now(), rt.services.settings.slot_rules, rt.services.calendar)


async def test_an_entered_tiaoxiu_saturday_is_offered_for_visits(rt, staff):
    rules = rt.services.settings.slot_rules
    assert SATURDAY not in bookable_dates(rt.now(), rules, rt.services.calendar)
    await calendar_admin.set_day(rt.services, staff, SATURDAY, "workday", rt.now())
    assert SATURDAY in bookable_dates(rt.now(), rules, rt.services.calendar)
    await calendar_admin.set_day(rt.services, staff, SATURDAY, "unset", rt.now())
    assert SATURDAY not in bookable_dates(rt.now(), rules, rt.services.calendar)


async def test_a_provisional_year_is_no_longer_provisional_once_entered(rt, staff, clock):
    clock.now = datetime(2026, 12, 20, 10, 0, tzinfo=SHANGHAI)
    today = clock.now.date()
    assert 2027 in calendar_status.provisional_years(rt.services, today)
    await calendar_admin.set_day(rt.services, staff, date(2027, 2, 20), "workday", rt.now())
    assert 2027 in calendar_status.provisional_years(rt.services, today)
    await calendar_admin.enter_year(rt.services, staff, 2027, rt.now())
    assert calendar_status.provisional_years(rt.services, today) == {}
    assert rt.services.calendar.is_workday(date(2027, 2, 20))  # a Saturday worked


async def test_another_process_takes_a_change_at_its_next_refresh(rt, staff):
    other = Services.over(rt.db, rt.services.settings, rt.services.clock)
    await calendar_admin.refresh(other)
    await calendar_admin.set_day(rt.services, staff, TUESDAY, "holiday", rt.now())
    assert not rt.services.calendar.is_workday(TUESDAY)  # the process that made it: at once
    assert other.calendar.is_workday(TUESDAY)  # the other: not yet, and no read per lookup
    assert await calendar_admin.refresh(other)
    assert not other.calendar.is_workday(TUESDAY)
    assert not await calendar_admin.refresh(other)  # unchanged since: nothing reloaded


async def test_a_visit_taken_by_staff_earns_no_points_and_the_lawyer_is_told(rt, staff, lawyer, clock):
    made = await book(rt)
    ref = made.booking.ref
    await visits.assign_lawyer(rt.services, staff, ref, lawyer.lawyer.id, rt.now())
    member = await accounts.add_user(rt.services, Actor.staff("cli"), "li", WebRole.STAFF, None, "password-123", rt.now())
    done = await visits.assign_staff(rt.services, staff, ref, member.id, rt.now())
    assert done.value.status == Change.ASSIGNED
    assert (done.value.booking.lawyer_id, done.value.booking.staff_user_id) == (None, member.id)
    [told] = done.notices
    assert (told.channel, told.user_id) == ("telegram", "501") and ref in told.reply.text
    clock.now = datetime(2026, 11, 30, 16, 0, tzinfo=SHANGHAI)
    assert (await visits.complete(rt.services, staff, ref, rt.now())).status == Change.VISITED
    assert (await rt.services.ledger.statement(lawyer.lawyer.id, 2026)).items == []
