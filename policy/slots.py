"""Home-visit slots: which days and half-day windows can be booked, and when to remind.

衢市司发〔2020〕3号 三: 对患重病、80周岁以上的高龄老人和其他行动不便的老年人实行预约
提供上门服务 — older people who cannot travel book (预约) a lawyer's visit at home.
The opinion fixes no hours; the centre's rules are configuration (`SlotRules`):
two half-day windows in office hours, a small number of visits per window per
county, booked at least a day ahead (a lawyer has to be assigned) and at most
two weeks ahead. Days are working days of the statutory calendar, so a 调休
Saturday is offered and a holiday Monday is not.

Pure: no I/O, no clock. Every "now" is an aware datetime passed in by the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from policy.workdays import WorkCalendar

OPINION_3 = "衢市司发〔2020〕3号 三"

# Both reminders go out the evening before: late enough that the resident is home
# (and family members are back from work), early enough to rearrange the morning.
# The lawyer gets the same moment on purpose, see `lawyer_reminder_at`.
REMINDER_TIME = time(18, 0)

_KEY = re.compile(r"[a-z][a-z0-9_]{0,15}")
_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
# SM = 上门. The number grows past four digits rather than failing, should a day ever need it.


@dataclass(frozen=True)
class Window:
    """A half-day visiting window, e.g. am 09:00–11:30. `key` is what the database stores."""

    key: str
    start: time
    end: time

    def __post_init__(self) -> None:
        if not _KEY.fullmatch(self.key):
            raise ValueError(f"window key {self.key!r}: use up to 16 lower-case letters, digits or _")
        if self.start >= self.end:
            raise ValueError(f"window {self.key}: start {self.start:%H:%M} is not before end {self.end:%H:%M}")

    def label(self) -> str:
        """09:00-11:30, for messages and exports."""
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


DEFAULT_WINDOWS: tuple[Window, ...] = (
    Window("am", time(9, 0), time(11, 30)),
    Window("pm", time(14, 0), time(17, 0)),
)


@dataclass(frozen=True)
class SlotRules:
    """The centre's booking rules. Capacity is visits per window per county."""

    windows: tuple[Window, ...] = field(default=DEFAULT_WINDOWS)
    capacity: int = 2
    # At least 1: a lawyer must be assigned and told before the visit, and the
    # resident's reminder the evening before must still lie in the future.
    min_notice_days: int = 1
    horizon_days: int = 14

    def __post_init__(self) -> None:
        _check_windows(self.windows)
        if self.capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {self.capacity}")
        if self.min_notice_days < 1:
            raise ValueError(f"min_notice_days must be at least 1 (no same-day visits), got {self.min_notice_days}")
        if self.horizon_days < self.min_notice_days:
            raise ValueError(
                f"horizon_days ({self.horizon_days}) must not be less than min_notice_days ({self.min_notice_days})"
            )

    def window(self, key: str) -> Window:
        for w in self.windows:
            if w.key == key:
                return w
        raise KeyError(f"no window {key!r}; configured: {', '.join(w.key for w in self.windows)}")


def _check_windows(windows: tuple[Window, ...]) -> None:
    if not windows:
        raise ValueError("at least one visiting window is needed")
    keys = [w.key for w in windows]
    if len(set(keys)) != len(keys):
        raise ValueError(f"window keys repeat: {keys}")
    ordered = sorted(windows, key=lambda w: w.start)
    if list(windows) != ordered:
        raise ValueError("list the windows in time order")
    for before, after in zip(ordered, ordered[1:]):
        if after.start < before.end:
            raise ValueError(f"windows {before.key} and {after.key} overlap")


# --- configuration strings ---------------------------------------------------


def parse_time(text: str) -> time:
    """'9:00' or '09:00' -> time(9, 0)."""
    m = _HHMM.fullmatch(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a time like 09:00")
    return time(int(m.group(1)), int(m.group(2)))


def parse_windows(text: str) -> tuple[Window, ...]:
    """'am=09:00-11:30,pm=14:00-17:00' -> (Window('am', …), Window('pm', …)), validated."""
    windows = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, span = part.partition("=")
        start, dash, end = span.partition("-")
        if not sep or not dash:
            raise ValueError(f"{part!r}: write a window as key=HH:MM-HH:MM, e.g. am=09:00-11:30")
        windows.append(Window(key.strip(), parse_time(start), parse_time(end)))
    result = tuple(windows)
    _check_windows(result)
    return result


# --- days and times ------------------------------------------------------------


def bookable_dates(now: datetime, rules: SlotRules, cal: WorkCalendar) -> list[date]:
    """Working days from today + min_notice_days to today + horizon_days inclusive.

    "Today" is the calendar day of `now` in its own zone, so pass a time in the
    centre's zone (Asia/Shanghai): at 01:00 in Quzhou it is already tomorrow there.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    today = now.date()
    days = (today + timedelta(days=n) for n in range(rules.min_notice_days, rules.horizon_days + 1))
    return [d for d in days if cal.is_workday(d)]


def slot_start(d: date, window: Window, tz: ZoneInfo) -> datetime:
    return datetime.combine(d, window.start, tzinfo=tz)


def resident_reminder_at(visit_date: date, tz: ZoneInfo, at: time = REMINDER_TIME) -> datetime:
    """The evening before the visit, 18:00 local."""
    return datetime.combine(visit_date - timedelta(days=1), at, tzinfo=tz)


def lawyer_reminder_at(visit_date: date, tz: ZoneInfo, at: time = REMINDER_TIME) -> datetime:
    """The evening before the visit, 18:00 local, the same moment as the resident's.

    Considered and rejected: the previous working day in office hours, so that a
    lawyer who cannot go could still ring the centre. Declining belongs at
    assignment (done by staff in office hours, and the lawyer is told then); this
    reminder's job is not to forget, which is best served close to the visit, and
    "previous working day" would put it a week early after 国庆 or 春节.
    """
    return datetime.combine(visit_date - timedelta(days=1), at, tzinfo=tz)


# --- booking references --------------------------------------------------------


def make_reference(day: date, seq: int) -> str:
    """SM-YYYYMMDD-NNNN: the day the booking was made and its number that day (from 1)."""
    if seq < 1:
        raise ValueError(f"sequence numbers start at 1, got {seq}")
    return f"SM-{day:%Y%m%d}-{seq:04d}"
