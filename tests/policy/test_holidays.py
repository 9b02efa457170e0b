"""Holidays computed from 《全国年节及纪念日放假办法》 for years chinese-calendar does not know."""

from datetime import date, timedelta

import chinese_calendar
from chinese_calendar import Holiday
from hypothesis import given
from hypothesis import strategies as st

from policy.holidays import Festival, holidays, statutory_days
from policy.slots import SlotRules, bookable_dates
from policy.workdays import WorkCalendar, is_non_working_moment
from tests.policy.test_slots import SHANGHAI, at

AS_PACKAGE = {
    Festival.NEW_YEAR: Holiday.new_years_day, Festival.SPRING: Holiday.spring_festival,
    Festival.QINGMING: Holiday.tomb_sweeping_day, Festival.LABOUR: Holiday.labour_day,
    Festival.DRAGON_BOAT: Holiday.dragon_boat_festival, Festival.MID_AUTUMN: Holiday.mid_autumn_festival,
    Festival.NATIONAL: Holiday.national_day,
}
KNOWN = st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31))


@given(KNOWN)
def test_every_computed_day_of_a_published_year_is_that_festival_in_the_published_schedule(day):
    # 2020–2026: the law's days (2013 text until 2024, the 2024 text from 2025) and each 补假
    # placed on the next free weekday are all holidays of the same festival in the State Council's
    # notices, as chinese-calendar holds them.
    festival = holidays(day.year).get(day)
    if festival is not None:
        assert chinese_calendar.get_holiday_detail(day) == (True, AS_PACKAGE[festival].value)


@given(KNOWN)
def test_a_published_weekday_holiday_not_computed_is_a_tiaoxiu_bridge_of_its_festival(day):
    # What the notices add beyond the law is 调休: weekdays joined to a festival (paid for by a
    # worked weekend), and in 2020 the epidemic's extension of 春节 (1月31日). Each such day lies
    # within a week of a computed day of the same festival, so the computed rule misses only 调休.
    on, name = chinese_calendar.get_holiday_detail(day)
    if not on or day.weekday() >= 5 or day in holidays(day.year):
        return
    near = {f for d, f in holidays(day.year).items() if abs((d - day).days) <= 7}
    assert name in {AS_PACKAGE[f].value for f in near}


def test_chuxi_duanwu_and_zhongqiu_from_the_lunar_library_match_the_published_years():
    chuxi = {2025: date(2025, 1, 28), 2026: date(2026, 2, 16)}
    for year in range(2020, 2027):
        days = statutory_days(year)
        first = min(d for d, f in days.items() if f is Festival.SPRING)
        if year in chuxi:
            assert first == chuxi[year]  # 除夕 is a holiday from the 2024 revision on
        for festival in (Festival.DRAGON_BOAT, Festival.MID_AUTUMN, Festival.QINGMING):
            if (year, festival) == (2020, Festival.MID_AUTUMN):
                assert days[date(2020, 10, 1)] is Festival.NATIONAL  # 中秋 was 10月1日 that year
                continue
            (day,) = [d for d, f in days.items() if f is festival]
            assert chinese_calendar.get_holiday_detail(day) == (True, AS_PACKAGE[festival].value)


def test_spring_festival_2027_runs_from_chuxi_with_the_weekend_made_up_on_the_9th_and_10th():
    days = holidays(2027)
    spring = sorted(d for d, f in days.items() if f is Festival.SPRING)
    assert spring == [date(2027, 2, d) for d in range(5, 11)]  # 除夕 Friday 5th … 补假 Wednesday 10th
    assert statutory_days(2027)[date(2027, 2, 5)] is Festival.SPRING


def test_national_day_2027_falls_on_friday_to_sunday_and_is_made_up_on_monday_and_tuesday():
    national = sorted(d for d, f in holidays(2027).items() if f is Festival.NATIONAL)
    assert national == [date(2027, 10, d) for d in range(1, 6)]
    assert WorkCalendar().is_workday(date(2027, 10, 6))


def test_the_booking_on_29_january_2027_offers_no_day_of_the_spring_festival():
    offered = bookable_dates(at(2027, 1, 29), SlotRules(), WorkCalendar())
    assert date(2027, 2, 4) in offered and date(2027, 2, 11) in offered
    assert not any(date(2027, 2, 5) <= d <= date(2027, 2, 10) for d in offered)


def test_the_year_boundary_from_the_published_schedule_to_the_computed_one():
    cal = WorkCalendar()
    assert not cal.provisional_holidays(2026)
    assert cal.is_workday(date(2026, 12, 31))  # a Thursday, published
    assert not cal.is_workday(date(2027, 1, 1))  # 元旦, computed
    assert cal.provisional_holidays(2027)[date(2027, 1, 1)] is Festival.NEW_YEAR


def test_a_provisional_holiday_counts_as_a_non_working_day_for_points():
    chuxi_noon = at(2027, 2, 5, 12)
    assert is_non_working_moment(chuxi_noon, SHANGHAI, WorkCalendar())
    assert not is_non_working_moment(at(2027, 2, 4, 12), SHANGHAI, WorkCalendar())


def test_overrides_win_over_provisional_days_and_confirm_them():
    notice = {date(2027, 2, 10): True, date(2027, 2, 11): False, date(2027, 2, 5): False}
    cal = WorkCalendar(overrides=notice)
    assert cal.is_workday(date(2027, 2, 10))  # the notice put the 补假 elsewhere
    assert not cal.is_workday(date(2027, 2, 11))
    provisional = cal.provisional_holidays(2027)
    assert date(2027, 2, 5) not in provisional and date(2027, 2, 10) not in provisional
    assert date(2027, 2, 6) in provisional
    everything = {d: False for d in holidays(2027)}
    assert WorkCalendar(overrides=everything).provisional_holidays(2027) == {}


def test_a_year_is_computed_once_and_reported_once():
    years: list[int] = []
    cal = WorkCalendar(on_fallback=years.append)
    day = date(2027, 1, 1)
    while day.year == 2027:
        cal.is_workday(day)
        day += timedelta(days=1)
    cal.provisional_holidays(2027)
    assert years == [2027]


async def test_the_booking_flow_on_29_january_2027_offers_no_spring_festival_day_even_forged(chat, clock):
    from datetime import datetime

    clock.now = datetime(2027, 1, 29, 10, 0, tzinfo=SHANGHAI)
    await chat.send("预约上门办申请")
    await chat.tap("是")
    await chat.tap("龙游县")
    offered = {o.payload.removeprefix("book:answer:date=") for o in chat.options
               if o.payload.startswith("book:answer:date=")}
    assert "2027-02-04" in offered and "2027-02-11" in offered
    assert not offered & {f"2027-02-{d:02d}" for d in range(5, 11)}
    await chat.press("book:answer:date=2027-02-05")  # a forged button for 除夕
    saved = await chat.runtime.services.store.load_state("console", "elder-1")
    assert "2027-02-05" not in saved
