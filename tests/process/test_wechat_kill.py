"""`kill -9` the real `legalaid wechat` process at each step of a message, then restart it: WeChat's
retry of the same message is answered once, and every reply reaches the person exactly once,
passively or by customer-service message (issue 13, 7)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest

from bot.channels.wechat_protocol import parse_xml, sign
from tests.auxil.fake_wechat_api import FakeWeChatApi
from tests.bot.test_wechat import ACCOUNT, APP_ID, CUSTOM_SEND, SECRET, TOKEN

pytestmark = pytest.mark.timeout(300)
REPO = Path(__file__).resolve().parents[2]
USER = "oKilledProcess0000000000001"
QUESTION = "我爸八十二岁做遗嘱公证要钱吗"
ANSWERED = "80周岁及以上"
START = 90  # seconds: a process may start slowly on a busy machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@asynccontextmanager
async def wechat_process(api: FakeWeChatApi, workdir: Path, port: int, deadline: float = 4.0
                         ) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "LEGALAID_DATA_DIR": str(workdir / "data"),
           "LEGALAID_LOG_LEVEL": "INFO", "WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID,
           "WECHAT_APP_SECRET": SECRET, "WECHAT_API_BASE_URL": api.base_url,
           "WECHAT_DELIVER_EVERY_SECONDS": "0.2", "WECHAT_REPLY_DEADLINE_SECONDS": str(deadline)}
    for name in ("WECHAT_ENCODING_AES_KEY", "LEGALAID_FAQ_DIR", "LEGALAID_STAFF_IDS"):
        env.pop(name, None)
    with open(workdir / "wechat.log", "ab") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "wechat", "--listen", "127.0.0.1", "--port", str(port),
            cwd=workdir, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)
        try:
            await until_up(port, proc)
            yield proc
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


async def until_up(port: int, proc) -> None:
    ends = time.monotonic() + START
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < ends and proc.returncode is None:
            ts, nonce = str(int(time.time())), "up"
            try:
                async with session.get(f"http://127.0.0.1:{port}/wechat", params={
                        "timestamp": ts, "nonce": nonce, "signature": sign(TOKEN, ts, nonce), "echostr": "up"}) as r:
                    if await r.text() == "up":
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("the wechat process did not come up")


def message(msg_id: int, text: str = QUESTION) -> tuple[dict[str, str], bytes]:
    """WeChat's request: its query and body (a retry repeats both)."""
    ts, nonce = str(int(time.time())), f"n{msg_id}"
    xml = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{USER}]]></FromUserName>"
           f"<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{text}]]></Content>"
           f"<MsgId>{msg_id}</MsgId></xml>")
    return {"timestamp": ts, "nonce": nonce, "signature": sign(TOKEN, ts, nonce), "openid": USER}, xml.encode()


async def post(port: int, request: tuple[dict[str, str], bytes]) -> str:
    """The passive reply's text, or "success"."""
    query, body = request
    async with aiohttp.ClientSession() as session:
        async with session.post(f"http://127.0.0.1:{port}/wechat", params=query, data=body) as response:
            assert response.status == 200
            text = await response.text()
    return text if text == "success" else parse_xml(text)["Content"]


def answers(passive: list[str], api: FakeWeChatApi) -> int:
    return sum(ANSWERED in text for text in [*passive, *api.sent_to(USER)])


async def kill(proc) -> None:
    proc.send_signal(signal.SIGKILL)
    await proc.wait()


async def test_killed_before_the_turn_is_saved_wechats_retry_is_answered_once(tmp_path):
    port, request = free_port(), message(5001)
    async with FakeWeChatApi(APP_ID, SECRET) as api:
        async with wechat_process(api, tmp_path, port, deadline=1.0) as proc:
            db = sqlite3.connect(tmp_path / "data" / "legalaid.sqlite3", isolation_level=None)
            db.execute("BEGIN IMMEDIATE")  # neither the turn nor the message can be kept yet
            first = asyncio.ensure_future(post(port, request))
            await asyncio.sleep(2.0)
            assert not first.done(), "no answer (not even success) before the message is kept"
            await kill(proc)
            db.execute("ROLLBACK")
            db.close()
        with pytest.raises(aiohttp.ClientError):
            await first
        async with wechat_process(api, tmp_path, port):
            retried = await post(port, request)  # WeChat retries what got no answer
            if retried == "success":
                await api.wait_for_messages(USER, 1, timeout=30)
            await asyncio.sleep(1.0)
        assert answers([retried], api) == 1


async def test_killed_after_success_before_the_reply_was_pushed_it_is_pushed_once(tmp_path):
    port, request = free_port(), message(5002)
    async with FakeWeChatApi(APP_ID, SECRET) as api:
        async with wechat_process(api, tmp_path, port, deadline=0.01) as proc:
            api.fail_next(CUSTOM_SEND, 45047)  # the first push is refused: it waits for its retry
            assert await post(port, request) == "success"
            ends = time.monotonic() + 30
            while not any(call.path == CUSTOM_SEND for call in api.calls):
                assert time.monotonic() < ends
                await asyncio.sleep(0.05)
            await kill(proc)
        assert api.sent_to(USER) == []
        async with wechat_process(api, tmp_path, port):
            assert await post(port, request) == "success"  # a late retry is not a second turn
            await api.wait_for_messages(USER, 1, timeout=30)
            await asyncio.sleep(1.0)
        assert answers([], api) == 1


async def test_killed_after_a_passive_reply_wechats_retry_is_not_answered_again(tmp_path):
    port, request = free_port(), message(5003)
    async with FakeWeChatApi(APP_ID, SECRET) as api:
        async with wechat_process(api, tmp_path, port) as proc:
            passive = await post(port, request)
            assert ANSWERED in passive
            with sqlite3.connect(tmp_path / "data" / "legalaid.sqlite3") as db:
                ends = time.monotonic() + 30
                while db.execute("SELECT COUNT(*) FROM outbox WHERE reply_to IS NOT NULL").fetchone()[0]:
                    assert time.monotonic() < ends
                    await asyncio.sleep(0.05)
            await kill(proc)
        async with wechat_process(api, tmp_path, port):
            assert await post(port, request) == "success"
            await asyncio.sleep(1.0)
        assert answers([passive], api) == 1
