"""`kill -9` the real Telegram bot process at each step of a turn, then restart it: every reply is
delivered exactly once and no update is handled twice (issue 13, 7).

The moments are observed, not injected: the database held by this test (the turn cannot be saved),
the fake Bot API holding the sendMessage (saved, not yet delivered), or holding the next getUpdates
(delivered, the update not yet confirmed).
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import pytest

from tests.auxil.fake_bot_api import FakeBotApi
from tests.bot.test_sigterm import bot_log, bot_process

pytestmark = pytest.mark.timeout(300)
# Generous: a bot process may take many seconds to start on a busy machine.
START = 90
USER = 7302
ASKED = "请问是您本人问"  # the first question of 查资格 (elig.ask.who)


def replies_to_check(api: FakeBotApi) -> int:
    return sum(1 for m in api.sent(USER) if (m.text or "").startswith(ASKED))


def unsent_replies(workdir: Path) -> int:
    with sqlite3.connect(workdir / "data" / "legalaid.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM outbox WHERE reply_to IS NOT NULL").fetchone()[0]


async def kill(proc: asyncio.subprocess.Process) -> None:
    proc.send_signal(signal.SIGKILL)
    await proc.wait()


async def restart_and_settle(api: FakeBotApi, workdir: Path) -> None:
    """Start again, and wait until it answers something new (so anything it owed went first)."""
    async with bot_process(api, workdir):
        await api.wait_for(lambda: replies_to_check(api) >= 1, timeout=START,
                           description="the reply owed from before the crash")
        before = len(api.sent(USER))
        api.push_text(USER, "/start")
        await api.wait_for_messages(USER, before + 1, timeout=START)
        await asyncio.sleep(0.5)  # a second copy, if any, would come now


async def started(api: FakeBotApi, workdir: Path) -> None:
    """The bot answers, and its next long poll (confirming what it answered) is waiting."""
    await api.say(USER, "/start", timeout=START)
    last = api.pending_updates[-1]["update_id"] if api.pending_updates else 0
    await api.wait_for(lambda: any(int(c.get("offset", 0)) > last for c in api.calls_to("getUpdates")),
                       timeout=START, description="the poll after /start")
    await asyncio.sleep(0.2)


async def test_killed_before_the_turn_is_saved_the_update_comes_again_and_is_answered_once(tmp_path):
    async with FakeBotApi() as api:
        async with bot_process(api, tmp_path) as proc:
            await started(api, tmp_path)
            db = sqlite3.connect(tmp_path / "data" / "legalaid.sqlite3", isolation_level=None)
            db.execute("BEGIN IMMEDIATE")  # the bot can read but cannot save the turn
            polls = len(api.calls_to("getUpdates"))
            update_id = api.push_text(USER, "查资格")  # the waiting poll returns it at once
            await asyncio.sleep(1.0)
            assert len(api.calls_to("getUpdates")) == polls, "no next poll (confirming it) before its turn is saved"
            await kill(proc)
            db.execute("ROLLBACK")
            db.close()
        assert update_id in [u["update_id"] for u in api.pending_updates], "not confirmed before its turn was saved"
        assert replies_to_check(api) == 0
        await restart_and_settle(api, tmp_path)
        assert replies_to_check(api) == 1, bot_log(tmp_path)


async def test_killed_while_the_reply_is_on_its_way_it_is_sent_once_after_the_restart(tmp_path):
    async with FakeBotApi() as api:
        async with bot_process(api, tmp_path) as proc:
            await started(api, tmp_path)
            api.delay("sendMessage", 60)  # the turn is saved; its reply is held on the wire
            sends = len(api.calls_to("sendMessage"))
            api.push_text(USER, "查资格")
            await api.wait_for(lambda: len(api.calls_to("sendMessage")) > sends, timeout=30)
            await kill(proc)
        api.delay("sendMessage", 0)
        assert replies_to_check(api) == 0
        await restart_and_settle(api, tmp_path)
        assert replies_to_check(api) == 1, bot_log(tmp_path)


async def test_killed_after_the_reply_before_the_update_was_confirmed_it_is_not_handled_twice(tmp_path):
    async with FakeBotApi() as api:
        async with bot_process(api, tmp_path) as proc:
            await started(api, tmp_path)
            api.delay("getUpdates", 60)
            update_id = api.push_text(USER, "查资格")
            await api.wait_for(lambda: replies_to_check(api) == 1 and not unsent_replies(tmp_path), timeout=30)
            await kill(proc)  # delivered and marked so; the update not confirmed
        api.delay("getUpdates", 0)
        assert update_id in [u["update_id"] for u in api.pending_updates], "Telegram will deliver it again"
        await restart_and_settle(api, tmp_path)
        assert update_id not in [u["update_id"] for u in api.pending_updates]
        assert replies_to_check(api) == 1, bot_log(tmp_path)
        assert unsent_replies(tmp_path) == 0, "a delivered reply does not stay in the outbox"
