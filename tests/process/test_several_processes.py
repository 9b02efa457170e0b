"""Several bot processes on one PostgreSQL database (issue 16), with real processes:
a booking race split over two processes, one person's messages over two processes, and a courier
killed with SIGKILL in the middle of a delivery."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web

from common.messages import Notice, Reply
from storage.db import opened
from storage.outbox import Topic, outbox_key
from storage.store import Store

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
async def pg(postgres_server, tmp_path):
    url = await postgres_server.new_database()
    yield url
    await postgres_server.drop(url)


async def start(url: str, tmp_path: Path, *args: str) -> subprocess.Popen:
    """A worker, once it says it is ready (read in a thread: the test's own servers keep answering)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LEGALAID_"))}
    env.update(PYTHONPATH=str(ROOT), LEGALAID_DATABASE_URL=url, LEGALAID_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.Popen([sys.executable, "-m", "tests.process.pg_worker", *args], cwd=ROOT, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert await line_of(proc) == "ready"
    return proc


async def line_of(proc: subprocess.Popen) -> str:
    return (await asyncio.to_thread(proc.stdout.readline)).strip()


async def test_two_processes_racing_200_people_for_10_places_book_exactly_10(pg, tmp_path):
    workers = [await start(pg, tmp_path, "race", str(first), "100", "10") for first in (0, 100)]
    for proc in workers:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    tallies = [json.loads(await line_of(proc)) for proc in workers]
    for proc in workers:
        proc.wait(timeout=30)
    assert sum(t.get("created", 0) for t in tallies) == 10
    assert sum(t.get("full", 0) for t in tallies) == 190
    # Which process wins how many is up to the scheduler (on a loaded machine one may take all 10).
    async with opened(pg) as db:
        seats = [r["seat"] for r in await db.fetchall("SELECT seat FROM bookings WHERE status = 'active'")]
    assert sorted(seats) == list(range(1, 11))


async def test_one_persons_20_quick_messages_over_two_processes_are_handled_one_after_another_in_order(pg, tmp_path):
    log = tmp_path / "turns.log"
    workers = [await start(pg, tmp_path, "turns", name, str(log)) for name in ("A", "B")]
    try:
        for n in range(20):
            # Message n+1 goes to the other process as soon as message n has started there: it must wait.
            proc = workers[n % 2]
            proc.stdin.write(f"{n} elder-1 第{n}个问题：明天天气怎么样\n")
            proc.stdin.flush()
            while (line := await line_of(proc)).startswith("answered"):
                pass
            assert line == f"started {n}"
        for proc in workers:
            proc.stdin.write("\n")
            proc.stdin.flush()
            proc.wait(timeout=60)
    finally:
        for proc in workers:
            proc.kill()
    events = [line.split()[:2] for line in log.read_text().splitlines()]
    # One turn at a time, and in the order sent: start 0, end 0, start 1, end 1 …
    assert events == [[kind, str(n)] for n in range(20) for kind in ("start", "end")]
    async with opened(pg) as db:
        asked = [r["question"] for r in await db.fetchall("SELECT question FROM faq_misses ORDER BY id")]
    assert asked == [f"第{n}个问题：明天天气怎么样" for n in range(20)]


class Receiver:
    """A fake channel: a message counts as delivered when it has been answered 200."""

    def __init__(self) -> None:
        self.accepted: list[tuple[str, str]] = []
        self.by: dict[str, int] = {}
        self.hold_from: str | None = None  # this worker's next message is held and never answered
        self.holding = asyncio.Event()
        # Set once the sender is dead: the held request then ends (unanswered) rather than keep the
        # server's shutdown waiting for its grace period (a minute).
        self.released = asyncio.Event()

    async def post(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body["by"] == self.hold_from and self.by.get(body["by"], 0) >= 2:
            self.holding.set()
            await self.released.wait()  # the sender is killed while it waits here
            raise web.HTTPServiceUnavailable()
        self.by[body["by"]] = self.by.get(body["by"], 0) + 1
        self.accepted.append((body["user"], body["text"]))
        return web.json_response({"ok": True})


async def test_a_courier_killed_mid_delivery_loses_and_doubles_nothing(pg, tmp_path):
    messages = {f"u{p}": [f"给u{p}的第{i}条" for i in range(8)] for p in range(5)}
    async with opened(pg) as db:
        store = Store(db)
        for i in range(8):
            for user, texts in messages.items():
                await store.enqueue(Notice("fake", user, Reply(texts[i]), outbox_key(Topic.LATE_REPLY, user, i)), NOW)
    receiver = Receiver()
    receiver.hold_from = "A"
    app = web.Application()
    app.router.add_post("/send", receiver.post)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/send"
    a = await start(pg, tmp_path, "deliver", "A", url)
    b = await start(pg, tmp_path, "deliver", "B", url)
    for proc in (a, b):
        proc.stdin.write("go\n")
        proc.stdin.flush()
    try:
        await asyncio.wait_for(receiver.holding.wait(), 60)
        os.kill(a.pid, signal.SIGKILL)  # A has a message in flight, taken but not yet accepted
        a.wait(timeout=10)
        receiver.hold_from = None
        async with opened(pg) as db:
            for _ in range(600):
                if not await db.fetchval("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL"):
                    break
                await asyncio.sleep(0.1)
            assert await db.fetchval("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == 0
    finally:
        for proc in (a, b):
            proc.kill()
            proc.wait(timeout=10)
        receiver.released.set()
        await runner.cleanup()
    assert a.returncode == -signal.SIGKILL
    assert len(receiver.accepted) == 40 and len(set(receiver.accepted)) == 40  # all, once each
    for user, texts in messages.items():  # and each person's in the order queued
        assert [text for who, text in receiver.accepted if who == user] == texts
    assert receiver.by.get("A", 0) == 2 and receiver.by.get("B", 0) == 38


async def test_the_per_person_limit_counts_the_messages_every_process_handled(pg, tmp_path):
    from bot.runtime import Runtime
    from common.config import Settings
    from tests.auxil.chat import Chat

    settings = Settings(_env_file=None, LEGALAID_DATA_DIR=str(tmp_path / "data"), LEGALAID_DATABASE_URL=pg,
                        LEGALAID_RATE_LIMIT_PER_MINUTE=10)
    first, second = await Runtime.open(settings, lambda: NOW), await Runtime.open(settings, lambda: NOW)
    try:
        chats = [Chat(rt, channel="telegram", user_id="flooder") for rt in (first, second)]
        answered = []
        for n in range(14):  # alternately to each process, as a load balancer would
            await chats[n % 2].send("遗嘱公证要钱吗")
            answered.append(chats[n % 2].text)
        assert sum("遗嘱" in a for a in answered) == 10
        assert answered.count(first.services.texts("input.slow_down")) == 1
    finally:
        await first.close()
        await second.close()
