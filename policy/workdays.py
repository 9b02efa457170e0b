"""Working days in mainland China, for booking slots and points rule 衢市司发〔2020〕4号 二(一)9.

二(一)9 gives points for answering online questions on a 非工作日, so "working
day" follows the State Council's holiday schedule, including 调休 make-up days
(a Saturday that is worked), not just Monday–Friday.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

import chinese_calendar

# 《全国年节及纪念日放假办法》(2024年修订, from 2025) 第二条: the holidays on fixed solar dates —
# 元旦 1月1日, 劳动节 5月1日、2日, 国庆节 10月1日至3日. They hold every year, so the fallback
# knows them; 春节, 清明, 端午, 中秋 (lunar) and 调休 come only with the published schedule.
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


class WorkCalendar:
    """Is a day worked? Staff overrides first, then chinese_calendar, then Monday–Friday.

    chinese_calendar only knows the years whose schedule had been published
    when it was released; for any other year it raises NotImplementedError and
    we fall back to Monday–Friday less the fixed-date statutory holidays,
    reporting the year once via `on_fallback` so the caller can log a warning
    once rather than on every lookup.
    """

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        on_fallback: Callable[[int], None] | None = None,
    ) -> None:
        self._overrides = dict(overrides or {})
        self._on_fallback = on_fallback
        self._fallback_years: set[int] = set()

    def is_workday(self, d: date) -> bool:
        if isinstance(d, datetime):
            # A datetime would silently drop its time zone; make callers pick the day.
            raise TypeError("is_workday takes a date; convert a datetime with is_non_working_moment")
        if d in self._overrides:
            return self._overrides[d]
        if d.year not in self._fallback_years:
            try:
                return chinese_calendar.is_workday(d)
            except NotImplementedError:
                self._fallback_years.add(d.year)
                if self._on_fallback is not None:
                    self._on_fallback(d.year)
        return d.weekday() < 5 and (d.month, d.day) not in FIXED_HOLIDAYS


def is_non_working_moment(at: datetime, tz: ZoneInfo, cal: WorkCalendar) -> bool:
    """Whether the instant `at` falls on a non-working day in `tz` (Asia/Shanghai for Quzhou).

    The day is what counts (二(一)9 says 非工作日), not office hours.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("at must be timezone-aware; a naive time is ambiguous")
    return not cal.is_workday(at.astimezone(tz).date())
