"""`make bench`: every benchmark in one run, one report, each figure beside its baseline and target.

    python -m bench [--quick]

--quick runs each of our benches in its smallest configuration (one run, 20 Telegram users,
small WeChat and race sizes); tests/bench/test_smoke.py runs it so the bench code cannot rot.
Its figures mean nothing. The matcher's and other modules' own benches are left out of --quick.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import importlib.util
import os
import platform
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from bench import booking_race, memory, profile, telegram_e2e, telegram_report, turn_cost, wechat_cost, wechat_e2e

# Other workers' benches, run when present (see run_optional).
OPTIONAL = ("voice", "web_bookings", "backends")


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()}; "
            f"load average at start {load}")


def section(title: str, produce: Callable[[], str]) -> None:
    started = time.perf_counter()
    text = produce()
    print(f"{text}\n  [{title}: {time.perf_counter() - started:.0f} s]\n", flush=True)


def run_optional(name: str) -> None:
    """bench/NAME.py, when it exists: its own command line with its defaults prints its report."""
    if importlib.util.find_spec(f"bench.{name}") is None:
        return
    started = time.perf_counter()
    importlib.import_module(f"bench.{name}").main([])
    print(f"  [{name}: {time.perf_counter() - started:.0f} s]\n", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smallest configuration of each bench (smoke test)")
    args = parser.parse_args(argv)
    quick = args.quick
    started = time.perf_counter()
    print(f"make bench — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {machine()}"
          + ("; --quick: smallest configuration, figures not meaningful" if quick else ""), flush=True)
    print(flush=True)
    if not quick:
        from bench import matcher

        section("matcher", lambda: matcher.report(matcher.run()))

    race_counts, people = ((2,), 40) if quick else (booking_race.PROCESSES, 200)
    section("booking race", lambda: booking_race.report(
        asyncio.run(booking_race.races(race_counts, people, 10, None)), people, 10, "a fresh SQLite file"))

    figures: dict[str, dict] = {}
    users = (20,) if quick else telegram_e2e.USERS

    def telegram() -> str:
        figures["telegram"] = asyncio.run(telegram_e2e.run(users, 1 if quick else 3, quick))
        return telegram_report.report(figures["telegram"])

    def wechat() -> str:
        figures["wechat"] = asyncio.run(wechat_e2e.run(*((1, 10, 2, 20) if quick else (3, 200, 5, 1000))))
        return wechat_e2e.report(figures["wechat"])

    section("telegram", telegram)
    section("wechat", wechat)

    asks = 1 if quick else 3
    section("memory and start", lambda: memory.report(figures["telegram"], figures["wechat"], memory.cold_ask(asks)))
    section("profile", lambda: profile.report(profile.run(20 if quick else 100, 2 if quick else 10)))
    section("turn cost", lambda: asyncio.run(turn_cost.measure(10 if quick else 100, 2 if quick else 11, 0)))
    section("wechat cost", lambda: asyncio.run(wechat_cost.measure(10 if quick else 200, 0, 0)))

    if not quick:
        for name in OPTIONAL:
            run_optional(name)
    print(f"make bench took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
