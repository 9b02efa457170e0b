"""A per-person message limit, so one flood cannot crowd out everyone else.

In memory, per process: a sliding window of the last minute. Over the limit, the person
gets one calm message per window, not silence and not a reply to every message.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from enum import Enum

WINDOW = timedelta(minutes=1)


class Verdict(Enum):
    ALLOW = "allow"
    SLOW_DOWN = "slow_down"  # say so, once
    DROP = "drop"  # already said so in this window


class RateLimiter:
    def __init__(self, per_minute: int, max_people: int = 100_000):
        self.per_minute = per_minute
        self.max_people = max_people
        self._seen: dict[tuple[str, str], deque[datetime]] = {}
        self._warned: dict[tuple[str, str], datetime] = {}

    def check(self, key: tuple[str, str], at: datetime) -> Verdict:
        if len(self._seen) > self.max_people:
            self._forget_idle(at)
        times = self._seen.setdefault(key, deque())
        while times and at - times[0] >= WINDOW:
            times.popleft()
        if len(times) < self.per_minute:
            times.append(at)
            return Verdict.ALLOW
        warned = self._warned.get(key)
        if warned is not None and at - warned < WINDOW:
            return Verdict.DROP
        self._warned[key] = at
        return Verdict.SLOW_DOWN

    def full(self, key: tuple[str, str], at: datetime) -> bool:
        """Whether one more message now would be over the limit (nothing is counted)."""
        return sum(1 for t in self._seen.get(key, ()) if at - t < WINDOW) >= self.per_minute

    def _forget_idle(self, at: datetime) -> None:
        idle = [k for k, times in self._seen.items() if not times or at - times[-1] >= WINDOW]
        for key in idle:
            self._seen.pop(key, None)
            self._warned.pop(key, None)
