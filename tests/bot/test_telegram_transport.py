"""The aiohttp transport's own choices: proxies from the environment (Telegram is reached only
through one from mainland China) and PTB's errors for transport failures."""

from __future__ import annotations

import socket

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.channels import telegram_requests
from bot.usage import UsageError
from tests.auxil.fake_bot_api import FakeBotApi

TOKEN = "123456:TRANSPORT-TEST"
USER = 4242
# A host that resolves nowhere (RFC 2606): only a proxy can reach it.
UNREACHABLE_API = "http://api.telegram.test"


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bot(base: str) -> Bot:
    requests, updates = telegram_requests.bot_api_requests()
    return Bot(TOKEN, base_url=f"{base}/bot", request=requests, get_updates_request=updates)


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
async def test_the_bot_api_is_reached_through_the_proxy_the_environment_names(monkeypatch, variable):
    async with FakeBotApi() as api:
        # The fake answers a proxy's absolute-form request as if it were the Bot API behind it.
        monkeypatch.setenv(variable, f"http://127.0.0.1:{api.port}")
        async with bot(UNREACHABLE_API) as through_proxy:
            await through_proxy.send_message(USER, "经代理发送")
        assert [m.text for m in api.sent(USER)] == ["经代理发送"]


async def test_no_proxy_hosts_are_reached_directly(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")  # a proxy that is down
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with FakeBotApi() as api, bot(api.base_url.removesuffix("/bot")) as direct:
        await direct.send_message(USER, "直连")
        assert [m.text for m in api.sent(USER)] == ["直连"]


def test_a_socks_proxy_is_refused_at_start_up_in_one_line(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "socks5://127.0.0.1:1080")
    with pytest.raises(UsageError, match=r"HTTPS_PROXY: only http:// and https:// proxies .* not socks5://"):
        telegram_requests.bot_api_requests()


async def test_a_refused_connection_is_a_network_error_without_the_token():
    with pytest.raises(NetworkError) as raised:
        async with bot(f"http://127.0.0.1:{closed_port()}"):  # its getMe is refused
            pass
    assert not isinstance(raised.value, TimedOut)
    assert TOKEN not in str(raised.value) and TOKEN.split(":")[1] not in repr(raised.value.__cause__)


async def test_an_unanswered_call_times_out_as_ptb_s_timed_out(monkeypatch):
    monkeypatch.setattr(telegram_requests, "READ_TIMEOUT_SECONDS", 0.3)
    async with FakeBotApi() as api, bot(api.base_url.removesuffix("/bot")) as impatient:
        await api.stop_answering("hang")
        with pytest.raises(TimedOut):
            await impatient.send_message(USER, "没有回音")
        await api.wait_for(lambda: api.held_requests == 0)  # the transport hung up on it
        await api.resume()
        await impatient.send_message(USER, "恢复了")
        assert [m.text for m in api.sent(USER)] == ["恢复了"]
