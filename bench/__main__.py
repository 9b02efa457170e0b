"""`make bench`: every benchmark, each printing its own figures and its baseline from the same run."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from bench import booking_race, matcher, telegram_e2e, voice


def main() -> None:
    print(matcher.report(matcher.run()))
    print()
    with tempfile.TemporaryDirectory() as folder:
        figures = asyncio.run(booking_race.race(Path(folder) / "race.sqlite3", users=200, seats=10))
    print(f"booking race — 200 users, 10 seats: {figures['bookings']} booked, {figures['rejects']} full, "
          f"{figures['errors']} errors in {figures['seconds']:.3f} s (target: exactly 10, no errors, < 1 s)")
    print()
    telegram_e2e.main([])
    print()
    voice.main([])


if __name__ == "__main__":
    main()
