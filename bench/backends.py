"""SQLite and PostgreSQL side by side: the booking race and end-to-end message handling.

    python -m bench.backends [--people 50] [--messages 10] [--json]

PostgreSQL is a throwaway server started from the machine's binaries (/usr/lib/postgresql/*/bin, as
the tests do), or BENCH_POSTGRES_URL (a server whose user may create databases). Message handling
runs the real dialogue (`Runtime.handle`): `--people` people at once, each sending `--messages`
questions and menu taps one after another (closed loop). Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.runtime import Runtime
from common.config import Settings
from handlers.events import ChannelInfo, Incoming
from policy.eligibility import County
from storage.bookings import BookingDraft, BookingStore
from storage.db import opened

SHANGHAI = ZoneInfo("Asia/Shanghai")
SCRIPT = ["菜单", "80岁老人能免费打官司吗", "查资格", "菜单", "遗嘱公证要钱吗", "1", "儿子不给生活费怎么办", "菜单",
          "上门办理需要什么条件", "帮助"]


async def booking_race(url: str, users: int = 200, seats: int = 10) -> dict:
    async with opened(url) as db:
        store = BookingStore(db, SHANGHAI)
        now = datetime.now(SHANGHAI)
        visit: date = now.date() + timedelta(days=3)

        async def one(i: int) -> str:
            draft = BookingDraft("bench", f"u{i}", County.KECHENG, visit, "am", f"测试{i}", f"138{i:08d}", "self",
                                 "府山街道", "测试地址", "测试", now)
            return (await store.create(draft, seats, f"k{i}", now, {})).status.value

        started = time.perf_counter()
        outcomes = await asyncio.gather(*(one(i) for i in range(users)))
        seconds = time.perf_counter() - started
    return {"booked": outcomes.count("created"), "full": outcomes.count("full"), "seconds": round(seconds, 3)}


async def messages(url: str, data_dir: Path, people: int, per_person: int) -> dict:
    settings = Settings(_env_file=None, LEGALAID_DATA_DIR=str(data_dir), LEGALAID_RATE_LIMIT_PER_MINUTE=100_000,
                        LEGALAID_DATABASE_URL=None if url.startswith("sqlite") else url)
    runtime = await Runtime.open(settings)
    runtime.attach(ChannelInfo("bench", numbered=True, push=False))
    latencies: list[float] = []

    async def person(i: int) -> None:
        for n in range(per_person):
            started = time.perf_counter()
            await runtime.handle(Incoming("bench", f"p{i}", datetime.now(SHANGHAI), text=SCRIPT[n % len(SCRIPT)]))
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    try:
        await asyncio.gather(*(person(i) for i in range(people)))
    finally:
        await runtime.close()
    seconds = time.perf_counter() - started
    latencies.sort()
    return {"messages": len(latencies), "per_second": round(len(latencies) / seconds, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1)}


async def run(people: int, per_person: int) -> dict:
    from tests.auxil.postgres import PostgresServer, binaries

    figures: dict[str, dict] = {}
    server = None
    base = os.environ.get("BENCH_POSTGRES_URL")
    if base is None and binaries() is not None:
        server = PostgresServer(binaries())
        server.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            figures["sqlite"] = {
                "race": await booking_race(f"sqlite:///{root / 'race.sqlite3'}"),
                "messages": await messages(f"sqlite:///{root / 'data' / 'legalaid.sqlite3'}", root / "data",
                                           people, per_person),
            }
            if server is not None or base is not None:
                # A database of its own for each, on the throwaway server; the given one otherwise.
                race_url = await server.new_database() if server else base
                chat_url = await server.new_database() if server else base
                figures["postgresql"] = {
                    "race": await booking_race(race_url),
                    "messages": await messages(chat_url, root / "pg-data", people, per_person),
                }
    finally:
        if server is not None:
            server.stop()
    return figures


def report(figures: dict) -> str:
    lines = ["backends — booking race (200 people, 10 places) and message handling (closed loop):"]
    for name, f in figures.items():
        r, m = f["race"], f["messages"]
        lines.append(f"  {name:<10} race: {r['booked']} booked, {r['full']} full in {r['seconds']:.3f} s;"
                     f" messages: {m['messages']} at {m['per_second']}/s, p50 {m['p50_ms']} ms, p99 {m['p99_ms']} ms")
    if "postgresql" not in figures:
        lines.append("  postgresql: skipped (no /usr/lib/postgresql/*/bin and no BENCH_POSTGRES_URL)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.backends", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args.people, args.messages))
    print(json.dumps(figures) if args.json else report(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
