"""The WeChat Official Account channel (微信公众号): an aiohttp endpoint over the dialogue core.

    legalaid wechat --listen 0.0.0.0 --port 8080    serve the message endpoint at /wechat
    legalaid wechat menu                             create the account's custom menu

WeChat posts each message to /wechat and waits 5 seconds for a passive reply; it retries a
message it thinks went unanswered. So a turn is answered passively when the core is done within
the deadline and the reply fits one text message; otherwise the endpoint answers "success" and
the reply goes through the outbox to the customer-service message API, like every later message
(a lawyer's answer, a reminder). A retried message is recognised by MsgId (events: sender and
CreateTime) and never reaches the core twice.

WeChat cannot show buttons in a passive reply, so options are numbered lines; the core maps a
typed digit back to the option (NUMBERED_CHANNELS).
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import hashlib
import json
import logging
import sys
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
from aiohttp import web
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.catalog import Catalog, CatalogError
from bot.channels.wechat_protocol import (
    MAX_TEXT_BYTES,
    ProtocolError,
    SignatureError,
    WeChatCrypto,
    aes_key,
    parse_xml,
    signature_ok,
    split_text,
    text_reply_xml,
    utf8_len,
)
from common.config import Settings
from bot.runtime import Runtime
from bot.scheduler import tick
from common.messages import Notice, Reply
from storage.outbox import Topic, outbox_key
from handlers.events import ChannelInfo, Incoming, Kind
from handlers.menu import MAIN_MENU

log = logging.getLogger(__name__)

CHANNEL = "wechat"
# No buttons in a passive reply: numbered lines; later messages through the customer-service API.
WECHAT = ChannelInfo(CHANNEL, numbered=True)
PATH = "/wechat"
MAX_BODY_BYTES = 64 * 1024  # real messages are a few hundred bytes
# A signed request older (or newer) than this is refused: replays inside the window are caught
# by the de-duplication memory, which keeps message ids exactly this long.
REPLAY_WINDOW_SECONDS = 600
MAX_REMEMBERED = 10_000
# Refreshing a token this long before WeChat says it expires avoids using one that just lapsed.
TOKEN_MARGIN_SECONDS = 300
# Errcodes that mean "this access_token is no longer good": fetch a new one and try once more.
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
TEXT_IDS = frozenset({"wechat.option_line", "wechat.menu_lawyer", "wechat.no_document"})
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


def _env(name: str) -> dict:
    return {"validation_alias": AliasChoices(name)}


class WeChatSettings(BaseSettings):
    """WECHAT_* variables, read only when the WeChat channel starts (the other commands never need them)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    token: SecretStr = Field(..., **_env("WECHAT_TOKEN"))
    app_id: str = Field(..., min_length=1, **_env("WECHAT_APP_ID"))
    app_secret: SecretStr = Field(..., **_env("WECHAT_APP_SECRET"))
    # Set: safe mode (安全模式), every message encrypted. Unset: plain mode (明文模式).
    encoding_aes_key: SecretStr | None = Field(None, **_env("WECHAT_ENCODING_AES_KEY"))
    api_base_url: str = Field("https://api.weixin.qq.com", **_env("WECHAT_API_BASE_URL"))
    # WeChat waits 5 s for a passive reply; past this the reply goes by customer-service message.
    reply_deadline_seconds: float = Field(4.0, gt=0, le=4.5, **_env("WECHAT_REPLY_DEADLINE_SECONDS"))
    deliver_every_seconds: float = Field(5.0, gt=0, le=300, **_env("WECHAT_DELIVER_EVERY_SECONDS"))

    @field_validator("encoding_aes_key")
    @classmethod
    def _key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value():
            aes_key(value.get_secret_value())
            return value
        return None

    @field_validator("api_base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")


# --------------------------------------------------------------------------- rendering


def render_reply(reply: Reply, t: Catalog, numbered: bool) -> str:
    lines = [reply.text]
    if numbered:
        lines += [t("wechat.option_line", number=n, label=o.label) for n, o in enumerate(reply.options, 1)]
    if reply.document is not None:
        lines.append(t("wechat.no_document", filename=reply.document.filename))
    return "\n".join(lines)


def render_replies(replies: list[Reply], t: Catalog) -> str:
    """One text for a turn. Only the last reply with options gets numbers: those are the ones the
    core remembers, so a typed digit picks from them."""
    numbered_at = max((i for i, r in enumerate(replies) if r.options), default=-1)
    return "\n\n".join(render_reply(r, t, numbered=i == numbered_at) for i, r in enumerate(replies))


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


def menu_definition(t: Catalog) -> dict[str, Any]:
    """The custom menu: WeChat allows 3 top-level buttons, so the lawyer entries share one."""
    (faq_id, faq_key), (elig_id, elig_key), *lawyer = MAIN_MENU
    return {
        "button": [
            {"type": "click", "name": t(faq_id), "key": faq_key},
            {"type": "click", "name": t(elig_id), "key": elig_key},
            {
                "name": t("wechat.menu_lawyer"),
                "sub_button": [{"type": "click", "name": t(i), "key": key} for i, key in lawyer],
            },
        ]
    }


# --------------------------------------------------------------------------- the API client


class WeChatApiError(Exception):
    def __init__(self, errcode: int, errmsg: str):
        super().__init__(f"WeChat API errcode {errcode}: {errmsg}")
        self.errcode = errcode


class WeChatApi:
    """The few API calls the channel makes, with one cached access_token.

    Tokens and secrets travel in query strings, so errors are re-raised without the URL.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        settings: WeChatSettings,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.session = session
        self.settings = settings
        self.clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()  # one token fetch at a time

    async def access_token(self) -> str:
        async with self._lock:
            if self._token is not None and self.clock() < self._expires_at:
                return self._token
            data = await self._request(
                "GET",
                "/cgi-bin/token",
                params={
                    "grant_type": "client_credential",
                    "appid": self.settings.app_id,
                    "secret": self.settings.app_secret.get_secret_value(),
                },
            )
            if not isinstance(data.get("access_token"), str):
                raise WeChatApiError(int(data.get("errcode", -1)), str(data.get("errmsg", "no access_token")))
            expires_in = int(data.get("expires_in", 7200))
            self._token = data["access_token"]
            self._expires_at = self.clock() + expires_in - min(TOKEN_MARGIN_SECONDS, expires_in / 2)
            log.info("wechat: new access_token, valid %d s", expires_in)
            return self._token

    def _forget(self, token: str) -> None:
        if self._token == token:  # another call may have fetched a fresh one already
            self._token = None

    async def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST a JSON call; a stale token is refreshed and the call made once more."""
        for attempt in range(2):
            token = await self.access_token()
            data = await self._request("POST", path, params={"access_token": token}, payload=payload)
            errcode = int(data.get("errcode", 0))
            if errcode == 0:
                return data
            if errcode in TOKEN_ERRCODES and attempt == 0:
                log.info("wechat: access_token refused (%d); fetching a new one", errcode)
                self._forget(token)
                continue
            raise WeChatApiError(errcode, str(data.get("errmsg", "")))
        raise AssertionError("unreachable")

    async def _request(
        self, method: str, path: str, params: dict[str, str], payload: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        # Chinese goes as UTF-8 rather than \u escapes, as wechatpy sends it.
        body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"} if body is not None else None
        try:
            async with self.session.request(
                method, self.settings.api_base_url + path, params=params, data=body, headers=headers
            ) as resp:
                if resp.status != 200:
                    raise WeChatApiError(-resp.status, f"HTTP {resp.status} from {path}")
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise WeChatApiError(-1, f"{type(exc).__name__} calling {path}") from None
        if not isinstance(data, dict):
            raise WeChatApiError(-1, f"unexpected answer from {path}")
        return data

    async def send_text(self, openid: str, text: str) -> None:
        await self.call("/cgi-bin/message/custom/send", {"touser": openid, "msgtype": "text", "text": {"content": text}})

    async def create_menu(self, menu: dict[str, Any]) -> None:
        await self.call("/cgi-bin/menu/create", menu)


# --------------------------------------------------------------------------- the endpoint


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
        self._wake = asyncio.Event()
        self._background: set[asyncio.Task] = set()
        # signature → (sha256 of the body it came with, when), oldest first; see _signature_fits_body
        self._seen_signatures: dict[str, tuple[bytes, float]] = {}

    @property
    def t(self) -> Catalog:
        return self.runtime.services.texts

    # --- the courier's sender: everything not said in a passive reply goes this way
    async def send(self, user_id: str, reply: Reply) -> None:
        # Numbered: once delivered, the core remembers these options, so a typed digit picks one.
        for piece in split_text(render_reply(reply, self.t, numbered=True), MAX_TEXT_BYTES):
            await self.api.send_text(user_id, piece)

    def wake_courier(self) -> None:
        self._wake.set()

    async def deliver_forever(self) -> None:
        """The scheduler's tick at start (catching up on what fell due while we were down) and every
        few seconds; a plain delivery pass on every wake-up after an event."""
        woken = False
        while True:
            self._wake.clear()
            try:
                await (self.runtime.courier.deliver() if woken else tick(self.runtime))
            except Exception:  # noqa: BLE001 - the loop must outlive a bad pass (database busy ...)
                log.exception("wechat: delivery pass failed")
            try:
                await asyncio.wait_for(self._wake.wait(), self.settings.deliver_every_seconds)
                woken = True
            except TimeoutError:
                woken = False

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
        while len(self._seen_signatures) > 100_000:
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
            turn = _Turn(ev.user_id, key, asyncio.create_task(self._run(ev)), time.monotonic())
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

    async def _run(self, ev: Incoming) -> str:
        try:
            outcome = await self.runtime.dialogue.handle(ev)
            if outcome.notices:
                self.wake_courier()
            return render_replies(outcome.replies, self.t)
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
        self.wake_courier()

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
            loop = asyncio.create_task(endpoint.deliver_forever())
            yield
            loop.cancel()
            await asyncio.gather(loop, return_exceptions=True)
            await endpoint.close()

    async def get(request: web.Request) -> web.StreamResponse:
        return await request.app[ENDPOINT].handle_get(request)

    async def post(request: web.Request) -> web.StreamResponse:
        return await request.app[ENDPOINT].handle_post(request)

    app.cleanup_ctx.append(lifecycle)
    app.router.add_get(PATH, get)
    app.router.add_post(PATH, post)
    return app


# --------------------------------------------------------------------------- command line


def add_parser(sub: argparse._SubParsersAction) -> None:
    wechat = sub.add_parser("wechat", help="WeChat Official Account endpoint (WECHAT_* settings)")
    wechat.add_argument("--listen", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    wechat.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    actions = wechat.add_subparsers(dest="wechat_command")
    actions.add_parser("menu", help="create the account's custom menu from the text catalog")


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        wechat_settings = WeChatSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = first["loc"][0] if first["loc"] else "WECHAT_*"
        print(f"invalid configuration {name}: {first['msg']}", file=sys.stderr)
        return 2
    from common.catalog import load_catalog

    missing = sorted(TEXT_IDS - load_catalog().keys())
    if missing:
        print(f"legalaid: common/texts.yaml has no {', '.join(missing)}", file=sys.stderr)
        return 2
    if getattr(args, "wechat_command", None) == "menu":
        return asyncio.run(_create_menu(wechat_settings))
    web.run_app(_serving(settings, wechat_settings), host=args.listen, port=args.port, access_log=None,
                print=lambda line: log.info("%s", line.strip()))
    return 0


async def _serving(settings: Settings, wechat_settings: WeChatSettings) -> web.Application:
    runtime = await Runtime.open(settings)
    try:
        app = create_app(runtime, wechat_settings)
    except BaseException:
        await runtime.close()  # an open aiosqlite connection would keep the process alive
        raise

    async def close_runtime(_: web.Application):
        yield
        await runtime.close()

    # First in, last out: the runtime closes after the endpoint, even if the endpoint failed to start.
    app.cleanup_ctx.insert(0, close_runtime)
    mode = "safe (encrypted)" if wechat_settings.encoding_aes_key else "plain"
    log.info("wechat: %s mode, replying within %.1f s", mode, wechat_settings.reply_deadline_seconds)
    return app


async def create_menu(api: WeChatApi, t: Catalog) -> dict[str, Any]:
    menu = menu_definition(t)
    await api.create_menu(menu)
    return menu


async def _create_menu(settings: WeChatSettings) -> int:
    from common.catalog import load_catalog

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        try:
            menu = await create_menu(WeChatApi(session, settings), load_catalog())
        except WeChatApiError as exc:
            print(f"legalaid: menu not created: {exc}", file=sys.stderr)
            return 1
    print("menu created: " + " | ".join(b["name"] for b in menu["button"]))
    return 0
