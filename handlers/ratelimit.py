"""A per-person message limit, so one flood cannot crowd out everyone else.

A sliding window of the last minute, kept in the database (`Store.rate_window`), so every process
that handles the person counts the same messages. Over the limit, the person gets one calm message
per window, not silence and not a reply to every message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

WINDOW = timedelta(minutes=1)


class Verdict(Enum):
    ALLOW = "allow"
    SLOW_DOWN = "slow_down"  # say so, once
    DROP = "drop"  # already said so in this window


@dataclass(frozen=True)
class Window:
    """One person's messages in the last minute, and when they were last told to slow down."""

    times: tuple[datetime, ...] = ()
    warned: datetime | None = None


class RateLimiter:
    def __init__(self, per_minute: int):
        self.per_minute = per_minute

    def check(self, window: Window, at: datetime) -> tuple[Verdict, Window]:
        """The verdict on a message at `at`, and the window to keep for the next one."""
        times = tuple(t for t in window.times if at - t < WINDOW)
        if len(times) < self.per_minute:
            return Verdict.ALLOW, Window((*times, at), window.warned)
        if window.warned is not None and at - window.warned < WINDOW:
            return Verdict.DROP, Window(times, window.warned)
        return Verdict.SLOW_DOWN, Window(times, at)

    def full(self, window: Window, at: datetime) -> bool:
        """Whether one more message now would be over the limit (nothing is counted)."""
        return sum(1 for t in window.times if at - t < WINDOW) >= self.per_minute
