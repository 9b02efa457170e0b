"""Webhook mode: only requests with the secret token are handled, each update once."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from pydantic import SecretStr

from bot.channels.telegram import build_application
from bot.channels.telegram_order import ALLOWED_UPDATES
from bot.channels.telegram_run import running
from bot.channels.telegram_webhook import (
    SECRET_ENV,
    SECRET_HEADER,
    RecentUpdateIds,
    Throttled,
    WebhookConfigError,
    WebhookServer,
    run_webhook,
    serve_webhook,
)
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.running_bot import telegram_settings

pytestmark = pytest.mark.timeout(30)
SECRET = "s3cret-Token_for-the-webhook"
PUBLIC_URL = "https://bot.example.org/tg/hook"
USER = 7201
FEE_QUESTION = "我爸八十二岁了，做遗嘱公证要钱吗"


@pytest.fixture
async def api():
    async with FakeBotApi() as fake:
        yield fake


@asynccontextmanager
async def webhook_bot(settings, api: FakeBotApi, clock) -> AsyncIterator[str]:
    """The bot started as in webhook mode, on a free loopback port; yields the local endpoint."""
    app = build_application(telegram_settings(settings, api), clock)
    served: list[WebhookServer] = []

    @asynccontextmanager
    async def receiving(app):
        async with serve_webhook(app, url=PUBLIC_URL, listen="127.0.0.1", port=0, secret=SECRET) as server:
            served.append(server)
            yield

    async with running(app, receiving):
        yield f"http://127.0.0.1:{served[0].port}{served[0].path}"


def text_update(update_id: int, text: str, user: int = USER) -> dict:
    person = {"id": user, "is_bot": False, "first_name": "测试"}
    chat = {"id": user, "type": "private", "first_name": "测试"}
    message = {"message_id": update_id, "from": person, "chat": chat, "date": int(time.time()), "text": text}
    return {"update_id": update_id, "message": message}


async def post(endpoint: str, update: dict, secret: str | None = SECRET) -> int:
    headers = {} if secret is None else {SECRET_HEADER: secret}
    async with aiohttp.ClientSession() as session:
        async with session.post(endpoint, json=update, headers=headers) as response:
            return response.status


@pytest.mark.parametrize(
    "secret",
    [None, "", "wrong", SECRET[:-1], SECRET + "x", SECRET.upper(), "s3crét-Token_for-the-webhook"],
    ids=["missing", "empty", "wrong", "prefix", "longer", "case", "non-ascii"],
)
async def test_a_request_without_the_right_secret_is_refused_and_not_handled(api, settings, clock, secret):
    async with webhook_bot(settings, api, clock) as endpoint:
        assert await post(endpoint, text_update(500, "/start"), secret=secret) == 403
        # A genuine update afterwards is the only one answered.
        assert await post(endpoint, text_update(501, FEE_QUESTION)) == 200
        await api.wait_for_messages(USER, 1)
    assert [m.text for m in api.sent(USER)] == [api.sent(USER)[0].text]
    assert "80周岁及以上" in api.sent(USER)[0].text


async def test_the_right_secret_gets_the_update_handled(api, settings, clock):
    async with webhook_bot(settings, api, clock) as endpoint:
        assert await post(endpoint, text_update(600, FEE_QUESTION)) == 200
        [reply] = await api.wait_for_messages(USER, 1)
    assert "衢市司发〔2020〕3号" in reply.text


async def test_setwebhook_gets_the_public_url_the_secret_and_the_update_types(api, settings, clock):
    async with webhook_bot(settings, api, clock):
        [call] = api.calls_to("setWebhook")
    assert call["url"] == PUBLIC_URL
    assert call["secret_token"] == SECRET
    assert call["allowed_updates"] == list(ALLOWED_UPDATES)


async def test_an_update_sent_twice_is_handled_once(api, settings, clock):
    async with webhook_bot(settings, api, clock) as endpoint:
        assert await post(endpoint, text_update(700, "/start")) == 200
        assert await post(endpoint, text_update(700, "/start")) == 200  # Telegram's re-send
        assert await post(endpoint, text_update(701, FEE_QUESTION)) == 200
        # One person's updates are answered in order, so a second /start would come before this.
        await api.wait_for(lambda: any("80周岁及以上" in (m.text or "") for m in api.sent(USER)))
    assert len(api.sent(USER)) == 2


async def test_an_unreadable_body_is_a_400(api, settings, clock):
    async with webhook_bot(settings, api, clock) as endpoint:
        async with aiohttp.ClientSession() as session:
            async with session.post(endpoint, data=b"{not json", headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 400


def test_recent_update_ids_are_bounded():
    recent = RecentUpdateIds(capacity=3)
    assert [recent.first_time(i) for i in (1, 2, 3, 1)] == [True, True, True, False]
    recent.first_time(4)  # 1 is forgotten
    assert recent.first_time(1) is True
    assert recent.first_time(4) is False


@pytest.mark.parametrize("value", [None, "", "short", "has space in it 1234", "ünïcode-secret-123456"])
def test_webhook_mode_refuses_to_start_without_a_usable_secret(settings, value):
    configured = settings.model_copy(update={"webhook_secret": SecretStr(value) if value is not None else None})
    with pytest.raises(WebhookConfigError, match=SECRET_ENV):
        run_webhook(configured, PUBLIC_URL, "127.0.0.1", 8443)


def test_webhook_mode_refuses_a_plain_http_url(settings):
    configured = settings.model_copy(update={"webhook_secret": SecretStr(SECRET)})
    with pytest.raises(WebhookConfigError, match="https"):
        run_webhook(configured, "http://bot.example.org/tg/hook", "127.0.0.1", 8443)



async def test_deeply_nested_json_is_a_bad_request_not_a_server_error(api, settings, clock):
    async with webhook_bot(settings, api, clock) as endpoint:
        nested = "[" * 100_000 + "]" * 100_000
        async with aiohttp.ClientSession() as session:
            async with session.post(endpoint, data=nested, headers={SECRET_HEADER: SECRET,
                                                                     "Content-Type": "application/json"}) as response:
                assert response.status == 400
        assert await post(endpoint, text_update(601, FEE_QUESTION)) == 200  # and the bot carries on


def test_refused_requests_are_logged_at_most_once_a_minute_with_a_count(caplog):
    now = [0.0]
    throttled = Throttled(every=60, clock=lambda: now[0])
    with caplog.at_level("WARNING"):
        for _ in range(500):
            throttled.warn("webhook: refused a request from %s", "203.0.113.9")
            now[0] += 0.1  # 500 forged requests in 50 seconds
        now[0] = 61.0
        throttled.warn("webhook: refused a request from %s", "203.0.113.9")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2 and "499 more" in lines[1]


async def test_200_only_once_the_turn_is_saved_and_a_re_send_after_a_restart_is_not_handled_again(
        api, settings, clock):
    """Issue 13, 7: the webhook used to answer 200 before the update was handled."""
    async with webhook_bot(settings, api, clock) as endpoint:
        # Waits, on a thread, for the bot's own start-up writes (its first scheduler tick) before
        # holding the lock: waiting on the event loop's thread would stop those writes from finishing.
        db = sqlite3.connect(settings.db_path, isolation_level=None, timeout=30, check_same_thread=False)
        await asyncio.to_thread(db.execute, "BEGIN IMMEDIATE")  # the turn cannot be saved yet
        answered = asyncio.ensure_future(post(endpoint, text_update(800, FEE_QUESTION)))
        await api.wait_for(lambda: api.calls_to("getMe"), timeout=1)
        await asyncio.sleep(0.5)
        assert not answered.done(), "no 200 while the turn is not saved"
        db.execute("ROLLBACK")
        db.close()
        assert await answered == 200
        await api.wait_for_messages(USER, 1)
    async with webhook_bot(settings, api, clock) as endpoint:  # a new process over the same database
        assert await post(endpoint, text_update(800, FEE_QUESTION)) == 200  # Telegram re-sends it
        assert await post(endpoint, text_update(801, "/start")) == 200
        await api.wait_for_messages(USER, 2)
    assert [("80周岁及以上" in (m.text or "")) for m in api.sent(USER)] == [True, False]
