"""Telegram end to end: ours against an echo bot on the same transport and concurrency.

    python -m bench.telegram_e2e [--quick] [--runs 3] [--users 100,500,1000] [--json]

Each bot runs in its own process and long-polls a fake Bot API (tests/auxil/fake_bot_api.py)
served on 127.0.0.1 by this process; simulated users (bench/telegram_load.py) each wait for
the end of a turn before the next message. The baseline is an echo bot built with the same
ApplicationBuilder settings as ours (bench/telegram_bots.py): the handler is the one difference.

Two configurations, both reported:
  shipped  Telegram's flood limit (30 messages/s across all chats, enforced by our rate limiter
           as it would be by Telegram) and LEGALAID_RATE_LIMIT_PER_MINUTE as shipped (20); ours
           is `legalaid telegram` itself. The 30 msg/s limit sets the pace, so latency grows as
           users ÷ 30 s whatever the bot costs. The two bots run side by side here (the limit,
           not the CPU, sets the pace), one run each.
  lifted   no flood limit, LEGALAID_RATE_LIMIT_PER_MINUTE=1,000,000: what each bot costs. Bots one
           at a time, --runs runs each.
Per run: a fresh process, a warm-up (see `scenario`), then the recorded rounds. Both bots get
the same updates: where ours had no button to press, the echo bot's person sends /start too.
Bot CPU per update is utime+stime of the bot process (/proc/PID/stat) over the recorded rounds;
RSS is the bot's VmRSS when idle before the first update and after the run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import tempfile
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from bench import telegram_report
from bench.procs import child_env, cpu_seconds, legalaid_command, rss_mb
from bench.telegram_bots import TOKEN
from bench.telegram_load import Taps, closed_loop, people, timed_fake

USERS = (100, 500, 1000)
SHIPPED_RATE = 30.0  # Telegram's flood limit, messages per second
START_TIMEOUT = 90.0
Sampler = Callable[[int], AbstractAsyncContextManager[object]]


def rounds(config: str, users: int, quick: bool) -> int:
    """Recorded turns per person: at least two, 500-2,000 updates a run lifted; shipped, ~users ÷ 30 s a round."""
    if quick:
        return 2
    if config == "shipped":
        return 2 if users <= 100 else 1
    return max(2, 500 // users)


def replies(api) -> int:
    """Bot API calls so far other than getUpdates (whose number depends on how updates were batched)."""
    return sum(n for method, n in api.request_counts.items() if method != "getUpdates")


class BotProcess:
    """One bot in its own process, stopped with SIGTERM."""

    def __init__(self, kind: str, config: str, api_root: str, data_dir: Path):
        self.kind, self.config, self.api_root, self.data_dir = kind, config, api_root, data_dir
        self.proc: asyncio.subprocess.Process | None = None

    def command(self) -> list[str]:
        lifted = ["--lifted"] if self.config == "lifted" else []
        if self.kind == "echo":
            return [sys.executable, "-m", "bench.telegram_bots", "echo", "--api-root", self.api_root, *lifted]
        if self.config == "shipped":
            return [*legalaid_command(), "telegram"]
        return [sys.executable, "-m", "bench.telegram_bots", "ours", *lifted]

    def env(self) -> dict[str, str]:
        extra = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": self.api_root,
                 "LEGALAID_DATA_DIR": str(self.data_dir / "data")}
        if self.config == "lifted":
            extra["LEGALAID_RATE_LIMIT_PER_MINUTE"] = "1000000"
        return child_env(**extra)

    async def __aenter__(self) -> BotProcess:
        self.data_dir.mkdir(parents=True)
        self._log = open(self.data_dir / "bot.log", "wb")
        self.proc = await asyncio.create_subprocess_exec(
            *self.command(), cwd=self.data_dir, env=self.env(),
            stdin=asyncio.subprocess.DEVNULL, stdout=self._log, stderr=self._log,
        )
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def log_tail(self) -> str:
        return (self.data_dir / "bot.log").read_text(errors="replace")[-2000:]

    async def wait_polling(self, api) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT
        while api.request_counts["getUpdates"] == 0:
            if self.proc.returncode is not None or loop.time() > deadline:
                raise RuntimeError(f"{self.kind} ({self.config}) did not start polling:\n{self.log_tail()}")
            await asyncio.sleep(0.05)

    async def __aexit__(self, *exc: object) -> None:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        self._log.close()


async def scenario(kind: str, config: str, users: int, turns: int, workdir: Path,
                   taps: Taps | None = None, sampler: Sampler | None = None) -> dict[str, Any]:
    """One bot process against a fresh fake: idle RSS, warm-up, the recorded rounds.

    Lifted, every person takes one unrecorded turn first (a first contact costs more); shipped,
    one person does (a warm-up round would take users ÷ 30 s), so shipped figures include each
    person's first contact. `taps`: see telegram_load.people (ours fills it, echo follows it).
    `sampler(pid)`, when given, is entered around the recorded rounds (bench/profile.py).
    """
    timeout = 10.0 + users / 10  # shipped: a turn waits about users ÷ 30 s for its place
    async with timed_fake() as api:
        root = api.base_url.removesuffix("/bot")
        async with BotProcess(kind, config, root, workdir / f"{kind}-{config}-{users}") as bot:
            await bot.wait_polling(api)
            await asyncio.sleep(1.0)
            idle_rss = rss_mb(bot.pid)
            crowd = people(api, users, kind == "echo", {} if taps is None else taps)
            await closed_loop(crowd if config == "lifted" else crowd[:1], 1, timeout, record=False)
            cpu, calls = cpu_seconds(bot.pid), replies(api)
            driver_cpu = cpu_seconds(os.getpid())
            async with sampler(bot.pid) if sampler else contextlib.nullcontext():
                stats = await closed_loop(crowd, turns, timeout)
            stats.bot_cpu_s = cpu_seconds(bot.pid) - cpu
            stats.api_calls = replies(api) - calls
            # Share of one core the load generator (fake API + simulated users) used: near 100 %, it is the limit.
            driver = (cpu_seconds(os.getpid()) - driver_cpu) / stats.seconds * 100
            result = {**stats.summary(), "idle_rss_mb": idle_rss, "rss_mb": rss_mb(bot.pid),
                      "driver_cpu_pct": round(driver)}
            if stats.stalls:
                result["log_tail"] = bot.log_tail()
    return result


async def run(users: tuple[int, ...], runs: int, quick: bool, shipped: bool = True) -> dict[str, Any]:
    """{config: {users: {kind: [one result per run]}}}."""
    figures: dict[str, Any] = {"lifted": {}, "shipped": {}, "runs": runs}
    with tempfile.TemporaryDirectory(prefix="bench-telegram-") as tmp:
        work = Path(tmp)
        taps: dict[int, Taps] = {n: {} for n in users}  # ours runs first and fills them
        for n in users:
            by_kind: dict[str, list[dict[str, Any]]] = {"echo": [], "ours": []}
            for i in range(runs):
                for kind in ("ours", "echo"):
                    result = await scenario(kind, "lifted", n, rounds("lifted", n, quick), work / f"l{i}", taps[n])
                    by_kind[kind].append(result)
            figures["lifted"][n] = by_kind
        for n in users if shipped else ():
            turns = rounds("shipped", n, quick)
            echo, ours = await asyncio.gather(
                scenario("echo", "shipped", n, turns, work / "s", dict(taps[n])),
                scenario("ours", "shipped", n, turns, work / "s", {}),
            )
            figures["shipped"][n] = {"echo": [echo], "ours": [ours]}
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.telegram_e2e", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run, 100 users, two turns each (the smoke test)")
    parser.add_argument("--runs", type=int, default=3, help="runs per bot with limits lifted")
    parser.add_argument("--users", default=",".join(map(str, USERS)), help="comma-separated numbers of users")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--lifted-only", action="store_true", help="skip the as-shipped runs (paced by the flood limit)")
    args = parser.parse_args(argv)
    users = (100,) if args.quick else tuple(int(u) for u in args.users.split(","))
    figures = asyncio.run(run(users, 1 if args.quick else args.runs, args.quick, shipped=not args.lifted_only))
    print(json.dumps(figures, ensure_ascii=False) if args.json else telegram_report.report(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
