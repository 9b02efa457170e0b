"""The statutory holidays of a year, computed from the law when no published schedule is known yet.

《全国年节及纪念日放假办法》(国务院令第798号, 2024年修订, in force from 2025) 第二条: 元旦 1月1日;
春节 农历除夕、正月初一至初三 (4 days); 清明节 (the day of the solar term); 劳动节 5月1日、2日;
端午节 农历端午当日; 中秋节 农历中秋当日; 国庆节 10月1日至3日. 第六条: a holiday of all citizens
that falls on a Saturday or Sunday is made up on a working day (补假). Until 2024 the 2013 text
applied: 春节 初一至初三 (no 除夕) and 劳动节 5月1日 only.

What the law does not fix, the State Council's yearly notice does: which working day a 补假 falls on
and the 调休 swaps that join holidays to weekends. Here a 补假 is the first weekday after its
festival's days; the notice may place it elsewhere and adds 调休, so every day computed here is
provisional until staff enter the notice (LEGALAID_CALENDAR_OVERRIDES).
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from borax.calendars.lunardate import LunarDate, TermUtils

REVISION_2024_FROM = 2025


class Festival(StrEnum):
    NEW_YEAR = "元旦"
    SPRING = "春节"
    QINGMING = "清明节"
    LABOUR = "劳动节"
    DRAGON_BOAT = "端午节"
    MID_AUTUMN = "中秋节"
    NATIONAL = "国庆节"


def statutory_days(year: int) -> dict[date, Festival]:
    """第二条's days of `year` (without 补假), each with its festival."""

    def lunar(month: int, day: int) -> date:
        return LunarDate(year, month, day).to_solar_date()

    new_year = lunar(1, 1)
    spring = [new_year + timedelta(days=n) for n in range(3)]
    labour = [date(year, 5, 1)]
    if year >= REVISION_2024_FROM:
        spring.insert(0, new_year - timedelta(days=1))  # 除夕
        labour.append(date(year, 5, 2))
    days: dict[date, Festival] = {date(year, 1, 1): Festival.NEW_YEAR}
    days |= dict.fromkeys(spring, Festival.SPRING)
    days[TermUtils.nth_term_day(year, term_name="清明")] = Festival.QINGMING
    days |= dict.fromkeys(labour, Festival.LABOUR)
    days[lunar(5, 5)] = Festival.DRAGON_BOAT
    # 中秋 can fall on 10月1日 (2020, 2031): one day off, as the law gives no rule for a coincidence.
    days.setdefault(lunar(8, 15), Festival.MID_AUTUMN)
    days |= dict.fromkeys([date(year, 10, d) for d in (1, 2, 3)], Festival.NATIONAL)
    return days


def holidays(year: int) -> dict[date, Festival]:
    """第二条's days plus 第六条's 补假: each weekend holiday made up on the next free weekday."""
    days = statutory_days(year)
    out = dict(days)
    for day in sorted(days):
        if day.weekday() < 5:
            continue
        make_up = day + timedelta(days=1)
        while make_up.weekday() >= 5 or make_up in out:
            make_up += timedelta(days=1)
        out[make_up] = days[day]
    return out
