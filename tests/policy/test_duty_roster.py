"""Which days go on the 值班表: only a non-working day (4号 二(一)9's 非工作日, on the bot's calendar
with 调休), only an active lawyer, never a day gone by; an entry comes off until its day starts."""

from __future__ import annotations

from datetime import date

import pytest

from policy.duty_roster import add_refusal, holiday_name, non_working_days, remove_refusal
from policy.workdays import WorkCalendar

THURSDAY = date(2026, 11, 26)
FRIDAY, SATURDAY, SUNDAY = date(2026, 11, 27), date(2026, 11, 28), date(2026, 11, 29)
NATIONAL_DAY_FRIDAY = date(2026, 10, 2)  # a statutory holiday chinese-calendar knows
MAKE_UP_SATURDAY = date(2026, 10, 10)  # 调休: worked
CAL = WorkCalendar()


@pytest.mark.parametrize(("day", "refusal"), [
    (FRIDAY, "duty.error.working_day"),
    (SATURDAY, None),
    (SUNDAY, None),
    (THURSDAY, "duty.error.working_day"),  # today, but a working day
])
def test_only_a_non_working_day_may_be_rostered(day, refusal):
    assert add_refusal(day, THURSDAY, CAL, lawyer_active=True) == refusal


def test_a_make_up_working_saturday_cannot_be_rostered_but_a_holiday_friday_can():
    today = date(2026, 9, 1)
    assert add_refusal(MAKE_UP_SATURDAY, today, CAL, True) == "duty.error.working_day"
    assert add_refusal(NATIONAL_DAY_FRIDAY, today, CAL, True) is None


def test_a_holiday_staff_entered_makes_a_weekday_rosterable_and_a_worked_weekend_not():
    # 2027 is not in chinese-calendar: what staff enter on 日历与名额 is the calendar.
    cal = WorkCalendar({date(2027, 2, 11): False, date(2027, 2, 20): True}, entered_years=frozenset({2027}))
    today = date(2027, 1, 4)
    assert add_refusal(date(2027, 2, 11), today, cal, True) is None  # a Thursday made a holiday
    assert add_refusal(date(2027, 2, 20), today, cal, True) == "duty.error.working_day"  # a Saturday worked


def test_yesterday_is_refused_and_today_still_may_be_added():
    assert add_refusal(date(2026, 11, 28), SUNDAY, CAL, True) == "duty.error.past"
    assert add_refusal(SUNDAY, SUNDAY, CAL, True) is None


def test_an_inactive_lawyer_cannot_be_rostered():
    assert add_refusal(SATURDAY, THURSDAY, CAL, lawyer_active=False) == "duty.error.inactive"


@pytest.mark.parametrize(("today", "refusal"), [
    (FRIDAY, None),  # the evening before: still possible
    (SATURDAY, "duty.error.started"),
    (SUNDAY, "duty.error.started"),
])
def test_an_entry_comes_off_until_its_day_starts(today, refusal):
    assert remove_refusal(SATURDAY, today) == refusal


def test_the_coming_non_working_days_with_their_festivals():
    days = non_working_days(date(2026, 9, 28), 14, CAL)
    assert MAKE_UP_SATURDAY not in days and NATIONAL_DAY_FRIDAY in days
    assert holiday_name(NATIONAL_DAY_FRIDAY, CAL) == "国庆节"
    assert holiday_name(SATURDAY, CAL) is None  # a plain weekend
    assert holiday_name(MAKE_UP_SATURDAY, CAL) is None  # worked, whatever festival it makes up for
    assert holiday_name(date(2027, 10, 1), CAL) == "国庆节"  # computed for a year chinese-calendar lacks
