"""Booking race across processes: many people tap 确认 on the same window at once; exactly `seats` must win.

    python -m bench.booking_race [--processes 2,4,8] [--people 200] [--seats 10] [--database URL] [--json]
    legalaid bench booking …           the same (--users and --db are the older names of --people and --database)

For each number of processes: a fresh database, then that many worker processes, each with its
own connection, share the people between them and book all at once (after a common "go"), so
the bookings meet in the database's own locking, not behind one process's lock. Each person is
a different family (own chat account, own phone number), so only the seats limit them. The
count of bookings is read back from the database, not taken from the workers' word.

--database: a file path, sqlite:///PATH or postgresql://… (default: a temporary SQLite file each
time). The database is opened by `open_database` alone (storage.db.database_for).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.procs import MARK, child_env

SHANGHAI = ZoneInfo("Asia/Shanghai")
PROCESSES = (2, 4, 8)
SEATS_LIMIT_PER_PERSON = 2  # LEGALAID_MAX_ACTIVE_BOOKINGS as shipped
WORKER_TIMEOUT = 120.0  # seconds for a worker to book its share and answer


def open_database(url: str):
    """The Database for a URL (sqlite:///PATH or postgresql://…) or a file path; not yet opened."""
    from storage.db import database_for

    return database_for(url if "://" in url else f"sqlite:///{url}")


def visit_day(now: datetime) -> date:
    return now.date() + timedelta(days=3)


async def book(url: str, first: int, count: int, seats: int, go: asyncio.Future | None = None) -> dict[str, Any]:
    """`count` people from number `first` book the same window at once; what each got."""
    from policy.eligibility import County
    from policy.slots import resident_reminder_at
    from storage.bookings import BookingDraft, BookingStore

    db = open_database(url)
    await db.open()
    try:
        store = BookingStore(db, SHANGHAI)
        now = datetime.now(SHANGHAI)
        visit = visit_day(now)
        reminders = {"resident": resident_reminder_at(visit, SHANGHAI)}

        async def one(i: int) -> str:
            draft = BookingDraft(
                channel="bench", user_id=f"user-{i}", county=County.KECHENG, visit_date=visit, window="am",
                elder_name=f"测试{i}", phone=f"138{i:08d}", phone_owner="self", township="府山街道",
                address="测试地址", matter="测试", consent_at=now,
            )
            result = await store.create(draft, seats, f"bench-{i}", now, reminders, limit=SEATS_LIMIT_PER_PERSON)
            return str(result.status)

        if go is not None:
            await go
        outcomes = await asyncio.gather(*(one(i) for i in range(first, first + count)), return_exceptions=True)
    finally:
        await db.close()
    errors = [repr(o) for o in outcomes if isinstance(o, BaseException)]
    return {
        "created": outcomes.count("created"),
        "full": outcomes.count("full"),
        "other": sum(1 for o in outcomes if isinstance(o, str) and o not in ("created", "full")),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


async def booked_in_database(url: str, seats: int) -> int:
    from policy.eligibility import County
    from storage.bookings import BookingStore

    db = open_database(url)
    await db.open()
    try:
        visit = visit_day(datetime.now(SHANGHAI))
        free = await BookingStore(db, SHANGHAI).availability(County.KECHENG, [visit], ["am"], seats)
        return seats - free[(visit, "am")]
    finally:
        await db.close()


async def worker(url: str, first: int, count: int, seats: int) -> None:
    """A worker process: open, say ready, wait for "go" on stdin, book, print the figures as JSON."""
    loop = asyncio.get_running_loop()
    go = loop.create_future()

    async def wait_go() -> None:
        await loop.run_in_executor(None, sys.stdin.readline)
        go.set_result(None)

    task = asyncio.create_task(book(url, first, count, seats, go))
    await asyncio.sleep(0.5)  # the connection is open by then
    print("ready", flush=True)
    await wait_go()
    print(json.dumps(await task), flush=True)


async def race(url: str, processes: int, people: int, seats: int) -> dict[str, Any]:
    """One race: a migrated database, `processes` workers released together, the outcome."""
    db = open_database(url)
    await db.open()  # migrations, before any worker
    await db.close()
    share = -(-people // processes)
    procs = []
    for p in range(processes):
        first, count = p * share, max(0, min(share, people - p * share))
        procs.append(await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.booking_race", "--worker", "--database", url,
            "--first", str(first), "--count", str(count), "--seats", str(seats),
            env=child_env(), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        ))
    for proc in procs:
        assert await proc.stdout.readline() == b"ready\n", "a worker did not start"
    started = time.perf_counter()
    for proc in procs:
        proc.stdin.write(b"go\n")
        await proc.stdin.drain()
    answers = [json.loads((await asyncio.wait_for(proc.communicate(), WORKER_TIMEOUT))[0]) for proc in procs]
    seconds = time.perf_counter() - started
    totals = {k: sum(a[k] for a in answers) for k in ("created", "full", "other", "errors")}
    first_error = next((a["first_error"] for a in answers if a["first_error"]), None)
    return {"processes": processes, **totals, "in_database": await booked_in_database(url, seats),
            "seconds": round(seconds, 3), "first_error": first_error}


async def races(counts: tuple[int, ...], people: int, seats: int, url: str | None) -> list[dict[str, Any]]:
    results = []
    for n in counts:
        if url is not None:
            results.append(await race(url, n, people, seats))
            continue
        with tempfile.TemporaryDirectory(prefix="bench-race-") as folder:
            results.append(await race(str(Path(folder) / "race.sqlite3"), n, people, seats))
    return results


def report(results: list[dict[str, Any]], people: int, seats: int, where: str) -> str:
    lines = [f"Booking race — {people} people, {seats} places, one window, on {where}; each process its own "
             "connection, all released at once (target: exactly the places booked, no errors)"]
    for r in results:
        ok = r["in_database"] == r["created"] == min(people, seats) and r["errors"] == 0 and r["other"] == 0
        lines.append(
            f"  {r['processes']} processes: {r['created']} booked ({r['in_database']} in the database), "
            f"{r['full']} told full, {r['errors']} errors, in {r['seconds']:.2f} s: {MARK[ok]}"
            + (f"; first error {r['first_error']}" if r["first_error"] else "")
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.booking_race", description=__doc__.splitlines()[0])
    parser.add_argument("--processes", default=",".join(map(str, PROCESSES)), help="comma-separated")
    parser.add_argument("--people", "--users", dest="people", type=int, default=200)
    parser.add_argument("--seats", type=int, default=10)
    parser.add_argument("--database", "--db", dest="database", help="path or URL of a database that does not exist yet (default: temporary)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        asyncio.run(worker(args.database, args.first, args.count, args.seats))
        return 0
    if args.database and Path(args.database.removeprefix("sqlite:///")).exists():
        parser.error(f"{args.database} exists; the race needs a fresh database (it must not write into real data)")
    counts = tuple(int(n) for n in args.processes.split(","))
    if args.database and len(counts) > 1:
        parser.error("one --processes count per --database (each race needs a fresh database)")
    results = asyncio.run(races(counts, args.people, args.seats, args.database))
    where = "a fresh SQLite file" if args.database is None else "the given database"
    print(json.dumps(results) if args.json else report(results, args.people, args.seats, where))
    ok = all(r["in_database"] == r["created"] == min(args.people, args.seats) and r["errors"] == 0 for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
