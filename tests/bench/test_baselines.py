"""The benches' baselines differ from ours in one thing only: the handler."""

from __future__ import annotations

import inspect

import pytest

from bench import telegram_bots, wechat_bare
from bench.profile import shares
from bot.channels import telegram, telegram_run, wechat_endpoint
from common.config import Settings

API_ROOT = "http://127.0.0.1:9"


def builder_settings(app) -> dict:
    """What ApplicationBuilder was given, as far as it decides speed and concurrency."""
    limiter = app.bot.rate_limiter
    processor = app.update_processor
    return {
        "rate_limiter": type(limiter).__name__,
        "flood_limit": limiter._base_limiter.max_rate if limiter._base_limiter else None,
        "retries": limiter._max_retries,
        "processor": type(processor).__name__,
        "backlog": processor.max_concurrent_updates,
        "chats_at_once": processor._active._value,
        # transport, connection limit, the four timeouts and the upload write timeout
        "requests": [(type(r).__name__, r._pool_size, r._timeouts, r._media_write_timeout) for r in app.bot._request],
        "base_url": app.bot.base_url.removesuffix(app.bot.token),
    }


@pytest.mark.parametrize("lifted", [False, True])
def test_the_echo_bot_is_built_with_our_application_builder_settings(lifted):
    settings = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=telegram_bots.TOKEN, TELEGRAM_API_BASE_URL=API_ROOT)
    flood_limit = None if lifted else telegram.telegram_requests.FLOOD_LIMIT_PER_SECOND
    ours = builder_settings(telegram.build_application(settings, flood_limit=flood_limit))
    echo = builder_settings(telegram_bots.echo_application(API_ROOT, lifted))
    assert echo == ours
    assert ours["flood_limit"] == (None if lifted else 30)


def test_the_echo_bot_polls_as_ours_does():
    defaults = inspect.signature(telegram_run.polling).parameters
    assert telegram_bots.POLL_INTERVAL == defaults["poll_interval"].default
    assert telegram_bots.POLL_TIMEOUT == defaults["timeout"].default


def test_the_bare_wechat_handler_serves_the_same_path_and_body_limit():
    assert wechat_bare.PATH == wechat_endpoint.PATH
    assert wechat_bare.MAX_BODY_BYTES == wechat_endpoint.MAX_BODY_BYTES


async def test_the_keeping_baseline_checks_the_signature_and_keeps_each_message_once(tmp_path):
    import sqlite3

    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from bot.channels.wechat_protocol import sign

    app = web.Application()
    app.router.add_post(wechat_bare.PATH, wechat_bare.keeping(str(tmp_path / "keep.sqlite3"), "tok"))
    body = ("<xml><FromUserName><![CDATA[oUser]]></FromUserName><MsgType><![CDATA[text]]></MsgType>"
            "<Content><![CDATA[你好]]></Content><MsgId>42</MsgId></xml>")
    signed = {"timestamp": "1", "nonce": "n", "signature": sign("tok", "1", "n")}
    async with TestClient(TestServer(app)) as client:
        assert (await client.post(wechat_bare.PATH, params={**signed, "signature": "0" * 40}, data=body)).status == 403
        for _ in range(2):  # WeChat's retry of the same message
            response = await client.post(wechat_bare.PATH, params=signed, data=body)
            assert response.status == 200 and await response.text() == wechat_bare.FIXED
    with sqlite3.connect(tmp_path / "keep.sqlite3") as conn:
        assert conn.execute("SELECT event_key, sender FROM inbox").fetchall() == [("oUser:42", "oUser")]


def test_profile_shares_count_a_sample_once_per_group_over_all_samples():
    raw = "\n".join([
        "thread (1): MainThread;run (bot/runtime.py:73);handle (handlers/dialogue.py:126) 6",
        "thread (1): MainThread;BaseSelectorEventLoop._read_from_self (asyncio/selector_events.py:119) 1",
        "thread (2): Thread-1 (_connection_worker_thread);_connection_worker_thread (aiosqlite/core.py:59) 3",
    ])
    total, by_group = shares(raw)
    assert total == 10
    assert by_group["aiosqlite thread"] == pytest.approx(0.3)
    assert by_group["event-loop wake-ups (_write_to_self/_read_from_self)"] == pytest.approx(0.1)
    assert by_group["dialogue: handlers/"] == pytest.approx(0.6)
