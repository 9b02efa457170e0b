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

from policy.holidays import Festival, holidays


class WorkCalendar:
    """Is a day worked? Staff overrides first, then chinese_calendar, then the law's holidays.

    chinese_calendar only knows the years whose schedule had been published when it was
    released. For any other year the statutory holidays are computed (policy.holidays) and
    marked provisional: they are never worked, but the year's 调休 swaps stay unknown until
    staff enter the State Council's notice as overrides and list the year as entered. `on_fallback` hears of each such year
    once, so the caller can warn once rather than on every lookup.
    """

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        on_fallback: Callable[[int], None] | None = None,
        entered_years: frozenset[int] = frozenset(),
    ) -> None:
        self._on_fallback = on_fallback
        self._warned: set[int] = set()
        self._published: set[int] = set()
        self.reset(overrides or {}, entered_years)

    def reset(self, overrides: Mapping[date, bool], entered_years: frozenset[int], version: int = 0) -> None:
        """Take a new set of overrides in place (staff changed 日历与名额): everyone holding this
        calendar sees it at once. `version` is the database's calendar version it was read at."""
        self._overrides = dict(overrides)
        # Only the years chinese_calendar lacks. A year whose notice staff entered in full computes
        # nothing: the overrides and Monday–Friday are its schedule.
        self._computed: dict[int, dict[date, Festival]] = {year: {} for year in entered_years}
        self.version = version

    def is_workday(self, d: date) -> bool:
        if isinstance(d, datetime):
            # A datetime would silently drop its time zone; make callers pick the day.
            raise TypeError("is_workday takes a date; convert a datetime with is_non_working_moment")
        if d in self._overrides:
            return self._overrides[d]
        computed = self._unpublished(d.year)
        if computed is None:
            return chinese_calendar.is_workday(d)
        return d.weekday() < 5 and d not in computed

    def provisional_holidays(self, year: int) -> dict[date, Festival]:
        """The year's computed holidays that staff have not yet confirmed or changed by an override;
        empty for a year chinese_calendar knows or whose notice is entered."""
        computed = self._unpublished(year) or {}
        return {d: f for d, f in computed.items() if d not in self._overrides}

    def _unpublished(self, year: int) -> dict[date, Festival] | None:
        if year in self._published:
            return None
        if year not in self._computed:
            try:
                chinese_calendar.is_workday(date(year, 1, 1))
            except NotImplementedError:
                self._computed[year] = holidays(year)
                if self._on_fallback is not None and year not in self._warned:
                    self._warned.add(year)
                    self._on_fallback(year)
            else:
                self._published.add(year)
                return None
        return self._computed[year]


def is_non_working_moment(at: datetime, tz: ZoneInfo, cal: WorkCalendar) -> bool:
    """Whether the instant `at` falls on a non-working day in `tz` (Asia/Shanghai for Quzhou).

    The day is what counts (二(一)9 says 非工作日), not office hours.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("at must be timezone-aware; a naive time is ambiguous")
    return not cal.is_workday(at.astimezone(tz).date())
