"""Working days: overrides, chinese_calendar (with 调休) and the Monday–Friday fallback."""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from policy.workdays import WorkCalendar, is_non_working_moment

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_make_up_saturday_in_the_2026_schedule_is_worked():
    saturday = date(2026, 10, 10)
    assert saturday.weekday() == 5
    assert WorkCalendar().is_workday(saturday)


def test_a_holiday_monday_in_2026_is_not_worked():
    monday = date(2026, 10, 5)  # 国庆节
    assert monday.weekday() == 0
    assert chinese_calendar.is_holiday(monday)
    assert not WorkCalendar().is_workday(monday)


def test_an_ordinary_sunday_is_not_worked():
    assert not WorkCalendar().is_workday(date(2026, 3, 15))


def test_year_unknown_to_the_package_falls_back_to_monday_to_friday_and_reports_once():
    years: list[int] = []
    cal = WorkCalendar(on_fallback=years.append)
    assert cal.is_workday(date(2027, 1, 4))  # a Monday
    assert not cal.is_workday(date(2027, 1, 9))  # a Saturday
    assert cal.is_workday(date(2027, 3, 5))
    assert years == [2027]


def test_fallback_reports_each_unknown_year_once():
    years: list[int] = []
    cal = WorkCalendar(on_fallback=years.append)
    for d in (date(2027, 1, 4), date(2028, 1, 4), date(2027, 6, 1), date(2028, 6, 1)):
        cal.is_workday(d)
    assert years == [2027, 2028]


def test_known_year_does_not_report_a_fallback():
    years: list[int] = []
    WorkCalendar(on_fallback=years.append).is_workday(date(2026, 1, 5))
    assert years == []


def test_override_wins_over_the_package_and_the_fallback():
    years: list[int] = []
    cal = WorkCalendar(
        overrides={
            date(2026, 10, 10): False,  # package says worked
            date(2026, 10, 5): True,  # package says holiday
            date(2027, 1, 4): False,  # fallback would say worked
        },
        on_fallback=years.append,
    )
    assert not cal.is_workday(date(2026, 10, 10))
    assert cal.is_workday(date(2026, 10, 5))
    assert not cal.is_workday(date(2027, 1, 4))
    assert years == []  # an override needs no fallback


def test_is_workday_refuses_a_datetime():
    with pytest.raises(TypeError):
        WorkCalendar().is_workday(datetime(2026, 10, 10, 9, 0, tzinfo=SHANGHAI))


def test_moment_on_friday_evening_utc_is_saturday_morning_in_shanghai():
    cal = WorkCalendar()
    friday_utc = datetime(2026, 3, 20, 20, 0, tzinfo=timezone.utc)  # Sat 21 Mar 04:00 in Shanghai
    assert is_non_working_moment(friday_utc, SHANGHAI, cal)
    assert not is_non_working_moment(friday_utc, ZoneInfo("UTC"), cal)


def test_moment_on_the_make_up_saturday_in_shanghai_is_working():
    cal = WorkCalendar()
    # 2026-10-09 17:00 UTC is 2026-10-10 01:00 in Shanghai, the 调休 Saturday.
    assert not is_non_working_moment(datetime(2026, 10, 9, 17, 0, tzinfo=timezone.utc), SHANGHAI, cal)


def test_moment_on_sunday_evening_utc_is_monday_morning_in_shanghai():
    cal = WorkCalendar()
    sunday_utc = datetime(2026, 3, 15, 20, 0, tzinfo=timezone.utc)  # Mon 16 Mar 04:00 in Shanghai
    assert not is_non_working_moment(sunday_utc, SHANGHAI, cal)
    assert is_non_working_moment(sunday_utc, ZoneInfo("UTC"), cal)


def test_naive_moment_is_an_error():
    with pytest.raises(ValueError):
        is_non_working_moment(datetime(2026, 10, 10, 9, 0), SHANGHAI, WorkCalendar())


@pytest.mark.parametrize("day", [date(2027, 1, 1), date(2027, 10, 1), date(2028, 5, 1), date(2028, 5, 2)])
def test_fixed_date_statutory_holidays_are_off_even_beyond_the_package(day):
    assert day.weekday() < 5
    assert WorkCalendar().is_workday(day) is False
