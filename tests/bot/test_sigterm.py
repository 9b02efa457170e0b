"""The real `python -m bot.cli telegram` process against a fake Bot API: SIGTERM stops it cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.running_bot import TOKEN

pytestmark = pytest.mark.timeout(30)
REPO = Path(__file__).resolve().parents[2]
USER = 7301


@asynccontextmanager
async def bot_process(api: FakeBotApi, workdir: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bot.cli telegram` with its data in `workdir/data`, logging to `workdir/bot.log`.

    Run from `workdir` so that no developer's `.env` is read.
    """
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "PTB_TIMEDELTA": "1",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url.removesuffix("/bot"),
        "LEGALAID_DATA_DIR": str(workdir / "data"),
        "LEGALAID_LOG_LEVEL": "INFO",
    }
    for name in ("LEGALAID_FAQ_DIR", "LEGALAID_STAFF_IDS"):
        env.pop(name, None)
    with open(workdir / "bot.log", "wb") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "telegram",
            cwd=workdir, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log,
        )
        try:
            yield proc
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


def bot_log(workdir: Path) -> str:
    return (workdir / "bot.log").read_text(encoding="utf-8", errors="replace")


async def test_sigterm_finishes_the_turn_in_flight_and_closes_the_database(tmp_path):
    async with FakeBotApi() as api, bot_process(api, tmp_path) as proc:
        await api.say(USER, "/start", timeout=20)  # the bot is up and answering
        # A turn whose reply is still on its way when SIGTERM arrives …
        api.delay("sendMessage", 1.0)
        api.push_text(USER, "查资格")
        await api.wait_for(lambda: len(api.calls_to("sendMessage")) >= 2, timeout=10)
        proc.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(proc.wait(), timeout=8)
        except TimeoutError:
            pytest.fail("no exit within 8 s of SIGTERM\n" + bot_log(tmp_path))
        # … is finished before the process exits.
        assert [m.text for m in api.sent(USER)][-1].startswith("请问是您本人问")
    assert code == 0, bot_log(tmp_path)

    db = tmp_path / "data" / "legalaid.sqlite3"
    # The last connection closing checkpoints the WAL and removes it: nothing was left half-written.
    assert not Path(f"{db}-wal").exists(), "the database was not closed (WAL left behind)"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        saved = conn.execute(
            "SELECT state FROM conversations WHERE channel = 'telegram' AND user_id = ?", (str(USER),)
        ).fetchone()
    assert saved is not None and "elig" in saved[0]


async def test_sigterm_while_telegram_is_unreachable_at_start_up_still_exits_cleanly(tmp_path):
    async with FakeBotApi() as api:
        await api.stop_answering("refuse")
        async with bot_process(api, tmp_path) as proc:
            for _ in range(150):  # until start-up has failed once and is retrying, not exiting
                if "getMe failed" in bot_log(tmp_path) or proc.returncode is not None:
                    break
                await asyncio.sleep(0.1)
            assert proc.returncode is None and "getMe failed" in bot_log(tmp_path), bot_log(tmp_path)
            proc.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(proc.wait(), timeout=8)
        await api.resume()
    assert code == 0, bot_log(tmp_path)
