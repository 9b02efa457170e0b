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
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from contextlib import suppress

import aiohttp
from aiohttp import web

from bot.channels.numbered import render_reply, render_turn
from bot.channels import wechat_voice
from bot.channels.wechat_admission import Admission
from bot.channels.wechat_events import (
    CHANNEL, REPLAY_WINDOW_SECONDS, InOrder, RecentTurns, _Turn, dedupe_key, event_from_message, log_ref,
)
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
from handlers.events import ChannelInfo, Incoming, Outcome
from storage.outbox import Topic, outbox_key

log = logging.getLogger(__name__)

# No buttons in a passive reply: numbered lines; later messages through the customer-service
# API; no file sending (the customer-service API takes media ids, not documents).
WECHAT = ChannelInfo(CHANNEL, numbered=True, push=True, files=False, voice=True)
PATH = "/wechat"
MAX_BODY_BYTES = 64 * 1024  # real messages are a few hundred bytes
MAX_SIGNATURES = 100_000
TEXT_IDS = frozenset({"wechat.option_line", "wechat.menu_lawyer", "channel.no_document"})
SUCCESS = "success"  # tells WeChat "received, nothing to reply passively"
ARRIVED = web.RequestKey("arrived", float)  # the event loop's time when aiohttp began the request


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
        self._in_order = InOrder()
        self.admission = Admission()
        self._behind: Counter[str] = Counter()  # people with a message accepted and not yet run
        self._marking: dict[str, asyncio.Task] = {}  # person -> marking their passive reply sent
        self._background: set[asyncio.Task] = set()
        self._queued: set[asyncio.Task] = set()  # accepted messages whose turn waits for a slot
        # signature → (sha256 of the body it came with, when), oldest first; see _signature_fits_body
        self._seen_signatures: dict[str, tuple[bytes, float]] = {}

    @property
    def t(self) -> Catalog:
        return self.runtime.services.texts.numbered()  # no buttons here: 回复数字, never 点按钮

    def option_line(self, number: int, label: str) -> str:
        return self.t("wechat.option_line", number=number, label=label)

    # --- the courier's sender: everything not said in a passive reply goes this way
    async def send(self, user_id: str, reply: Reply) -> None:
        # Numbered: once delivered, the core remembers these options, so a typed digit picks one.
        for piece in split_text(render_reply(reply, self.option_line), MAX_TEXT_BYTES):
            await self.api.send_text(user_id, piece)

    # --- HTTP
    async def _signature_fits_body(self, q, body: bytes) -> bool:
        """A signed request seen with one body may come again (a retry) only with the same body.

        In plain mode the signature covers token, timestamp and nonce, not the body, so a query
        string seen once (in a proxy's log) could carry a forged message for the replay window;
        the binding is kept in the database too, so a restart does not open that window again.
        """
        signature = q.get("signature", "")
        now = time.monotonic()
        while self._seen_signatures and next(iter(self._seen_signatures.values()))[1] < now - REPLAY_WINDOW_SECONDS:
            self._seen_signatures.pop(next(iter(self._seen_signatures)))
        digest = hashlib.sha256(body).digest()
        seen = self._seen_signatures.get(signature)
        if seen is not None:
            return hmac.compare_digest(seen[0], digest)
        if self.crypto is None:  # safe mode: msg_signature covers the encrypted body itself
            request_key = f"{signature}:{q.get('timestamp', '')}:{q.get('nonce', '')}"
            if not await self.runtime.services.store.bind_signed_body(request_key, digest.hex(), self.runtime.now()):
                return False
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

    async def handle_post(self, request: web.Request) -> web.StreamResponse:
        loop = asyncio.get_running_loop()
        # WeChat's 5 s run from when it sent the request: count from its arrival, not from now.
        deadline = self.admission.deadline(request.get(ARRIVED, loop.time()), self.settings.reply_deadline_seconds)
        if not self._authentic(request):
            raise web.HTTPForbidden()
        body = await request.read()  # over client_max_size: 413 before anything is parsed
        q = request.query
        if not await self._signature_fits_body(q, body):
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
        if turn is not None:  # WeChat retried: the first copy's answer, never a second turn
            log.info("wechat: WeChat retried %s", log_ref(msg))
            with suppress(TimeoutError):
                return self._respond(msg, q, await asyncio.wait_for(asyncio.shield(turn.answer),
                                                                    max(0.0, deadline - loop.time())))
            return web.Response(text=SUCCESS)
        turn = _Turn(key, time.monotonic(), loop.create_future())
        self.recent.add(turn)
        try:
            return await self._answer(request, msg, turn, deadline)
        except Exception:
            self.recent.forget(key)  # WeChat's retry must get a turn of its own, not a "success" from memory
            raise
        finally:
            if not turn.answer.done():
                turn.answer.set_result(None)

    async def _answer(self, request: web.Request, msg: dict[str, str], turn: _Turn, deadline: float) -> web.StreamResponse:
        ev = event_from_message(msg, self.runtime.now())
        if ev is None:
            return web.Response(text=SUCCESS)
        store, courier = self.runtime.services.store, self.runtime.courier
        # Seen before a restart? The turn recognises a handled event (nothing to say: "success",
        # its replies, if any are left, go from the outbox); accepting recognises any known one.
        if self._behind[ev.user_id] or not await self.admission.enter(deadline):
            return await self._accept(ev, msg)  # no passive reply could be ready in time
        loop = asyncio.get_running_loop()
        if (marking := self._marking.get(ev.user_id)) is not None:
            # Their last passive reply is being marked sent: until it is, it would count as undelivered.
            await asyncio.wait({marking}, timeout=max(0.0, deadline - loop.time()))
        started = loop.time()
        courier.hold(CHANNEL, ev.user_id)  # its replies are answered here, not by the courier
        task = asyncio.create_task(self._run(ev, msg))
        task.add_done_callback(lambda _: self.admission.leave(loop.time() - started))
        pushed = False
        try:
            await asyncio.wait({task}, timeout=max(0.0, deadline - loop.time()))
            if not task.done():
                # Too slow after all: keep it durably before saying "success" (a no-op if its turn
                # was saved meanwhile); its replies then go by customer-service message.
                await store.accept_event(CHANNEL, ev.key, json.dumps(msg, ensure_ascii=False), self.runtime.now())
        finally:
            if not task.done():
                pushed = True
                self._spawn(self._pushed(ev, task))
        if pushed:
            return web.Response(text=SUCCESS)
        outcome = task.result()
        try:
            text = render_turn(outcome.replies, self.option_line) if outcome is not None else self.t("error.apology")
            # Behind: an earlier reply to them is still in the outbox (pushed late, or waiting for a
            # retry); answering now would overtake it, and a digit typed next would pick from the wrong list.
            behind = outcome is not None and outcome.behind
            if behind or not text or utf8_len(text) > MAX_TEXT_BYTES or loop.time() > deadline:
                courier.release(CHANNEL, ev.user_id)
                self._pushed_now(ev, outcome)
                return web.Response(text=SUCCESS)
            turn.answer.set_result(text)
            response = self._respond(msg, request.query, text)
        except Exception:  # never left held: the courier sends what the turn saved
            courier.release(CHANNEL, ev.user_id)
            self._pushed_now(ev, outcome)
            raise
        try:
            await response.prepare(request)
            await response.write_eof()
        finally:
            # Written: marked sent in a task of its own, which a shutdown waits for. A crash between
            # the write and the mark sends it once more by customer-service message (never lost).
            self._marking[ev.user_id] = self._spawn(self._mark_passive(ev, outcome))
        return response

    async def _mark_passive(self, ev: Incoming, outcome: Outcome | None) -> None:
        try:
            await self.runtime.services.store.replies_delivered(outcome.queued if outcome is not None else ())
        finally:
            self.runtime.courier.release(CHANNEL, ev.user_id)
            if self._marking.get(ev.user_id) is asyncio.current_task():
                del self._marking[ev.user_id]
        if outcome is not None and outcome.notices:
            self.runtime.courier.wake()  # messages for others (a question to the duty lawyer)

    def _respond(self, msg: dict[str, str], q, text: str | None) -> web.Response:
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

    async def _run(self, ev: Incoming, msg: dict[str, str]) -> Outcome | None:
        """The turn, saved with its replies in the outbox; None if it failed before it was saved."""
        try:
            async with self._in_order.turn(ev.user_id):
                ev = await wechat_voice.heard(self, msg, ev)
                outcome = await self.runtime.handle(ev)
            wechat_voice.speak_later(self, ev.user_id, outcome.replies)
            return outcome
        except Exception:  # noqa: BLE001 - the person still gets an answer, WeChat no 500
            log.exception("wechat: %s failed", ev.ref)
            return None

    async def _accept(self, ev: Incoming, msg: dict[str, str]) -> web.Response:
        """Kept in the inbox first ("success" only after a commit), then run in the background."""
        if await self.runtime.services.store.accept_event(CHANNEL, ev.key, json.dumps(msg, ensure_ascii=False), ev.at):
            self._later(ev, msg)
        else:  # known from before a restart: handled, or run by `recover`
            log.info("wechat: %s arrived again after a restart", ev.ref)
            self.runtime.courier.wake()
        return web.Response(text=SUCCESS)

    def _later(self, ev: Incoming, msg: dict[str, str]) -> None:
        self._behind[ev.user_id] += 1  # this person's next messages queue behind it, in order

        async def run() -> None:
            try:
                async with self.admission.background():
                    self._queued.discard(asyncio.current_task())
                    outcome = await self._run(ev, msg)
            finally:
                self._behind[ev.user_id] -= 1
                if not self._behind[ev.user_id]:
                    del self._behind[ev.user_id]
            self._pushed_now(ev, outcome)

        task = self._spawn(run())
        self._queued.add(task)
        task.add_done_callback(self._queued.discard)

    async def _pushed(self, ev: Incoming, task: asyncio.Task) -> None:
        try:
            outcome = await task
        finally:
            self.runtime.courier.release(CHANNEL, ev.user_id)
        self._pushed_now(ev, outcome)

    def _pushed_now(self, ev: Incoming, outcome: Outcome | None) -> None:
        """Its replies (saved in the outbox) go by customer-service message."""
        text = None
        if outcome is None:  # the turn failed after "success" was answered: an apology, never silence
            text = self.t("error.apology")
        elif outcome.replies and not outcome.queued:  # not saved with a turn (slow down): a late reply
            text = render_turn(outcome.replies, self.option_line)
        if text:
            notice = Notice(CHANNEL, ev.user_id, Reply(text), outbox_key(Topic.LATE_REPLY, ev.key))
            self._spawn(self.runtime.services.store.enqueue(notice, self.runtime.now()))
        self.runtime.courier.wake()

    async def recover(self) -> None:
        """Messages answered "success" whose turn a crash cut short: run them now, in order."""
        for raw in await self.runtime.services.store.waiting_events(CHANNEL):
            msg = json.loads(raw)
            ev = event_from_message(msg, self.runtime.now())
            if ev is not None:
                log.info("wechat: running %s, accepted before a restart", ev.ref)
                self._later(ev, msg)

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def close(self) -> None:
        # A turn still waiting for a slot is kept in the inbox and runs after the restart (`recover`):
        # under saturation hundreds wait, 2 at a time, and waiting for them only delayed the shutdown
        # by the whole timeout. Turns running now and passive replies being marked sent get a few seconds.
        for task in list(self._queued):
            task.cancel()
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
    @web.middleware
    async def arrival(request: web.Request, handler):
        request[ARRIVED] = asyncio.get_running_loop().time()
        return await handler(request)

    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[arrival])

    async def lifecycle(app: web.Application):
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            endpoint = WeChatEndpoint(runtime, settings, WeChatApi(session, settings, api_clock))
            app[ENDPOINT] = endpoint
            runtime.attach(WECHAT, endpoint.send)
            runtime.courier.start(lambda: tick(runtime), settings.deliver_every_seconds)
            endpoint._spawn(endpoint.recover())
            endpoint.admission.watch()
            yield
            await endpoint.admission.close()
            await endpoint.close()  # replies answered passively are marked sent before the courier stops
            await runtime.courier.stop()

    async def get(request: web.Request) -> web.StreamResponse:
        return await request.app[ENDPOINT].handle_get(request)

    async def post(request: web.Request) -> web.StreamResponse:
        return await request.app[ENDPOINT].handle_post(request)

    app.cleanup_ctx.append(lifecycle)
    app.router.add_get(PATH, get)
    app.router.add_post(PATH, post)
    return app
