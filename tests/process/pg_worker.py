"""A bot process on a shared PostgreSQL database, for tests/process/test_several_processes.py.

    python -m tests.process.pg_worker race FIRST COUNT SEATS   book for people FIRST.. at once, after "go" on stdin
    python -m tests.process.pg_worker turns NAME LOG           handle "SEQ USER TEXT" lines from stdin
    python -m tests.process.pg_worker deliver NAME RECEIVER    deliver the outbox to a fake channel, after "go"

The database is LEGALAID_DATABASE_URL. Each mode prints what it promised, one line at a time.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp

from bot.runtime import Runtime
from common.config import Settings
from common.messages import Reply
from handlers.events import ChannelInfo, Incoming
from policy.eligibility import County
from storage.bookings import BookingDraft, BookingStore
from storage.db import opened
from storage.store import Store

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
VISIT = date(2026, 11, 30)
CHANNEL = "fake"


async def race(first: int, count: int, seats: int) -> None:
    async with opened(os.environ["LEGALAID_DATABASE_URL"]) as db:
        store = BookingStore(db, SHANGHAI)
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)  # both processes start together

        async def one(i: int) -> str:
            draft = BookingDraft(CHANNEL, f"p{i}", County.KECHENG, VISIT, "am", f"老人{i}", f"138{i:08d}", "self",
                                 "府山街道", "某路1号", "赡养费", NOW)
            return (await store.create(draft, seats, f"k{i}", NOW, {})).status.value

        outcomes = await asyncio.gather(*(one(i) for i in range(first, first + count)))
        print(json.dumps({s: outcomes.count(s) for s in set(outcomes)}), flush=True)


async def turns(name: str, log_path: str) -> None:
    """Each turn writes "start SEQ" (loading the state) and "end SEQ" (saved) to LOG (appends are atomic),
    and dawdles in between,
    so that a turn of the same person in the other process would show up inside it."""
    settings = Settings(_env_file=None, LEGALAID_RATE_LIMIT_PER_MINUTE=10_000)
    runtime = await Runtime.open(settings, lambda: NOW)
    runtime.attach(ChannelInfo(CHANNEL, push=False))
    seq: contextvars.ContextVar[str] = contextvars.ContextVar("seq")
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    loading = Store.begin_turn

    async def load_slowly(self, channel: str, user_id: str, event: str = ""):
        os.write(log, f"start {seq.get()} {name}\n".encode())
        print(f"started {seq.get()}", flush=True)
        await asyncio.sleep(0.15)
        return await loading(self, channel, user_id, event)

    saving = Store.save_turn

    async def save_and_log(self, *args, **kwargs):  # the turn's last step, still inside the person's lock
        await saving(self, *args, **kwargs)
        os.write(log, f"end {seq.get()} {name}\n".encode())

    Store.begin_turn = load_slowly  # type: ignore[method-assign]
    Store.save_turn = save_and_log  # type: ignore[method-assign]

    async def handle(number: str, user: str, text: str) -> None:
        seq.set(number)
        outcome = await runtime.handle(Incoming(CHANNEL, user, NOW, text=text))
        print(f"answered {number} {len(outcome.replies)}", flush=True)

    print("ready", flush=True)
    tasks = []
    while line := (await asyncio.to_thread(sys.stdin.readline)).strip():
        tasks.append(asyncio.create_task(handle(*line.split(" ", 2))))
    await asyncio.gather(*tasks)
    await runtime.close()


async def deliver(name: str, receiver: str) -> None:
    settings = Settings(_env_file=None)
    runtime = await Runtime.open(settings)
    runtime.courier.lease = timedelta(seconds=2)  # a dead courier's message goes again soon
    async with aiohttp.ClientSession() as http:

        async def send(user_id: str, reply: Reply) -> None:
            async with http.post(receiver, json={"user": user_id, "text": reply.text, "by": name}) as response:
                response.raise_for_status()

        runtime.attach(ChannelInfo(CHANNEL, push=True), send)
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)  # both couriers start together
        while True:
            sent = await runtime.courier.deliver()
            if sent:
                print(f"sent {sent}", flush=True)
            await asyncio.sleep(0.1)


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    if mode == "race":
        asyncio.run(race(int(args[0]), int(args[1]), int(args[2])))
    elif mode == "turns":
        asyncio.run(turns(*args))
    else:
        asyncio.run(deliver(*args))
