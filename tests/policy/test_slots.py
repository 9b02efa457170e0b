"""Home-visit slots (衢市司发〔2020〕3号 三): bookable days, windows, reminders, references."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from policy.slots import (
    DEFAULT_WINDOWS,
    SlotRules,
    Window,
    bookable_dates,
    lawyer_reminder_at,
    make_reference,
    parse_time,
    parse_windows,
    resident_reminder_at,
    slot_start,
)
from policy.workdays import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES = SlotRules()


def at(y, m, d, hh=10, mm=0, tz=SHANGHAI):
    return datetime(y, m, d, hh, mm, tzinfo=tz)


def test_the_national_day_fortnight_offers_the_make_up_saturday_and_not_the_holiday_monday():
    make_up_saturday, holiday_monday = date(2026, 10, 10), date(2026, 10, 5)
    assert make_up_saturday.weekday() == 5 and chinese_calendar.is_workday(make_up_saturday)
    assert holiday_monday.weekday() == 0 and chinese_calendar.is_holiday(holiday_monday)

    days = bookable_dates(at(2026, 9, 30), RULES, WorkCalendar())

    assert make_up_saturday in days
    assert holiday_monday not in days
    assert days == [date(2026, 10, d) for d in (8, 9, 10, 12, 13, 14)]


def test_spring_festival_make_up_saturday_is_offered_and_the_holiday_week_is_not():
    days = bookable_dates(at(2026, 2, 10), RULES, WorkCalendar())
    assert date(2026, 2, 14) in days  # 调休 Saturday
    assert not any(date(2026, 2, 16) <= d <= date(2026, 2, 23) for d in days)


def test_january_2027_falls_back_to_monday_to_friday():
    fallback_years: list[int] = []
    days = bookable_dates(at(2027, 1, 4), RULES, WorkCalendar(on_fallback=fallback_years.append))
    assert days == [date(2027, 1, d) for d in (5, 6, 7, 8, 11, 12, 13, 14, 15, 18)]
    assert fallback_years == [2027]


def test_a_staff_override_removes_a_fallback_day():
    cal = WorkCalendar(overrides={date(2027, 1, 5): False})
    assert date(2027, 1, 5) not in bookable_dates(at(2027, 1, 4), RULES, cal)


@pytest.mark.parametrize("hh, mm", [(0, 0), (7, 59), (23, 59)])
def test_the_same_day_is_never_offered(hh, mm):
    now = at(2026, 11, 26, hh, mm)  # an ordinary Thursday
    days = bookable_dates(now, RULES, WorkCalendar())
    assert date(2026, 11, 26) not in days
    assert days[0] == date(2026, 11, 27)


def test_the_horizon_day_is_included_and_the_day_after_is_not():
    now = at(2026, 11, 26)
    days = bookable_dates(now, RULES, WorkCalendar())
    assert days[-1] == date(2026, 12, 10)  # today + 14, a Thursday
    assert date(2026, 12, 11) not in days


def test_longer_notice_moves_the_first_day():
    days = bookable_dates(at(2026, 11, 26), SlotRules(min_notice_days=2), WorkCalendar())
    assert days[0] == date(2026, 11, 30)  # Friday the 27th is too soon, then the weekend


def test_today_is_the_day_in_the_zone_of_the_given_time():
    utc_evening = datetime(2026, 11, 26, 17, 0, tzinfo=timezone.utc)  # 01:00 Friday in Shanghai
    in_shanghai = bookable_dates(utc_evening.astimezone(SHANGHAI), RULES, WorkCalendar())
    in_utc = bookable_dates(utc_evening, RULES, WorkCalendar())
    assert in_utc[0] == date(2026, 11, 27)
    assert in_shanghai[0] == date(2026, 11, 30)


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError):
        bookable_dates(datetime(2026, 11, 26, 10, 0), RULES, WorkCalendar())


def test_rules_refuse_same_day_booking_and_a_horizon_before_the_notice():
    with pytest.raises(ValueError):
        SlotRules(min_notice_days=0)
    with pytest.raises(ValueError):
        SlotRules(min_notice_days=3, horizon_days=2)
    with pytest.raises(ValueError):
        SlotRules(capacity=0)


def test_parse_windows_reads_the_configuration_string():
    windows = parse_windows("am=09:00-11:30, pm=14:00-17:00")
    assert windows == DEFAULT_WINDOWS
    assert parse_windows("early=8:30-10:00")[0].start == time(8, 30)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "am=09:00",
        "am 09:00-11:30",
        "am=9-11",
        "am=11:30-09:00",
        "am=09:00-11:30,am=14:00-17:00",
        "am=09:00-12:00,pm=11:00-17:00",
        "pm=14:00-17:00,am=09:00-11:30",
        "AM=09:00-11:30",
        "am=24:00-25:00",
    ],
)
def test_malformed_window_strings_are_errors(text):
    with pytest.raises(ValueError):
        parse_windows(text)


def test_parse_time_refuses_nonsense():
    assert parse_time(" 14:05 ") == time(14, 5)
    with pytest.raises(ValueError):
        parse_time("14:60")


def test_rules_find_a_window_by_key():
    assert RULES.window("pm").start == time(14, 0)
    with pytest.raises(KeyError):
        RULES.window("night")


def test_slot_start_is_the_window_start_in_the_zone():
    start = slot_start(date(2027, 1, 5), Window("pm", time(14), time(17)), SHANGHAI)
    assert start == datetime(2027, 1, 5, 6, 0, tzinfo=timezone.utc)


def test_reminders_go_out_the_evening_before_even_across_a_month_end():
    assert resident_reminder_at(date(2027, 1, 5), SHANGHAI) == at(2027, 1, 4, 18, 0)
    assert resident_reminder_at(date(2027, 3, 1), SHANGHAI) == at(2027, 2, 28, 18, 0)
    assert lawyer_reminder_at(date(2027, 3, 1), SHANGHAI) == at(2027, 2, 28, 18, 0)


def test_the_reminder_comes_before_the_earliest_window_with_at_least_a_night_between():
    visit = date(2027, 1, 5)
    reminder = resident_reminder_at(visit, SHANGHAI)
    assert slot_start(visit, DEFAULT_WINDOWS[0], SHANGHAI) - reminder >= timedelta(hours=12)


def test_reference_format():
    assert make_reference(date(2027, 1, 5), 7) == "SM-20270105-0007"
    assert make_reference(date(2027, 1, 5), 1234) == "SM-20270105-1234"
    with pytest.raises(ValueError):
        make_reference(date(2027, 1, 5), 0)
