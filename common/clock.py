"""The clock: aware datetimes in the configured zone, replaceable by tests and benchmarks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]


def system_clock(zone: ZoneInfo) -> Clock:
    return lambda: datetime.now(zone)
