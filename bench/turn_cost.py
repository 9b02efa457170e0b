"""What one Telegram update costs inside the bot, without the transport: CPU and database trips.

    python -m bench.turn_cost [--users 50] [--turns 11] [--profile N]

In one process, on a fresh SQLite file: simulated people follow bench/telegram_load.py's SCRIPT
(menu labels, suggested questions, a typed question, the questionnaire's buttons), each update
handled as `legalaid telegram` handles it: `Runtime.handle`, then the turn's replies delivered by
`Courier.deliver_replies` to a sender that does nothing (the transport is the echo bot's share).
Trips are counted as tests/auxil/trips.py counts them; CPU is this process's time. The trip
counts do not depend on the machine's load; the CPU figures do, a little (caches, frequency).
--profile N prints cProfile's N most expensive functions by their own time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import random
import tempfile
import os
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from bench.telegram_load import PREFERRED_TAPS, SCRIPT, devset_questions

SORT = os.environ.get("TURN_COST_SORT", "tottime")
NOT_TAPPED = ("返回菜单", "上一步")


def thread_cpu() -> dict[str, float]:
    """CPU seconds so far of each of this process's threads, by name (Linux /proc; {} elsewhere)."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    out: Counter[str] = Counter()
    for task in Path("/proc/self/task").glob("*") if Path("/proc/self/task").exists() else ():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        name = names.get(int(task.name), "other")
        out["event loop" if name == "MainThread" else "aiosqlite" if name.startswith("Thread") else name] += (
            int(fields[11]) + int(fields[12])) / tick
    return dict(out)


class Person:
    def __init__(self, user_id: int, start: int, questions: list[str]):
        self.user_id = str(user_id)
        self.step = start
        self.questions = questions
        self.last = None

    def next_event(self, update_id: int, at: datetime):
        from handlers.events import Incoming, Kind

        kind, text = SCRIPT[self.step % len(SCRIPT)]
        self.step += 1
        common = dict(channel="telegram", user_id=self.user_id, at=at, ref=str(update_id), key=str(update_id))
        if kind == "faq":
            text = self.questions[(int(self.user_id) * 7 + self.step) % len(self.questions)]
        if kind == "tap":
            options = [o for r in (self.last.replies if self.last else ())[-3:] for o in r.options if not r.main_menu]
            if options:
                labels = [o.label for o in options]
                label = next((p for p in PREFERRED_TAPS if p in labels), None)
                label = label or next((lb for lb in labels if lb not in NOT_TAPPED), labels[0])
                payload = next(o.payload for o in options if o.label == label)
                return Incoming(kind=Kind.BUTTON, payload=payload, **common)
            text = "/start"
        return Incoming(kind=Kind.TEXT, text=text, **common)


async def measure(users: int, turns: int, top: int) -> str:
    from bot.channels.telegram import TELEGRAM
    from bot.runtime import Runtime
    from common.config import Settings
    from tests.auxil.trips import Trips

    with tempfile.TemporaryDirectory(prefix="bench-turn-cost-") as tmp:
        settings = Settings(_env_file=None, LEGALAID_DATA_DIR=str(Path(tmp) / "data"),
                            LEGALAID_RATE_LIMIT_PER_MINUTE=1_000_000, LEGALAID_DATABASE_URL=None)
        runtime = await Runtime.open(settings)
        try:
            sent = Counter()

            async def sender(user_id, reply):
                sent[user_id] += 1

            runtime.attach(TELEGRAM, sender)
            questions = devset_questions()
            offsets = random.Random(11)
            crowd = [Person(100_001 + i, offsets.randrange(len(SCRIPT)), questions) for i in range(users)]
            update = [1000]

            async def one(person: Person) -> None:
                update[0] += 1
                ev = person.next_event(update[0], datetime.now(timezone.utc))
                with runtime.courier.holding("telegram", person.user_id):
                    outcome = await runtime.handle(ev)

                    async def send(reply, user_id=person.user_id):
                        await sender(user_id, reply)

                    await runtime.courier.deliver_replies("telegram", person.user_id, outcome.replies,
                                                          outcome.queued, send)
                person.last = outcome

            for person in crowd:  # warm-up: every cache filled, every person known
                await one(person)
            trips = Trips(runtime.db)
            profiler = cProfile.Profile(time.thread_time) if top else None
            threads = thread_cpu()
            cpu, wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            for _ in range(turns):
                for person in crowd:
                    await one(person)
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            threads = {k: v - threads.get(k, 0.0) for k, v in thread_cpu().items()}
            calls, handoffs = list(trips.calls), trips.handoffs  # not the close's
        finally:
            await runtime.close()
    n = users * turns
    kinds = Counter(calls)
    lines = [f"Turn cost in process — {users} people × {turns} updates, SQLite, each update handled and its replies"
             f" delivered (to a sender that does nothing){' under cProfile' if top else ''}",
             f"  CPU ms per update      {cpu * 1000 / n:.2f}   (wall {wall * 1000 / n:.2f})",
             "  by thread              " + ", ".join(f"{k} {v * 1000 / n:.2f}" for k, v in sorted(threads.items())),
             f"  database calls/update  {len(calls) / n:.2f}   ("
             + ", ".join(f"{k} {v / n:.2f}" for k, v in sorted(kinds.items())) + ")",
             f"  thread hand-offs/update {handoffs / n:.2f}",
             f"  replies per update     {sum(sent.values()) / (n + users):.2f}"]
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(SORT).print_stats(top)  # the event loop's thread only
        lines.append(out.getvalue())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.turn_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--turns", type=int, default=len(SCRIPT))
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile's N costliest functions")
    args = parser.parse_args(argv)
    print(asyncio.run(measure(args.users, args.turns, args.profile)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
