"""The WeChat channel end to end: signed (and encrypted) XML in, passive replies and
customer-service messages out, against a fake WeChat API on 127.0.0.1."""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import re
import time
from datetime import datetime, timezone
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.channels import wechat, wechat_api, wechat_voice
from bot.channels.wechat import create_menu
from bot.channels.wechat_api import WeChatApi, WeChatApiError
from bot.channels.wechat_endpoint import ENDPOINT, create_app
from bot.channels.wechat_events import RecentTurns, _Turn
from bot.channels.wechat_settings import WeChatSettings
from bot.courier import Unreachable
from bot.runtime import Runtime
from common.retry import Backoff
from bot.channels.wechat_protocol import (
    MAX_TEXT_BYTES,
    ProtocolError,
    SignatureError,
    WeChatCrypto,
    parse_xml,
    sign,
    split_text,
)
from common.messages import Notice, Reply
from handlers.events import Outcome
from tests.auxil.chat import Chat
from tests.auxil.fake_wechat_api import FakeWeChatApi
from tests.auxil.faults import fail_once
from tests.auxil.trips import Trips

pytestmark = pytest.mark.timeout(20)

TOKEN = "wechat-test-token"
APP_ID = "wx0123456789abcdef"
SECRET = "app-secret-for-tests"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")  # 43 characters
ACCOUNT = "gh_quzhou_legalaid"
USER = "oElderOpenId000000000000001"
CUSTOM_SEND = "/cgi-bin/message/custom/send"
TOKEN_PATH = "/cgi-bin/token"

# Published vectors (wechatpy's tests, from WeChat's own samples).
VECTOR_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
VECTOR_APP = "wx49f0ab532d5d035a"
VECTOR_ENCRYPT = (
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv28"
    "3dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/"
    "nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqI"
    "rH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9Q"
    "aNWHp91eBdCRxthuL0="
)
VECTOR_REPLY = """<xml>
<MsgType><![CDATA[text]]></MsgType>
<Content><![CDATA[test]]></Content>
<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>
<ToUserName><![CDATA[messense]]></ToUserName>
<AgentID>1</AgentID>
<CreateTime>1411525903</CreateTime>
</xml>"""
VECTOR_SEALED = (
    "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgU"
    "RnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXr"
    "x0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR"
    "5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
)

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE xml [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&lol9;</Content><MsgId>1</MsgId></xml>"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>"""


# --------------------------------------------------------------------------- helpers


def use_wechat_texts(runtime) -> None:
    """The WeChat texts are in the catalog (common/texts.yaml, under wechat:)."""
    assert "wechat.option_line" in runtime.services.texts


def wechat_settings(api: FakeWeChatApi, *, safe: bool = False, **overrides) -> WeChatSettings:
    values = dict(
        WECHAT_TOKEN=TOKEN,
        WECHAT_APP_ID=APP_ID,
        WECHAT_APP_SECRET=SECRET,
        WECHAT_ENCODING_AES_KEY=AES_KEY if safe else None,
        WECHAT_API_BASE_URL=api.base_url,
        WECHAT_DELIVER_EVERY_SECONDS=0.05,
    )
    values.update(overrides)
    return WeChatSettings(_env_file=None, **values)


# One sequence for every client in the run: WeChat never reuses a nonce, even across a restart.
NONCES = itertools.count(73914)

class Phone:
    """WeChat's server, as far as the endpoint can tell: signed, optionally encrypted XML posts."""

    def __init__(self, client: TestClient, settings: WeChatSettings, runtime):
        self.client = client
        self.runtime = runtime
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID) if settings.encoding_aes_key else None
        self._ids = itertools.count(6_000_000_000_000_000_001)
        self.options_pattern = _option_pattern(runtime.services.texts._texts["wechat.option_line"])

    @property
    def endpoint(self):
        return self.client.app[ENDPOINT]

    def signed_query(self, timestamp: int | None = None, nonce: str | None = None) -> dict[str, str]:
        """Like WeChat's: a fresh nonce on every request."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or str(next(NONCES))
        return {"timestamp": ts, "nonce": nonce, "signature": sign(TOKEN, ts, nonce), "openid": USER}

    async def post(self, xml: str | bytes, query: dict[str, str] | None = None) -> aiohttp.ClientResponse:
        query = dict(query or self.signed_query())
        body = xml.encode("utf-8") if isinstance(xml, str) else xml
        if self.crypto is not None:
            encrypt = self.crypto.encrypt(body.decode("utf-8"))
            query["encrypt_type"] = "aes"
            query["msg_signature"] = sign(TOKEN, query["timestamp"], query["nonce"], encrypt)
            body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        return await self.client.post("/wechat", data=body, params=query)

    async def deliver(self, xml: str) -> str:
        """Post a message; the passive reply's Content, or "success"."""
        resp = await self.post(xml)
        assert resp.status == 200, await resp.text()
        text = await resp.text()
        if text == "success":
            return text
        fields = parse_xml(text)
        if self.crypto is not None:
            assert fields["MsgSignature"] == sign(TOKEN, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"])
            fields = parse_xml(self.crypto.decrypt(fields["Encrypt"]))
        assert fields["ToUserName"] == USER and fields["FromUserName"] == ACCOUNT
        assert fields["MsgType"] == "text"
        assert len(fields["Content"].encode("utf-8")) <= MAX_TEXT_BYTES
        return fields["Content"]

    def text_xml(self, text: str, msg_id: int | None = None) -> str:
        msg_id = next(self._ids) if msg_id is None else msg_id
        return self._xml("text", f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId>")

    def _xml(self, msg_type: str, rest: str, create_time: int | None = None) -> str:
        created = int(time.time()) if create_time is None else create_time
        return (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{USER}]]></FromUserName>"
            f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>{rest}</xml>"
        )

    async def say(self, text: str, msg_id: int | None = None) -> str:
        return await self.deliver(self.text_xml(text, msg_id))

    async def event(self, event: str, key: str = "", create_time: int | None = None) -> str:
        rest = f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey>"
        return await self.deliver(self._xml("event", rest, create_time))

    async def send_kind(self, msg_type: str) -> str:
        return await self.deliver(self._xml(msg_type, f"<MediaId><![CDATA[m1]]></MediaId><MsgId>{next(self._ids)}</MsgId>"))

    def numbers(self, reply: str) -> dict[str, str]:
        """The numbered options in a reply: label -> the digit to type."""
        return {m["label"]: m["n"] for m in self.options_pattern.finditer(reply)}

    async def pick(self, reply: str, label: str) -> str:
        numbers = self.numbers(reply)
        chosen = next((n for option, n in numbers.items() if label in option), None)
        assert chosen is not None, f"no numbered option {label!r} in:\n{reply}"
        return await self.say(chosen)


def _option_pattern(template: str) -> re.Pattern:
    pattern = re.escape(template)
    pattern = pattern.replace(re.escape("{number}"), r"(?P<n>\d+)").replace(re.escape("{label}"), r"(?P<label>[^\n]+)")
    return re.compile(f"^{pattern}$", re.MULTILINE)


@asynccontextmanager
async def serving(runtime, settings: WeChatSettings):
    use_wechat_texts(runtime)
    async with TestClient(TestServer(create_app(runtime, settings))) as client:
        yield Phone(client, settings, runtime)


def count_core_events(runtime, monkeypatch) -> list:
    """The events whose turn the core runs (a re-delivery it recognises, with its first read, runs none)."""
    seen = []
    original = runtime.dialogue._handle_locked

    async def counting(ev, *args):
        seen.append(ev)
        return await original(ev, *args)

    monkeypatch.setattr(runtime.dialogue, "_handle_locked", counting)
    return seen


async def all_marked_sent(store, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while await store.unsent(frozenset({"wechat"}), datetime.now(timezone.utc)):
        assert time.monotonic() < deadline, "the outbox still has unsent wechat messages"
        await asyncio.sleep(0.02)


@pytest.fixture(autouse=True)
def _no_wechat_environment(monkeypatch):
    for name in ("WECHAT_TOKEN", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_ENCODING_AES_KEY",
                 "WECHAT_API_BASE_URL", "WECHAT_REPLY_DEADLINE_SECONDS", "WECHAT_DELIVER_EVERY_SECONDS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def fake_api():
    async with FakeWeChatApi(APP_ID, SECRET) as api:
        yield api


# --------------------------------------------------------------------------- protocol


def test_the_plain_signature_matches_the_published_vector():
    assert sign("test", "1410685589", "test") == "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff"


def test_safe_mode_opens_the_published_message_and_refuses_a_wrong_msg_signature():
    crypto = WeChatCrypto("123456", VECTOR_KEY, VECTOR_APP)
    inner = parse_xml(crypto.open_message(VECTOR_ENCRYPT, "74d92dfeb87ba7c714f89d98870ae5eb62dff26d",
                                          "1411525903", "461056294"))
    assert inner["Content"] == "test" and inner["FromUserName"] == "messense"
    with pytest.raises(SignatureError):
        crypto.open_message(VECTOR_ENCRYPT, "74d92dfeb87ba7c714f89d98870ae5eb62dff26e", "1411525903", "461056294")


def test_safe_mode_seals_a_reply_exactly_as_the_published_example():
    crypto = WeChatCrypto("123456", VECTOR_KEY, VECTOR_APP)
    sealed = parse_xml(crypto.seal_reply(VECTOR_REPLY, "1411525903", "461056294", random16=b"1234567890123456"))
    assert sealed["Encrypt"] == VECTOR_SEALED
    assert sealed["MsgSignature"] == "407518b7649e86ef23978113f92d27afa9296533"


def test_encryption_round_trips_and_is_bound_to_the_app_id():
    message = "<xml><Content><![CDATA[我爸八十二岁，做遗嘱公证要钱吗？]]></Content></xml>" * 7
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    encrypted = crypto.encrypt(message)
    assert crypto.encrypt(message) != encrypted  # fresh random prefix every time
    assert crypto.decrypt(encrypted) == message
    with pytest.raises(ProtocolError):
        WeChatCrypto(TOKEN, AES_KEY, "wx-someone-else").decrypt(encrypted)
    with pytest.raises(ProtocolError):
        crypto.decrypt(encrypted[:-8] + "AAAAAAA=")


def test_long_text_is_split_into_pieces_within_the_byte_limit():
    lines = [f"第{i}行：老年人法律援助的说明文字。" for i in range(200)]
    pieces = split_text("\n".join(lines))
    assert len(pieces) > 1 and all(len(p.encode()) <= MAX_TEXT_BYTES for p in pieces)
    assert "\n".join(pieces).split("\n") == lines  # broken between lines, nothing lost
    one_line = "援" * 1500  # 4500 bytes, no line break at all
    pieces = split_text(one_line)
    assert "".join(pieces) == one_line and all(len(p.encode()) <= MAX_TEXT_BYTES for p in pieces)


def test_the_de_duplication_memory_forgets_by_age_and_by_number():
    now = [0.0]
    recent = RecentTurns(window=600, limit=2, clock=lambda: now[0])

    def turn(key):
        return _Turn(key, seen_at=now[0], answer=None)  # type: ignore[arg-type]

    recent.add(turn("a"))
    recent.add(turn("b"))
    recent.add(turn("c"))
    assert recent.get("a") is None and recent.get("c") is not None and len(recent) == 2
    now[0] = 601
    assert recent.get("b") is None and len(recent) == 0


# --------------------------------------------------------------------------- authenticity and safety


async def test_the_verification_handshake_echoes_only_with_a_valid_signature(runtime, fake_api):
    async with serving(runtime, wechat_settings(fake_api)) as wx:
        query = wx.signed_query() | {"echostr": "7158240373553574"}
        good = await wx.client.get("/wechat", params=query)
        assert good.status == 200 and await good.text() == "7158240373553574"
        bad = await wx.client.get("/wechat", params=query | {"signature": "0" * 40})
        assert bad.status == 403


@pytest.mark.parametrize("safe", [False, True], ids=["plain", "safe"])
async def test_a_wrong_signature_is_403_and_never_reaches_the_core(runtime, fake_api, monkeypatch, safe):
    seen = count_core_events(runtime, monkeypatch)
    async with serving(runtime, wechat_settings(fake_api, safe=safe)) as wx:
        forged = await wx.post(wx.text_xml("你好"), wx.signed_query() | {"signature": "f" * 40})
        stale_ts = int(time.time()) - 3600
        replayed = await wx.post(wx.text_xml("你好"), wx.signed_query(timestamp=stale_ts))
        assert forged.status == 403 and replayed.status == 403
        if safe:  # a good signature but an Encrypt that the msg_signature does not cover
            encrypt = wx.crypto.encrypt(wx.text_xml("你好"))
            query = wx.signed_query() | {"encrypt_type": "aes", "msg_signature": "0" * 40}
            body = f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
            tampered = await wx.client.post("/wechat", data=body, params=query)
            assert tampered.status == 403
    assert seen == []


async def test_a_plain_message_is_refused_when_the_account_is_in_safe_mode(runtime, fake_api, monkeypatch):
    seen = count_core_events(runtime, monkeypatch)
    async with serving(runtime, wechat_settings(fake_api, safe=True)) as wx:
        resp = await wx.client.post("/wechat", data=wx.text_xml("你好"), params=wx.signed_query())
        assert resp.status == 400
    assert seen == []


@pytest.mark.parametrize("safe", [False, True], ids=["plain", "safe"])
async def test_xxe_and_billion_laughs_bodies_are_rejected_at_once(runtime, fake_api, monkeypatch, safe):
    seen = count_core_events(runtime, monkeypatch)
    async with serving(runtime, wechat_settings(fake_api, safe=safe)) as wx:
        for body in (XXE, BILLION_LAUGHS):
            started = time.monotonic()
            resp = await wx.post(body)
            assert resp.status == 400
            assert time.monotonic() - started < 1.0
            assert "root:" not in await resp.text()
    assert seen == []


async def test_an_oversized_body_is_413(runtime, fake_api, monkeypatch):
    seen = count_core_events(runtime, monkeypatch)
    async with serving(runtime, wechat_settings(fake_api)) as wx:
        resp = await wx.post(wx.text_xml("长" * 30_000))  # 90 KB
        assert resp.status == 413
    assert seen == []


# --------------------------------------------------------------------------- conversations


@pytest.mark.parametrize("safe", [False, True], ids=["plain", "safe"])
async def test_a_policy_question_is_answered_with_its_source_and_numbered_follow_ups(runtime, fake_api, safe):
    async with serving(runtime, wechat_settings(fake_api, safe=safe)) as wx:
        reply = await wx.say("我爸八十二岁做遗嘱公证要钱吗")
        assert "80周岁及以上" in reply and "衢市司发〔2020〕3号" in reply
        picked = await wx.say(wx.numbers(reply)["查我的资格"])  # the digit picks that follow-up
    # 查资格 starts from what the question told (for a father, 82): the county is what it asks first.
    assert "住在哪个县" in picked and runtime.services.texts("eq.ask_asker") not in picked
    assert fake_api.messages == []  # answered in the passive reply, nothing pushed


async def test_subscribing_shows_the_menu_with_numbers(runtime, fake_api):
    async with serving(runtime, wechat_settings(fake_api)) as wx:
        reply = await wx.event("subscribe")
        assert list(wx.numbers(reply)) == ["问政策", "查资格", "预约上门办申请", "留言问律师", "拨打12348"]
        reply = await wx.say("5")  # the core maps the digit to 拨打12348
    assert "12348" in reply and "全年无休" in reply


async def test_menu_clicks_start_what_their_keys_name(runtime, fake_api):
    async with serving(runtime, wechat_settings(fake_api)) as wx:
        same_second = int(time.time())
        reply = await wx.event("CLICK", "elig:start", create_time=same_second)
        assert "替家人问" in wx.numbers(reply)
        reply = await wx.event("CLICK", "menu:call", create_time=same_second)  # a second tap, not a retry
        assert "12348" in reply
        assert await wx.event("VIEW", "https://example.org", create_time=same_second) == "success"


async def test_the_eligibility_questionnaire_works_with_numbered_replies(runtime, fake_api):
    async with serving(runtime, wechat_settings(fake_api)) as wx:
        reply = await wx.say("查资格")
        reply = await wx.pick(reply, "替家人问")
        assert reply.startswith("您的家人今年")
        reply = await wx.say("八十二")
        reply = await wx.pick(reply, "龙游县")
        reply = await wx.pick(reply, "行动不便")
        reply = await wx.pick(reply, "好了")
        reply = await wx.pick(reply, "没办过")
        assert "请核对" in reply and "82周岁" in reply and "行动不便" in reply
        reply = await wx.pick(reply, "看结果")
    assert "免经济审查" in reply and "第一次办遗嘱公证免费" in reply
    assert "以法律援助中心的认定为准" in reply
    assert "预约上门办申请" in wx.numbers(reply)


async def test_voice_pictures_and_locations_get_the_polite_answers(runtime, fake_api):
    async with serving(runtime, wechat_settings(fake_api)) as wx:
        assert "暂时听不了语音" in await wx.send_kind("voice")
        assert "暂时看不了图片" in await wx.send_kind("image")
        assert "收到您的位置了" in await wx.send_kind("location")
        assert "看不懂" in await wx.send_kind("link")


async def test_a_retried_message_reaches_the_core_once_and_gets_the_same_reply(runtime, fake_api, monkeypatch):
    seen = count_core_events(runtime, monkeypatch)
    async with serving(runtime, wechat_settings(fake_api)) as wx:
        first = await wx.say("我爸八十二岁做遗嘱公证要钱吗", msg_id=777)
        again = await wx.say("我爸八十二岁做遗嘱公证要钱吗", msg_id=777)
        subscribed = int(time.time())
        await wx.event("subscribe", create_time=subscribed)
        await wx.event("subscribe", create_time=subscribed)  # events: sender + CreateTime
    assert again == first and "80周岁及以上" in first
    assert [ev.text for ev in seen] == ["我爸八十二岁做遗嘱公证要钱吗", "/start"]


# --------------------------------------------------------------------------- customer-service messages


async def test_a_queued_message_arrives_and_a_refused_token_is_refreshed_and_resent(runtime, fake_api):
    async with serving(runtime, wechat_settings(fake_api)) as wx:
        store = runtime.services.store
        await store.enqueue(Notice("wechat", USER, Reply("律师回复：遗嘱公证可以预约上门办理。")), runtime.now())
        [first] = await fake_api.wait_for_messages(USER, 1)
        assert first == "律师回复：遗嘱公证可以预约上门办理。"
        assert fake_api.token_requests == 1

        fake_api.expire_tokens()
        await store.enqueue(Notice("wechat", USER, Reply("律师回复：请带上户口本。")), runtime.now())
        runtime.courier.wake()
        messages = await fake_api.wait_for_messages(USER, 2)
        await all_marked_sent(store)
    assert messages == [first, "律师回复：请带上户口本。"]  # resent once, not twice
    assert (CUSTOM_SEND, 42001) in [(c.path, c.errcode) for c in fake_api.calls]
    assert fake_api.token_requests == 2
    assert fake_api.messages[-1].access_token != fake_api.messages[0].access_token


async def test_the_token_is_refreshed_before_it_expires(fake_api):
    now = [1000.0]
    settings = wechat_settings(fake_api)
    async with aiohttp.ClientSession() as session:
        api = WeChatApi(session, settings, clock=lambda: now[0])
        await api.send_text(USER, "一")
        now[0] += 3600
        await api.send_text(USER, "二")
        assert fake_api.token_requests == 1  # still cached
        now[0] += 7200 - 3600 - 299  # inside the last five minutes of its life
        await api.send_text(USER, "三")
    assert fake_api.token_requests == 2
    assert all(c.errcode == 0 for c in fake_api.calls)  # refreshed before WeChat refused it
    assert fake_api.sent_to(USER) == ["一", "二", "三"]


async def test_a_busy_token_server_is_retried_but_a_wrong_secret_is_not(fake_api, monkeypatch):
    monkeypatch.setattr(wechat_api, "TOKEN_RETRY", Backoff(first=0, jitter=0, retries=3))
    async with aiohttp.ClientSession() as session:
        fake_api.fail_next(TOKEN_PATH, -1)  # 系统繁忙
        fake_api.fail_next(TOKEN_PATH, -1)
        await WeChatApi(session, wechat_settings(fake_api)).send_text(USER, "一")
        assert fake_api.token_requests == 3
        fake_api.fail_next(TOKEN_PATH, 40125)  # invalid appsecret: no point asking again
        with pytest.raises(WeChatApiError, match="40125"):
            await WeChatApi(session, wechat_settings(fake_api)).send_text(USER, "二")
    assert fake_api.token_requests == 4
    assert fake_api.sent_to(USER) == ["一"]


async def test_a_slow_core_answers_success_and_sends_the_reply_later(runtime, fake_api, monkeypatch):
    seen = count_core_events(runtime, monkeypatch)
    counted = runtime.dialogue.handle

    async def slow(ev):
        await asyncio.sleep(0.6)
        return await counted(ev)

    monkeypatch.setattr(runtime.dialogue, "handle", slow)
    async with serving(runtime, wechat_settings(fake_api, WECHAT_REPLY_DEADLINE_SECONDS=0.2)) as wx:
        started = time.monotonic()
        assert await wx.say("我爸八十二岁做遗嘱公证要钱吗", msg_id=31) == "success"
        assert time.monotonic() - started < 0.5
        assert await wx.say("我爸八十二岁做遗嘱公证要钱吗", msg_id=31) == "success"  # WeChat's retry
        [pushed] = await fake_api.wait_for_messages(USER, 1)
    assert "80周岁及以上" in pushed and "衢市司发〔2020〕3号" in pushed
    assert len(seen) == 1


async def test_a_long_voice_note_then_a_short_one_are_handled_in_the_order_sent(runtime, fake_api, monkeypatch):
    """Transcription runs before the dialogue's lock: the 3-second note must still wait its turn
    behind the 12-second one sent before it."""
    heard, handled = wechat_voice.heard, []

    async def transcribed(endpoint, msg, ev):
        await asyncio.sleep(0.4 if ev.text == "我爸八十二岁做遗嘱公证要钱吗" else 0.01)  # the long note
        return await heard(endpoint, msg, ev)

    handle = runtime.handle

    async def recorded(ev):
        handled.append(ev.text)
        return await handle(ev)

    monkeypatch.setattr(wechat_voice, "heard", transcribed)
    monkeypatch.setattr(runtime, "handle", recorded)
    async with serving(runtime, wechat_settings(fake_api)) as wx:
        first = asyncio.ensure_future(wx.say("我爸八十二岁做遗嘱公证要钱吗", msg_id=61))
        await asyncio.sleep(0.05)
        second = await wx.say("菜单", msg_id=62)
        assert "80周岁及以上" in await first and "问政策" in second
    assert handled == ["我爸八十二岁做遗嘱公证要钱吗", "菜单"]
    assert len(wx.endpoint._in_order) == 0  # nothing kept per person once their turns are done


async def test_a_message_that_could_not_be_kept_is_run_when_wechat_retries_it(runtime, fake_api, monkeypatch):
    """Saturated, the endpoint keeps a message before answering "success"; if keeping it fails the
    request fails, and WeChat's retry must be kept and answered, not told "success" from memory."""
    fail_once(monkeypatch, runtime.services.store, "accept_event", ConnectionError("database is locked"))
    async with serving(runtime, wechat_settings(fake_api)) as wx:
        async def no_slot(deadline):
            return False

        monkeypatch.setattr(wx.endpoint.admission, "enter", no_slot)  # every slot taken: kept, then pushed
        xml = wx.text_xml("我爸八十二岁做遗嘱公证要钱吗", 51)
        assert (await wx.post(xml)).status == 500
        assert await wx.deliver(xml) == "success"  # WeChat's retry
        [pushed] = await fake_api.wait_for_messages(USER, 1)
    assert "80周岁及以上" in pushed


@pytest.mark.parametrize("errcode", [45015, 43004], ids=["48h-window", "unfollowed"])
async def test_a_person_wechat_will_not_let_us_reach_is_unreachable_for_the_courier(runtime, fake_api, errcode):
    async with serving(runtime, wechat_settings(fake_api)) as wx:
        fake_api.fail_next("/cgi-bin/message/custom/send", errcode)
        with pytest.raises(Unreachable):
            await wx.endpoint.send(USER, Reply("提醒：明天上午上门"))
        fake_api.fail_next("/cgi-bin/message/custom/send", -1)  # WeChat busy: worth a retry, not given up
        with pytest.raises(WeChatApiError):
            await wx.endpoint.send(USER, Reply("提醒：明天上午上门"))


async def test_a_quick_answer_never_overtakes_a_slow_one_pushed_before_it(runtime, fake_api, monkeypatch):
    """The first answer missed the deadline and goes by customer-service message; the second is
    ready at once, but answering it passively would show it first, and a digit typed next would
    pick from the list the person is not looking at. Both come as pushed messages, in order."""
    handle_locked = runtime.dialogue._handle_locked

    async def slow_first(ev, *args):  # slow inside the turn, holding the person's place in line
        if ev.text == "我爸八十二岁做遗嘱公证要钱吗":
            await asyncio.sleep(0.5)
        return await handle_locked(ev, *args)

    monkeypatch.setattr(runtime.dialogue, "_handle_locked", slow_first)
    async with serving(runtime, wechat_settings(fake_api, WECHAT_REPLY_DEADLINE_SECONDS=0.3)) as wx:
        assert await wx.say("我爸八十二岁做遗嘱公证要钱吗", msg_id=41) == "success"
        assert await wx.say("菜单", msg_id=42) == "success"
        first, second = await fake_api.wait_for_messages(USER, 2)
    assert "80周岁及以上" in first and second.startswith(runtime.services.texts.numbered()("menu.title"))


async def test_a_turn_that_fails_after_success_was_answered_still_sends_an_apology(runtime, fake_api, monkeypatch):
    async def slow_then_broken(ev):
        await asyncio.sleep(0.6)
        raise RuntimeError("the core broke")

    monkeypatch.setattr(runtime.dialogue, "handle", slow_then_broken)
    async with serving(runtime, wechat_settings(fake_api, WECHAT_REPLY_DEADLINE_SECONDS=0.2)) as wx:
        assert await wx.say("遗嘱公证要钱吗", msg_id=32) == "success"
        [pushed] = await fake_api.wait_for_messages(USER, 1)
    assert pushed == runtime.services.texts.numbered()("error.apology")


async def test_a_reply_over_2048_bytes_goes_out_in_several_messages(runtime, fake_api, monkeypatch):
    long_text = "\n".join(f"第{i}条：材料不齐也可以先受理，缺的证件材料可以通过快递补交。" for i in range(60))

    async def long_answer(ev):
        return Outcome(replies=[Reply(long_text)])

    monkeypatch.setattr(runtime.dialogue, "handle", long_answer)
    async with serving(runtime, wechat_settings(fake_api)) as wx:
        assert await wx.say("材料") == "success"
        await fake_api.wait_for_messages(USER, 2)
        await asyncio.sleep(0.2)  # let any further pieces arrive
    pieces = fake_api.sent_to(USER)
    assert "\n".join(pieces) == long_text
    assert all(c.errcode == 0 for c in fake_api.calls)  # none over WeChat's limit


# --------------------------------------------------------------------------- the custom menu and the CLI


async def test_the_custom_menu_has_the_core_payloads_within_wechat_limits(runtime, fake_api):
    use_wechat_texts(runtime)
    async with aiohttp.ClientSession() as session:
        await create_menu(WeChatApi(session, wechat_settings(fake_api)), runtime.services.texts)
    [menu] = fake_api.menus  # the fake refuses menus over WeChat's size limits
    top = menu["button"]
    assert [(b["name"], b.get("key")) for b in top[:2]] == [("问政策", "faq:start"), ("查资格", "elig:start")]
    assert [(b["name"], b["key"]) for b in top[2]["sub_button"]] == [
        ("预约上门办申请", "book:start"), ("留言问律师", "consult:start"), ("拨打12348", "menu:call")]


def test_the_cli_parses_serve_and_menu():
    parser = argparse.ArgumentParser(prog="legalaid")
    wechat.add_parser(parser.add_subparsers(dest="command"))
    serve = parser.parse_args(["wechat", "--listen", "0.0.0.0", "--port", "9000"])
    assert (serve.command, serve.listen, serve.port, serve.wechat_command) == ("wechat", "0.0.0.0", 9000, None)
    assert parser.parse_args(["wechat", "menu"]).wechat_command == "menu"


def test_missing_configuration_is_one_line_and_exit_2(capsys, settings):
    args = argparse.Namespace(command="wechat", wechat_command=None, listen="127.0.0.1", port=0)
    assert wechat.run(args, settings) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "WECHAT_" in err


# --------------------------------------------------------------------------- whole journeys


async def test_a_home_visit_is_booked_over_wechat_with_numbered_replies(runtime, fake_api):
    async with serving(runtime, wechat_settings(fake_api)) as wx:
        reply = await wx.say("预约上门办申请")
        reply = await wx.pick(reply, "是")  # 满80周岁
        reply = await wx.pick(reply, "龙游县")
        first_day = next(label for label in wx.numbers(reply) if "月" in label)
        reply = await wx.pick(reply, first_day)
        reply = await wx.pick(reply, "上午")
        for typed in ("张桂英", "13812345678"):
            reply = await wx.say(typed)
        reply = await wx.pick(reply, "家人的")
        for typed in ("石梁镇", "某某村12号"):
            reply = await wx.say(typed)
        reply = await wx.pick(reply, "好了")
        reply = await wx.say("想立遗嘱")
        reply = await wx.pick(reply, "同意")
        assert "请核对预约信息" in reply and "张桂英" in reply
        reply = await wx.pick(reply, "确认预约")
    assert "预约好了" in reply and "SM-" in reply
    [booking] = await runtime.services.bookings.list_for_user("wechat", USER)
    assert booking.ref in reply and booking.county == "龙游县"


async def test_a_lawyers_later_answer_arrives_through_the_customer_service_api(runtime, fake_api):
    lawyer, code = await runtime.services.ledger.add_lawyer("王律师", "衢州某律师事务所", runtime.now())
    lawyer_chat = Chat(runtime, channel="telegram", user_id="8801")
    await lawyer_chat.send(f"/register {code}")
    await lawyer_chat.send("/duty")
    async with serving(runtime, wechat_settings(fake_api)) as wx:
        reply = await wx.say("留言问律师")
        reply = await wx.say("儿子不给赡养费，能申请法律援助吗")
        assert "留言编号" in reply
        [consultation] = await runtime.services.consultations.list_for_user("wechat", USER)
        await lawyer_chat.press(f"law:claim:{consultation.id}")
        await lawyer_chat.send("可以申请，建议先调解。")
        runtime.courier.wake()
        [answer] = await fake_api.wait_for_messages(USER, 1)
        assert "王律师律师（衢州某律师事务所）" in answer and "建议先调解" in answer
        await all_marked_sent(runtime.services.store)
        thanks = await wx.pick(answer, "满意")  # the answer's options are numbered and a digit works
    assert "谢谢您的评价" in thanks


async def test_a_seen_signature_with_a_different_body_is_refused_in_plain_mode(runtime, fake_api, monkeypatch):
    seen = count_core_events(runtime, monkeypatch)
    async with serving(runtime, wechat_settings(fake_api)) as wx:
        query = wx.signed_query()
        assert (await wx.post(wx.text_xml("你好", msg_id=901), query)).status == 200
        forged = wx.text_xml("删除我的信息", msg_id=902)
        assert (await wx.post(forged, query)).status == 403
        assert (await wx.post(wx.text_xml("你好", msg_id=901), query)).status == 200  # a true retry
    assert [ev.text for ev in seen] == ["你好"]


# --------------------------------------------------------------------------- restarts and saturation


async def restarted(runtime, settings, clock):
    """A new process over the same database: nothing in memory survives."""
    await runtime.close()
    return await Runtime.open(settings, clock)


async def test_a_captured_query_string_with_a_forged_body_is_refused_after_a_restart(runtime, settings, clock,
                                                                                    fake_api, monkeypatch):
    async with serving(runtime, wechat_settings(fake_api)) as wx:
        query = wx.signed_query()
        assert "遗嘱公证" in await wx.deliver(wx.text_xml("遗嘱公证要钱吗", msg_id=911))  # the normal path
        captured, hello = dict(query), wx.text_xml("你好", msg_id=912)
        assert (await wx.post(hello, captured)).status == 200
    again = await restarted(runtime, settings, clock)
    try:
        seen = count_core_events(again, monkeypatch)
        async with serving(again, wechat_settings(fake_api)) as wx:
            forged = wx.text_xml("删除我的信息", msg_id=913)
            assert (await wx.post(forged, captured)).status == 403
            assert (await wx.post(hello, captured)).status == 200  # WeChat's retry
            assert "遗嘱公证" in await wx.deliver(wx.text_xml("遗嘱公证要钱吗", msg_id=914))
        assert [ev.text for ev in seen] == ["遗嘱公证要钱吗"], "neither the forged body nor the retry reach the core"
    finally:
        await again.close()


async def test_a_message_retried_after_a_restart_is_not_handled_twice(runtime, settings, clock, fake_api,
                                                                      monkeypatch):
    async with serving(runtime, wechat_settings(fake_api)) as wx:
        first = await wx.say("我爸八十二岁做遗嘱公证要钱吗", msg_id=921)
    assert "80周岁及以上" in first
    again = await restarted(runtime, settings, clock)
    try:
        seen = count_core_events(again, monkeypatch)
        async with serving(again, wechat_settings(fake_api)) as wx:
            assert await wx.say("我爸八十二岁做遗嘱公证要钱吗", msg_id=921) == "success"
            await asyncio.sleep(0.3)
        assert seen == [] and fake_api.sent_to(USER) == [], "answered once, passively, before the restart"
    finally:
        await again.close()


async def test_a_message_accepted_with_success_is_answered_after_a_crash(runtime, settings, clock, fake_api):
    """ "success" was said after the message was kept; the process died before its turn ran."""
    import json as _json

    msg = {"ToUserName": ACCOUNT, "FromUserName": USER, "CreateTime": str(int(time.time())), "MsgType": "text",
           "Content": "我爸八十二岁做遗嘱公证要钱吗", "MsgId": "931"}
    await runtime.services.store.accept_event("wechat", "msg:931", _json.dumps(msg, ensure_ascii=False), clock())
    again = await restarted(runtime, settings, clock)
    try:
        async with serving(again, wechat_settings(fake_api)) as wx:
            [pushed] = await fake_api.wait_for_messages(USER, 1)
            assert await wx.say("我爸八十二岁做遗嘱公证要钱吗", msg_id=931) == "success"  # a late retry
            await all_marked_sent(again.services.store)
        assert "80周岁及以上" in pushed and fake_api.sent_to(USER) == [pushed]
    finally:
        await again.close()


@pytest.mark.parametrize("safe", [False, True], ids=["plain", "safe"])
async def test_a_message_answered_passively_costs_four_trips_to_the_database_or_three_in_safe_mode(
        runtime, fake_api, monkeypatch, safe):
    """Plain mode binds the body to its signature (one write), then the turn reads once and writes
    once (its reply queued with it), and the reply is marked sent once written."""
    monkeypatch.setattr(runtime.courier, "start", lambda *args: None)  # no delivery passes meanwhile
    async with serving(runtime, wechat_settings(fake_api, safe=safe)) as wx:
        while wx.endpoint._background:  # the start's look for messages left from before
            await asyncio.sleep(0.01)
        trips = Trips(runtime.db)
        assert "80周岁及以上" in await wx.say("我爸八十二岁做遗嘱公证要钱吗")
        expected = ["fetchone", "transact", "transact"] if safe else ["transact", "fetchone", "transact", "transact"]
        deadline = time.monotonic() + 5
        while len(trips.calls) < len(expected) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
    assert trips.calls == expected
    assert trips.handoffs == 0  # each on the event loop: nobody else holds the file
    assert await runtime.services.store.unsent(frozenset({"wechat"}), runtime.now()) == []  # the mark was the last trip


async def test_a_shutdown_does_not_wait_for_turns_queued_for_a_slot_they_run_after_the_restart(
        runtime, settings, clock, fake_api, monkeypatch):
    """Under saturation hundreds of messages answered "success" wait for a turn slot, two at a time;
    a shutdown leaves them in the inbox (cancelled, not waited for) and the next start answers each once."""
    from bot.channels import wechat_endpoint
    from bot.channels.wechat_admission import Admission

    monkeypatch.setattr(wechat_endpoint, "Admission", lambda: Admission(slots=0))  # no turn can start
    async with serving(runtime, wechat_settings(fake_api)) as wx:
        answers = [await wx.say("我爸八十二岁做遗嘱公证要钱吗", msg_id=941), await wx.say("菜单", msg_id=942)]
        queued = set(wx.endpoint._queued)
    assert answers == ["success", "success"] and len(queued) == 2
    assert all(task.cancelled() for task in queued)
    assert len(await runtime.services.store.waiting_events("wechat")) == 2  # kept, in order
    monkeypatch.undo()
    again = await restarted(runtime, settings, clock)
    try:
        async with serving(again, wechat_settings(fake_api)) as wx:
            first, second = await fake_api.wait_for_messages(USER, 2)
            await all_marked_sent(again.services.store)
        assert "80周岁及以上" in first and second.startswith(again.services.texts.numbered()("menu.title"))
        assert len(fake_api.sent_to(USER)) == 2
    finally:
        await again.close()


@pytest.mark.timeout(180)
async def test_a_thousand_concurrent_messages_get_exactly_one_answer_each(runtime, fake_api):
    """Issue 17: under saturation every message is answered once, passively or by customer-service
    message. How many passive replies came after WeChat's 5 s is a timing figure: bench/wechat_e2e.py
    prints it (target 0); a test on a shared CI machine only prints it."""
    users = [f"oSaturation{i:05d}" for i in range(1000)]
    async with TestServer(create_app(runtime, wechat_settings(fake_api))) as server:
        url = str(server.make_url("/wechat"))
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def one(number: int, user: str) -> tuple[float, str]:
                ts, nonce = str(int(time.time())), f"n{number}"
                xml = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{user}]]>"
                       f"</FromUserName><CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                       f"<Content><![CDATA[遗嘱公证要钱吗]]></Content><MsgId>{80000 + number}</MsgId></xml>")
                query = {"timestamp": ts, "nonce": nonce, "signature": sign(TOKEN, ts, nonce), "openid": user}
                sent = time.monotonic()
                async with session.post(url, data=xml.encode(), params=query) as resp:
                    assert resp.status == 200
                    return time.monotonic() - sent, await resp.text()

            answers = await asyncio.gather(*(one(i, user) for i, user in enumerate(users)))
        passive = [(took, text) for took, text in answers if text != "success"]
        pushed_to = {user for (_, text), user in zip(answers, users) if text == "success"}
        deadline = time.monotonic() + 120
        while {m.touser for m in fake_api.messages} < pushed_to:
            assert time.monotonic() < deadline, "every message answered with success gets its reply"
            await asyncio.sleep(0.2)
        await asyncio.sleep(0.5)
    print(f"\n1,000 concurrent: {len(passive)} passive (slowest {max((t for t, _ in passive), default=0):.2f} s), "
          f"{len(pushed_to)} by customer-service message")
    assert all("遗嘱公证" in text for _, text in passive)
    received = [m.touser for m in fake_api.messages]
    assert sorted(received) == sorted(pushed_to), "each pushed message exactly once, none for a passive one"
