"""Booking race: many people tap 确认 on the same window at once; exactly `seats` must win.

    python -m bench.booking_race --users 200 --seats 10 [--db PATH] [--json]

Each simulated user has their own request key and goes through `BookingStore.create`,
all at once with asyncio.gather, against a fresh database file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from policy.eligibility import County
from policy.slots import resident_reminder_at
from storage.bookings import BookingDraft, BookingStore
from storage.db import database_for

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def race(db_path: Path | str, users: int = 200, seats: int = 10) -> dict[str, float | int]:
    """{bookings, rejects, errors, seconds} for `users` concurrent creates on one window of `seats`."""
    db_path = Path(db_path)
    if db_path.exists():
        # Seats already taken there would skew the figures, and a bench must not write into real data.
        raise FileExistsError(f"{db_path} exists; the bench needs a fresh database file")
    db = database_for(f"sqlite:///{db_path}")
    await db.open()
    try:
        store = BookingStore(db, SHANGHAI)
        now = datetime.now(SHANGHAI)
        visit: date = now.date() + timedelta(days=3)
        reminders = {"resident": resident_reminder_at(visit, SHANGHAI)}

        async def one(i: int) -> str:
            draft = BookingDraft(
                channel="bench", user_id=f"user-{i}", county=County.KECHENG, visit_date=visit, window="am",
                elder_name=f"测试{i}", phone="13800000000", phone_owner="self", township="府山街道",
                address="测试地址", matter="测试", consent_at=now,
            )
            result = await store.create(draft, seats, f"bench-{i}", now, reminders)
            return result.status

        started = time.perf_counter()
        outcomes = await asyncio.gather(*(one(i) for i in range(users)), return_exceptions=True)
        seconds = time.perf_counter() - started
    finally:
        await db.close()
    return {
        "bookings": sum(1 for o in outcomes if o == "created"),
        "rejects": sum(1 for o in outcomes if o == "full"),
        "errors": sum(1 for o in outcomes if isinstance(o, BaseException) or o not in ("created", "full")),
        "seconds": round(seconds, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.booking_race", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seats", type=int, default=10)
    parser.add_argument("--db", type=Path, help="a database file that does not exist yet (default: a temporary one)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    if args.db is None:
        with tempfile.TemporaryDirectory() as folder:
            figures = asyncio.run(race(Path(folder) / "race.sqlite3", args.users, args.seats))
    else:
        figures = asyncio.run(race(args.db, args.users, args.seats))
    if args.json:
        print(json.dumps(figures))
    else:
        print(
            f"{args.users} users, {args.seats} seats: {figures['bookings']} booked, {figures['rejects']} full,"
            f" {figures['errors']} errors in {figures['seconds']:.3f} s"
        )
    ok = figures["bookings"] == min(args.users, args.seats) and figures["errors"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
