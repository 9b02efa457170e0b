"""The WeChat message endpoint (/wechat): signed (and in safe mode encrypted) posts in, replies out.

WeChat posts each message and waits 5 seconds for a passive reply; it retries a message it
thinks went unanswered. So a turn is answered passively when the core is done within the
deadline and the reply fits one text message; otherwise the endpoint answers "success" and the
reply goes through the outbox to the customer-service message API, like every later message
(a lawyer's answer, a reminder). A retried message is recognised by MsgId (events: sender and
CreateTime) and never reaches the core twice. No buttons in a passive reply: options are
numbered lines and a typed digit picks one.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import aiohttp
from aiohttp import web

from bot.channels.numbered import render_reply, render_turn
from bot.channels import wechat_voice
from bot.channels.wechat_api import WeChatApi
from bot.channels.wechat_protocol import (
    MAX_TEXT_BYTES,
    ProtocolError,
    SignatureError,
    WeChatCrypto,
    parse_xml,
    signature_ok,
    split_text,
    text_reply_xml,
    utf8_len,
)
from bot.channels.wechat_settings import WeChatSettings
from bot.runtime import Runtime
from bot.scheduler import tick
from common.catalog import Catalog, CatalogError
from common.messages import Notice, Reply
from handlers.events import ChannelInfo, Incoming, Kind
from storage.outbox import Topic, outbox_key

log = logging.getLogger(__name__)

CHANNEL = "wechat"
# No buttons in a passive reply: numbered lines; later messages through the customer-service
# API; no file sending (the customer-service API takes media ids, not documents).
WECHAT = ChannelInfo(CHANNEL, numbered=True, push=True, files=False, voice=True)
PATH = "/wechat"
MAX_BODY_BYTES = 64 * 1024  # real messages are a few hundred bytes
# A signed request older (or newer) than this is refused: replays inside the window are caught
# by the de-duplication memory, which keeps message ids exactly this long.
REPLAY_WINDOW_SECONDS = 600
MAX_REMEMBERED = 10_000
MAX_SIGNATURES = 100_000
TEXT_IDS = frozenset({"wechat.option_line", "wechat.menu_lawyer", "channel.no_document"})
SUCCESS = "success"  # tells WeChat "received, nothing to reply passively"

_MESSAGE_KINDS = {
    "voice": Kind.VOICE,
    "image": Kind.PHOTO,
    "video": Kind.PHOTO,
    "shortvideo": Kind.PHOTO,
    "location": Kind.LOCATION,
    "file": Kind.FILE,
    "link": Kind.OTHER,
}


def event_from_message(msg: dict[str, str], at: datetime) -> Incoming | None:
    """The core event for a WeChat message, or None for events nobody should answer."""
    common = dict(channel=CHANNEL, user_id=msg["FromUserName"], at=at, ref=log_ref(msg))
    msg_type = msg.get("MsgType", "")
    if msg_type == "text":
        return Incoming(kind=Kind.TEXT, text=msg.get("Content", ""), **common)
    if msg_type == "event":
        event = msg.get("Event", "").lower()
        if event == "subscribe":
            return Incoming(kind=Kind.TEXT, text="/start", **common)
        if event == "click":
            return Incoming(kind=Kind.BUTTON, payload=msg.get("EventKey", ""), **common)
        # unsubscribe, VIEW, automatic LOCATION reports, SCAN ...: nothing to say.
        return None
    return Incoming(kind=_MESSAGE_KINDS.get(msg_type, Kind.OTHER), **common)


def log_ref(msg: dict[str, str]) -> str:
    """Names a message in log lines without the person's openid."""
    return msg.get("MsgId") or f"{msg.get('Event', '?')}@{msg.get('CreateTime', '?')}"


def dedupe_key(msg: dict[str, str]) -> str:
    if msg.get("MsgId"):
        return f"msg:{msg['MsgId']}"
    # WeChat's advice is sender + CreateTime; the event and key keep two taps in one second apart.
    parts = (msg.get(name, "") for name in ("FromUserName", "CreateTime", "Event", "EventKey"))
    return "event:" + ":".join(parts)


@dataclass
class _Turn:
    """One incoming message and what became of its answer (for WeChat's retries)."""

    user_id: str
    key: str
    task: asyncio.Task[str]  # the rendered text of the core's replies
    seen_at: float
    mode: str = "waiting"  # "waiting" | "passive" (answered in the HTTP reply) | "push" (via outbox)
    passive: str | None = None


@dataclass
class RecentTurns:
    """Message ids seen lately, bounded in time and number."""

    window: float = REPLAY_WINDOW_SECONDS
    limit: int = MAX_REMEMBERED
    clock: Callable[[], float] = time.monotonic
    _turns: OrderedDict[str, _Turn] = field(default_factory=OrderedDict)

    def get(self, key: str) -> _Turn | None:
        self._prune()
        return self._turns.get(key)

    def add(self, turn: _Turn) -> None:
        self._turns[turn.key] = turn
        self._prune()

    def __len__(self) -> int:
        return len(self._turns)

    def _prune(self) -> None:
        oldest_kept = self.clock() - self.window
        while self._turns:
            first = next(iter(self._turns.values()))
            if len(self._turns) <= self.limit and first.seen_at >= oldest_kept:
                break
            self._turns.popitem(last=False)


class WeChatEndpoint:
    def __init__(self, runtime: Runtime, settings: WeChatSettings, api: WeChatApi):
        self.runtime = runtime
        self.settings = settings
        self.api = api
        missing = sorted(TEXT_IDS - runtime.services.texts.keys())
        if missing:  # fail at start-up, not on the first message
            raise CatalogError(f"common/texts.yaml has no {', '.join(missing)} ")
        self.token = settings.token.get_secret_value()
        key = settings.encoding_aes_key
        self.crypto = WeChatCrypto(self.token, key.get_secret_value(), settings.app_id) if key else None
        self.recent = RecentTurns()
        self._background: set[asyncio.Task] = set()
        # signature → (sha256 of the body it came with, when), oldest first; see _signature_fits_body
        self._seen_signatures: dict[str, tuple[bytes, float]] = {}

    @property
    def t(self) -> Catalog:
        return self.runtime.services.texts

    def option_line(self, number: int, label: str) -> str:
        return self.t("wechat.option_line", number=number, label=label)

    # --- the courier's sender: everything not said in a passive reply goes this way
    async def send(self, user_id: str, reply: Reply) -> None:
        # Numbered: once delivered, the core remembers these options, so a typed digit picks one.
        for piece in split_text(render_reply(reply, self.option_line), MAX_TEXT_BYTES):
            await self.api.send_text(user_id, piece)

    # --- HTTP
    def _signature_fits_body(self, signature: str, body: bytes) -> bool:
        """A signature seen with one body may come again (a retry) only with the same body.

        In plain mode the signature covers token, timestamp and nonce, not the body, so a query
        string seen once could carry a forged message for the replay window; this closes that.
        """
        now = time.monotonic()
        while self._seen_signatures and next(iter(self._seen_signatures.values()))[1] < now - REPLAY_WINDOW_SECONDS:
            self._seen_signatures.pop(next(iter(self._seen_signatures)))
        digest = hashlib.sha256(body).digest()
        seen = self._seen_signatures.get(signature)
        if seen is not None:
            return hmac.compare_digest(seen[0], digest)
        self._seen_signatures[signature] = (digest, now)
        while len(self._seen_signatures) > MAX_SIGNATURES:
            self._seen_signatures.pop(next(iter(self._seen_signatures)))
        return True

    def _authentic(self, request: web.Request) -> bool:
        q = request.query
        timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
        if not signature_ok((self.token, timestamp, nonce), q.get("signature", "")):
            return False
        try:
            skew = abs(time.time() - int(timestamp))
        except ValueError:
            return False
        if skew > REPLAY_WINDOW_SECONDS:
            log.warning("wechat: request timestamp %d s away from this server's clock", skew)
            return False
        return True

    async def handle_get(self, request: web.Request) -> web.Response:
        """The server verification handshake (服务器配置)."""
        if not self._authentic(request):
            raise web.HTTPForbidden()
        return web.Response(text=request.query.get("echostr", ""))

    async def handle_post(self, request: web.Request) -> web.Response:
        if not self._authentic(request):
            raise web.HTTPForbidden()
        body = await request.read()  # over client_max_size: 413 before anything is parsed
        q = request.query
        if not self._signature_fits_body(q.get("signature", ""), body):
            raise web.HTTPForbidden()
        try:
            msg = self._open(body, q)
        except SignatureError:
            raise web.HTTPForbidden() from None
        except ProtocolError as exc:
            log.warning("wechat: rejected a message: %s", exc)
            raise web.HTTPBadRequest() from None

        key = dedupe_key(msg)
        turn = self.recent.get(key)
        if turn is None:
            ev = event_from_message(msg, self.runtime.now())
            if ev is None:
                return web.Response(text=SUCCESS)
            turn = _Turn(ev.user_id, key, asyncio.create_task(self._run(ev, msg)), time.monotonic())
            self.recent.add(turn)
            await asyncio.wait({turn.task}, timeout=self.settings.reply_deadline_seconds)
        else:
            log.info("wechat: WeChat retried %s", log_ref(msg))
        text = self._settle(turn)
        if text is None:
            return web.Response(text=SUCCESS)
        reply = text_reply_xml(msg["FromUserName"], msg.get("ToUserName", ""), text, int(time.time()))
        if self.crypto is not None:
            reply = self.crypto.seal_reply(reply, str(int(time.time())), q.get("nonce", ""))
        return web.Response(text=reply, content_type="application/xml")

    def _open(self, body: bytes, q) -> dict[str, str]:
        msg = parse_xml(body)
        if self.crypto is not None:
            if q.get("encrypt_type") != "aes" or "Encrypt" not in msg:
                raise ProtocolError("a plain message, but the account is in safe mode")
            inner = self.crypto.open_message(
                msg["Encrypt"], q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", "")
            )
            msg = parse_xml(inner)
        elif q.get("encrypt_type", "raw") != "raw":
            raise ProtocolError("an encrypted message, but WECHAT_ENCODING_AES_KEY is not set")
        user = msg.get("FromUserName", "")
        if not user or len(user) > 128 or not msg.get("MsgType"):
            raise ProtocolError("no sender or message type")
        return msg

    async def _run(self, ev: Incoming, msg: dict[str, str]) -> str:
        try:
            ev = await wechat_voice.heard(self, msg, ev)
            outcome = await self.runtime.handle(ev)
            wechat_voice.speak_later(self, ev.user_id, outcome.replies)
            if outcome.notices:
                self.runtime.courier.wake()
            return render_turn(outcome.replies, self.option_line)
        except Exception:  # noqa: BLE001 - the person still gets an answer, WeChat no 500
            log.exception("wechat: %s failed", ev.ref)
            return self.t("error.apology")

    def _settle(self, turn: _Turn) -> str | None:
        """The passive reply text for this request, or None for "success" (pushed or nothing)."""
        if turn.mode == "passive":
            return turn.passive
        if turn.mode == "waiting":
            if turn.task.done() and utf8_len(turn.task.result()) <= MAX_TEXT_BYTES:
                turn.mode, turn.passive = "passive", turn.task.result() or None
                return turn.passive
            # Too slow, too long, or WeChat already gave up on the first request: push it.
            turn.mode = "push"
            self._spawn(self._push(turn))
        return None

    async def _push(self, turn: _Turn) -> None:
        text = await turn.task
        if not text:
            return
        # Through the outbox, so a failed send is retried and stays in order with other messages.
        key = outbox_key(Topic.LATE_REPLY, turn.key)
        await self.runtime.services.store.enqueue(Notice(CHANNEL, turn.user_id, Reply(text), key), self.runtime.now())
        self.runtime.courier.wake()

    def _spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def close(self) -> None:
        # Replies already promised ("success" was answered) get a few seconds to reach the outbox.
        if self._background:
            await asyncio.wait(set(self._background), timeout=10)
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)


ENDPOINT = web.AppKey("wechat_endpoint", WeChatEndpoint)


def create_app(
    runtime: Runtime, settings: WeChatSettings, api_clock: Callable[[], float] = time.monotonic
) -> web.Application:
    """The /wechat application over an open runtime; the caller closes the runtime."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)

    async def lifecycle(app: web.Application):
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            endpoint = WeChatEndpoint(runtime, settings, WeChatApi(session, settings, api_clock))
            app[ENDPOINT] = endpoint
            runtime.attach(WECHAT, endpoint.send)
            runtime.courier.start(lambda: tick(runtime), settings.deliver_every_seconds)
            yield
            await runtime.courier.stop()
            await endpoint.close()

    async def get(request: web.Request) -> web.StreamResponse:
        return await request.app[ENDPOINT].handle_get(request)

    async def post(request: web.Request) -> web.StreamResponse:
        return await request.app[ENDPOINT].handle_post(request)

    app.cleanup_ctx.append(lifecycle)
    app.router.add_get(PATH, get)
    app.router.add_post(PATH, post)
    return app
