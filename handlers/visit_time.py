"""The day and half-day questions of a home visit, shared by 预约律师上门 and 改时间.

Only working days within the horizon that still have a free place are offered (3号 三);
each day can also be typed as 12月1日, 周二, 下周二, 下下周二 or 明天, with its half-day (12月1日上午).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from common.messages import Payload
from handlers.choice import date_aliases
from handlers.form import Choice, Invalid, Question
from handlers.parse import parse_day, plain
from handlers.turn import Turn
from policy.slots import bookable_dates
from services import wording

DATES_SHOWN = 8


async def free_windows(turn: Turn, county: str, days: list[date]) -> dict[date, list[str]]:
    """For each day, the half-days with a free place."""
    rules = turn.services.settings.slot_rules
    keys = [w.key for w in rules.windows]
    free = await turn.services.bookings.availability(county, days, keys, rules.capacity)
    return {d: [k for k in keys if free[(d, k)] > 0] for d in days}


async def date_choices(turn: Turn, draft: Any) -> list[Choice]:
    days = bookable_dates(turn.now, turn.services.settings.slot_rules, turn.services.calendar)
    windows = await free_windows(turn, draft.county, days)
    today = turn.today
    open_days = [d for d in days if windows[d]][:DATES_SHOWN]
    return [Choice(wording.day_label(turn.t, d), d.isoformat(), date_aliases(d, today)) for d in open_days]


async def window_choices(turn: Turn, draft: Any) -> list[Choice]:
    rules = turn.services.settings.slot_rules
    if draft.date not in bookable_dates(turn.now, rules, turn.services.calendar):
        return []
    keys = (await free_windows(turn, draft.county, [draft.date]))[draft.date]
    return [Choice(wording.window_label(turn.t, rules, key), key) for key in keys]


async def read_day(turn: Turn, draft: Any, text: str) -> str | Invalid:
    """A day typed that is not among those shown: why it cannot be booked, or the day if it can
    (a free working day beyond the first few shown)."""
    today = turn.today
    day = parse_day(text, today)
    if day is None:
        return Invalid("book.invalid.date")
    rules = turn.services.settings.slot_rules
    bookable = bookable_dates(turn.now, rules, turn.services.calendar)
    label = wording.day_label(turn.t, day)
    if not bookable:
        return Invalid("book.invalid.date")
    if day > today + timedelta(days=rules.horizon_days):
        return Invalid("book.invalid.date_too_far", {"typed": label, "last": wording.day_label(turn.t, bookable[-1])})
    if day not in bookable:
        # The true reason first: a Sunday typed on Saturday is a day nobody goes out, not one too soon
        # (3号 三 预约; the centre works on working days only, 调休 Saturdays included).
        first = wording.day_label(turn.t, await nearest_open(turn, draft.county, bookable, day))
        if turn.services.calendar.is_workday(day):  # a working day within the notice (today)
            return Invalid("book.invalid.date_too_soon", {"typed": label, "first": first})
        closed = "book.closed.weekend" if day.weekday() >= 5 else "book.closed.holiday"
        return Invalid("book.invalid.date_closed", {"typed": label, "why": turn.t(closed), "first": first})
    free = (await free_windows(turn, draft.county, [day]))[day]
    if not free:
        return Invalid("book.invalid.date_full", {"typed": label})
    window = half_day_named(turn, text, free)
    return f"{day.isoformat()} {window}" if window else day.isoformat()


async def nearest_open(turn: Turn, county: str, bookable: list[date], day: date) -> date:
    """The first bookable day after `day` with a free half-day (else the first with one, else the first)."""
    windows = await free_windows(turn, county, bookable)
    open_days = [d for d in bookable if windows[d]] or bookable
    return next((d for d in open_days if d > day), open_days[0])


def half_day_named(turn: Turn, text: str, keys: list[str]) -> str | None:
    """The free half-day named beside the day ("12月1日上午" answers both questions), if one is."""
    typed = plain(text)
    named = [key for key in keys if turn.t(f"book.window_name.{key}") in typed]
    return named[0] if len(named) == 1 else None


async def save_date(turn: Turn, draft: Any, value: str) -> bool:
    """The day, and its half-day when it was typed with it; a new day without one asks for it."""
    day, _, window = value.partition(" ")
    draft.date, draft.window = date.fromisoformat(day), window or None
    return False


async def no_dates(turn: Turn, draft: Any) -> None:
    turn.state.reset()
    turn.say(turn.t("book.full"), (turn.option("menu.consult", Payload("consult", "start")),
                                   turn.option("menu.call", Payload("menu", "call")), turn.menu_option()))


async def window_gone(turn: Turn, draft: Any) -> str:
    draft.date = None
    return "book.window_gone"


def time_params(turn: Turn, draft: Any) -> dict[str, object]:
    day = wording.day_label(turn.t, draft.date) if draft.date else ""
    return {"county": draft.county or "", "day": day}


DATE = Question("date", "book.ask.date", date_choices, read_day, when=lambda d: d.county is not None,
                save=save_date, none_left=no_dates, hint="book.invalid.date")
WINDOW = Question("window", "book.ask.window", window_choices, when=lambda d: d.date is not None,
                  none_left=window_gone, hint="book.invalid.window")
