"""How long the console takes to serve a page of 1,000 bookings (target: under 200 ms).

    python -m bench.web_bookings [--bookings 1000] [--runs 20]

1,000 visits over two weeks in six counties, a signed-in staff member, and GET /bookings for
the whole range over HTTP on loopback: the query, the free-places grid and the template.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp.test_utils import TestClient, TestServer

from bot.web.app import create_app
from common.config import Settings
from policy.county_status import County
from services import accounts
from services.actor import Actor
from services.context import Services
from storage.bookings import BookingDraft
from storage.sqlite import SQLiteDatabase
from storage.users import WebRole

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZONE)
FIRST_DAY = date(2026, 11, 24)
PASSWORD = "bench-password"


async def fill(services: Services, count: int) -> None:
    counties = list(County)
    for n in range(count):
        day = FIRST_DAY + timedelta(days=n % 14)
        draft = BookingDraft("console", f"elder-{n}", counties[n % len(counties)], day, ("am", "pm")[n % 2],
                             "张桂英", f"138{n:08d}", "self", "石梁镇", "某某村12号", "想立遗嘱", NOW)
        await services.bookings.create(draft, count, f"bench-{n}", NOW, {})


async def measure(folder: Path, count: int, runs: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds per request: on a shared machine the CPU time is the steadier figure."""
    settings = Settings(_env_file=None, LEGALAID_DATA_DIR=str(folder))
    db = SQLiteDatabase(settings.db_path)
    await db.open()
    services = Services.over(db, settings, clock=lambda: NOW)
    await fill(services, count)
    await accounts.add_user(services, Actor.staff("bench"), "admin", WebRole.STAFF, None, PASSWORD, NOW)
    client = TestClient(TestServer(create_app(services)))
    await client.start_server()
    try:
        page = await (await client.get("/login")).text()
        token = re.search(r'name="csrf" value="([^"]*)"', page).group(1)
        await client.post("/login", data={"csrf": token, "name": "admin", "password": PASSWORD})
        last = FIRST_DAY + timedelta(days=13)
        url = f"/bookings?from={FIRST_DAY}&to={last}"
        timings = []
        for _ in range(runs):
            started, cpu = time.perf_counter(), time.process_time()
            response = await client.get(url)
            body = await response.text()
            timings.append((time.perf_counter() - started, time.process_time() - cpu))
            assert response.status == 200 and body.count('href="/bookings/SM-') == count, "not the whole page"
        return timings
    finally:
        await client.close()
        await db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        timings = asyncio.run(measure(Path(folder), args.bookings, args.runs))
    wall = sorted(w * 1000 for w, _ in timings)
    cpu = statistics.median(c * 1000 for _, c in timings)
    print(f"web console — GET /bookings with {args.bookings} bookings, {args.runs} runs: median"
          f" {statistics.median(wall):.0f} ms (fastest {wall[0]:.0f}, slowest {wall[-1]:.0f}),"
          f" CPU {cpu:.0f} ms per page (target: < 200 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
