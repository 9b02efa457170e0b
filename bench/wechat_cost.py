"""What one WeChat request costs the endpoint: CPU, database calls and commits, in process.

    python -m bench.wechat_cost [--people 200] [--burst 0] [--profile N]

The endpoint (`create_app`, settings as shipped) is served in this process on 127.0.0.1 against
tests/auxil/fake_wechat_api.py; a child process posts what bench/wechat_e2e.py posts (people × 5
messages, each after the last answer; then, with --burst, that many people at once), so this
process's CPU is the server's alone. One unrecorded round first (every cache filled). Commits are
counted where SQLite runs them (`storage/sqlite.py`'s `_transaction`: one BEGIN … COMMIT each);
database calls as tests/auxil/trips.py counts them. The counts do not depend on the machine's load;
the CPU figures do, a little.
--profile N prints cProfile's N costliest functions (the event loop's thread) by their own time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from aiohttp import web

from bench.procs import child_env
from bench.wechat_e2e import APP_ID, SECRET, TOKEN, free_port


async def load(url: str, people: int, burst: int) -> dict:
    """The child's side: posts as bench/wechat_e2e.py does, and says what came back."""
    import aiohttp

    from bench.wechat_e2e import Poster, at_once, sequential

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                     timeout=aiohttp.ClientTimeout(total=60)) as session:
        poster = Poster(session, url)
        poster.serial = iter(range(int(time.time() * 1000) % 10**9, 10**10))  # MsgIds of their own each round
        figures = {"sequential": await sequential(poster, people, 5)}
        if burst:
            figures["burst"] = await at_once(poster, burst)
    return figures


def count_commits(counts: Counter) -> None:
    from storage import sqlite

    original = sqlite._transaction

    def counted(conn, plan):
        counts["commits"] += 1
        return original(conn, plan)

    sqlite._transaction = counted


async def measure(people: int, burst: int, top: int) -> str:
    from bot.channels.wechat_endpoint import create_app
    from bot.channels.wechat_settings import WeChatSettings
    from bot.runtime import Runtime
    from common.config import Settings
    from tests.auxil.fake_wechat_api import FakeWeChatApi
    from tests.auxil.trips import Trips

    counts: Counter = Counter()
    count_commits(counts)
    port = free_port()
    url = f"http://127.0.0.1:{port}/wechat"
    with tempfile.TemporaryDirectory(prefix="bench-wechat-cost-") as tmp:
        async with FakeWeChatApi(app_id=APP_ID, secret=SECRET) as api:
            runtime = await Runtime.open(Settings(_env_file=None, LEGALAID_DATA_DIR=str(Path(tmp) / "data"),
                                                  LEGALAID_DATABASE_URL=None))
            settings = WeChatSettings(_env_file=None, WECHAT_TOKEN=TOKEN, WECHAT_APP_ID=APP_ID,
                                      WECHAT_APP_SECRET=SECRET, WECHAT_API_BASE_URL=api.base_url)
            runner = web.AppRunner(create_app(runtime, settings), access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            try:
                await client(url, people, 0, "warm")
                trips = Trips(runtime.db)
                counts.clear()
                profiler = cProfile.Profile(time.thread_time) if top else None
                cpu = time.process_time()
                if profiler:
                    profiler.enable()
                figures = await client(url, people, burst, "run")
                await asyncio.sleep(0.5)  # the last marks
                if profiler:
                    profiler.disable()
                cpu = time.process_time() - cpu
                calls = Counter(trips.calls)
            finally:
                await runner.cleanup()
                await runtime.close()
    n = sum(phase["requests"] for phase in figures.values())
    passive = sum(phase["passive"] for phase in figures.values())
    lines = [f"WeChat request cost in process — {people} people × 5 messages"
             + (f", then {burst:,} at once" if burst else "") + ", plain mode, SQLite"
             + (" under cProfile" if top else ""),
             f"  requests               {n} ({passive} answered passively)",
             f"  server CPU ms/request  {cpu * 1000 / n:.2f}",
             f"  database calls/request {sum(calls.values()) / n:.2f}   ("
             + ", ".join(f"{k} {v / n:.2f}" for k, v in sorted(calls.items())) + ")",
             f"  commits/request        {counts['commits'] / n:.2f}"]
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
        lines.append(out.getvalue())
    return "\n".join(lines)


async def client(url: str, people: int, burst: int, prefix: str) -> dict:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.wechat_cost", "--client", url, "--people", str(people), "--burst", str(burst),
        env=child_env(), stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"the load generator failed ({prefix})")
    return json.loads(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.wechat_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--burst", type=int, default=0, help="then this many people at once")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile's N costliest functions")
    parser.add_argument("--client", help=argparse.SUPPRESS)  # the child: post to this URL
    args = parser.parse_args(argv)
    if args.client:
        print(json.dumps(asyncio.run(load(args.client, args.people, args.burst)), default=str))
        return 0
    print(asyncio.run(measure(args.people, args.burst, args.profile)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
