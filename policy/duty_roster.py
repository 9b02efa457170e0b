"""Who may be put on the online duty roster (值班表) for which day.

4号 一(三): 法律援助值班 is 律师自主报名、法律援助机构统一安排. The roster here is online duty on
a non-working day, when nobody is in the office; answering then earns 二(一)9's +5 per answer,
and being on the roster earns nothing by itself (二(一)3's 10 a day is for a window or 工作站).
"""

from __future__ import annotations

from datetime import date

import chinese_calendar

from policy.holidays import holidays
from policy.workdays import WorkCalendar

# chinese-calendar names its holidays in English; its enum carries the Chinese name.
_CHINESE_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}


def add_refusal(day: date, today: date, cal: WorkCalendar, lawyer_active: bool) -> str | None:
    """Why `day` cannot be put on the roster (a catalog id), or None when it can.

    Today may still be added (someone falls ill on the Saturday morning); a working day never,
    including a 调休 Saturday, which the calendar counts as worked.
    """
    if day < today:
        return "duty.error.past"
    if cal.is_workday(day):
        return "duty.error.working_day"
    if not lawyer_active:
        return "duty.error.inactive"
    return None


def remove_refusal(day: date, today: date) -> str | None:
    """An entry may be taken off until its day starts: from then on the lawyer is the one on duty."""
    return "duty.error.started" if day <= today else None


def non_working_days(start: date, days: int, cal: WorkCalendar) -> list[date]:
    """The non-working days among the `days` days from `start`."""
    return [d for d in (date.fromordinal(start.toordinal() + n) for n in range(days)) if not cal.is_workday(d)]


def holiday_name(day: date, cal: WorkCalendar) -> str | None:
    """The festival a non-working day belongs to (国庆节, 春节 …), None for a plain weekend or a
    day staff made a holiday that is no festival's."""
    if cal.is_workday(day):
        return None
    try:
        _, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        festival = holidays(day.year).get(day)  # a year chinese-calendar does not know: computed
        return festival.value if festival else None
    return _CHINESE_NAMES.get(name) if name else None
