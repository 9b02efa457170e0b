"""The Telegram channel: python-telegram-bot's Application over the dialogue core.

Services are opened in `post_init` and closed in `post_shutdown` (an open aiosqlite
connection would keep the process alive at exit). Messages are sent as plain text, never
parsed as markup, so nothing a person types can change how a reply renders.

Updates of different people are handled concurrently (one slow person must not hold up the
others); one person's updates are handled one at a time, in the order they were sent, so their
replies arrive in order too (`ChatOrderedUpdateProcessor`).
Failed Bot API calls are retried: 429 after its retry_after, 5xx, connection errors and
timeouts with back-off (see `RetryingRateLimiter`). A reply retried after a timeout may
arrive twice; that is preferred to it not arriving at all.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import ssl
import sys
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import aiohttp
import certifi
from aiohttp.helpers import get_env_proxy_for_url
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from yarl import URL

from common.config import Settings
from bot.runtime import Runtime
from bot.scheduler import tick
from common.messages import Reply
from handlers.events import ChannelInfo, Incoming, Kind
from handlers.menu import main_menu_options

log = logging.getLogger(__name__)
CHANNEL = "telegram"
# Inline buttons, pushed messages and documents.
TELEGRAM = ChannelInfo(CHANNEL, numbered=False, files=True)
RUNTIME = "runtime"
CHAT_LOCKS = "chat_locks"

# The update types the bot acts on; Telegram is asked for these only (polling and webhook).
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]

# Inline keyboards: one big button per row, two per row only when the list is long.
WIDE_AFTER = 6

# Telegram's flood limit across all chats ("about 30 messages per second"); None lifts it
# (only for benchmarks against a fake server).
FLOOD_LIMIT_PER_SECOND: float | None = 30
RATE_LIMIT_RETRIES = 3  # 429 Too Many Requests, each after its retry_after
NETWORK_RETRIES = 3  # 5xx, refused connections and timeouts
NETWORK_BACKOFF_SECONDS = 0.5  # doubled after each failed attempt
# PTB's default timeouts; named here so tests can shorten them.
READ_TIMEOUT_SECONDS = 5.0
WRITE_TIMEOUT_SECONDS = 5.0
MEDIA_WRITE_TIMEOUT_SECONDS = 20.0  # uploads (documents)
CONNECT_TIMEOUT_SECONDS = 5.0
# Queued messages for Telegram users (lawyers' answers, reminders) go out at least this often.
OUTBOX_INTERVAL_SECONDS = 5.0
# The scheduler's jobs (reminders at 18:00 need no finer grain than this).
TICK_SECONDS = 30.0
# People whose turns run at the same time; others wait their turn (in arrival order).
CONCURRENT_CHATS = 32
# Updates accepted before the update queue stops being read (PTB's own limit).
UPDATE_BACKLOG = 4096
# Connections to the Bot API; at Telegram's 30 msg/s only a few are busy at a time.
CONNECTION_POOL_SIZE = 32
POOL_TIMEOUT_SECONDS = 10.0  # waiting for a free connection is not a failure
# "aiohttp" (AiohttpRequest) or "httpx" (PTB's own HTTPXRequest).
HTTP_CLIENT = "aiohttp"
# Start-up calls: the bootstrap loops (PTB's in run_polling, ours in webhook mode) retry these
# with their own, longer back-off, forever.
BOOTSTRAP_ENDPOINTS = frozenset({"getMe", "deleteWebhook", "setWebhook"})


def skip_missing_sniffio_lookups() -> None:
    """Make httpcore's per-request `import sniffio` cheap when sniffio is not installed.

    Only matters with HTTP_CLIENT = "httpx". httpcore 1.0 imports sniffio inside
    `current_async_library()`, called many times per request; newer anyio and httpx no longer
    install sniffio, and a failed import is not cached, so each call searches sys.path again
    (about 2 ms of CPU per Bot API call). Installing sniffio is the real fix; this records the
    miss once.
    """
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]  # `import sniffio` fails at once


class AiohttpRequest(BaseRequest):
    """PTB's HTTP layer on aiohttp (already a dependency) instead of httpx.

    Why: a sendMessage costs about 1.25 ms of CPU through PTB + httpx and 0.55 ms through PTB +
    aiohttp (fake Bot API included; httpcore scans its pool and checks every idle socket on each
    request). A turn makes two or three calls, and the bot process spends a third less CPU per
    message with this transport (bench/telegram_e2e.py, rows b and b'). Behaviour follows
    `HTTPXRequest.do_request`: timeouts raise TimedOut, other transport failures NetworkError,
    and HTTP_PROXY/HTTPS_PROXY from the environment are honoured. aiohttp has no write timeout
    of its own, so a request as a whole is bounded by the sum of its timeouts.
    """

    def __init__(
        self,
        *,
        connection_pool_size: int = CONNECTION_POOL_SIZE,
        read_timeout: float | None = READ_TIMEOUT_SECONDS,
        write_timeout: float | None = WRITE_TIMEOUT_SECONDS,
        connect_timeout: float | None = CONNECT_TIMEOUT_SECONDS,
        pool_timeout: float | None = POOL_TIMEOUT_SECONDS,
        media_write_timeout: float | None = MEDIA_WRITE_TIMEOUT_SECONDS,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, tuple[URL | None, aiohttp.BasicAuth | None]] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    def _proxy(self, url: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
        """HTTP(S)_PROXY (and its credentials) for the URL's host, looked up once per host.

        aiohttp's trust_env would look this up, and read ~/.netrc, in a thread on every request.
        """
        target = URL(url)
        key = f"{target.scheme}://{target.host}"
        if key not in self._proxies:
            try:
                self._proxies[key] = get_env_proxy_for_url(target)
            except LookupError:
                self._proxies[key] = (None, None)
        return self._proxies[key]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # The same certificate authorities as PTB's httpx client: certifi's, or SSL_CERT_FILE.
            trusted = ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE") or certifi.where())
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ssl=trusted),
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets no cookies
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None

        def given(value: Any, default: float | None) -> float | None:
            return default if value is BaseRequest.DEFAULT_NONE else value

        read = given(read_timeout, self._read_timeout)
        write = given(write_timeout, self._media_write_timeout if files else self._write_timeout)
        connect = given(connect_timeout, self._connect_timeout)
        pool = given(pool_timeout, self._pool_timeout)
        parts = (read, write, connect, pool)
        timeout = aiohttp.ClientTimeout(
            total=None if None in parts else sum(parts),  # type: ignore[arg-type]
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        body: aiohttp.FormData | dict[str, str] | None = fields
        if files:
            # quote_fields=False: file names go as UTF-8, as httpx sends them; percent-encoded
            # names would be shown to people as "%E6%B3%95…".
            body = aiohttp.FormData(fields or {}, quote_fields=False)
            for name, (filename, content, mime_type) in files.items():
                body.add_field(name, content, filename=filename, content_type=mime_type)
        try:
            proxy, proxy_auth = self._proxy(url)
            async with self._session.request(
                method, url, data=body, timeout=timeout, proxy=proxy, proxy_auth=proxy_auth
            ) as response:
                return response.status, await response.read()
        # `from None`: aiohttp's messages and causes quote the request URL, which holds the bot token.
        except TimeoutError:  # aiohttp's timeouts are TimeoutError subclasses
            raise TimedOut from None
        except (aiohttp.ClientError, OSError) as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}") from None


def proxy_needs_httpx(environ: dict[str, str] | None = None) -> bool:
    """Whether the proxy settings are ones AiohttpRequest would get wrong.

    aiohttp understands only http:// proxies from HTTP(S)_PROXY; it ignores ALL_PROXY, drops an
    https:// proxy and treats socks5:// as http. In mainland China Telegram is reached only
    through a proxy, so those settings go to PTB's own httpx transport instead.
    """
    env = {k.lower(): v for k, v in (os.environ if environ is None else environ).items()}
    if env.get("all_proxy"):
        return True
    return any(
        env.get(name) and URL(env[name]).scheme != "http" for name in ("http_proxy", "https_proxy")
    )


def _requests(client: str) -> tuple[BaseRequest, BaseRequest]:
    """The request objects for Bot API calls and for getUpdates (one connection, as PTB does)."""
    timeouts = dict(
        read_timeout=READ_TIMEOUT_SECONDS,
        write_timeout=WRITE_TIMEOUT_SECONDS,
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        media_write_timeout=MEDIA_WRITE_TIMEOUT_SECONDS,
    )
    if client == "httpx":
        return (
            HTTPXRequest(connection_pool_size=CONNECTION_POOL_SIZE, **timeouts),
            HTTPXRequest(connection_pool_size=1, **timeouts),
        )
    return (
        AiohttpRequest(connection_pool_size=CONNECTION_POOL_SIZE, **timeouts),
        AiohttpRequest(connection_pool_size=1, **timeouts),
    )


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter, which retries only RetryAfter (429), plus retries of transient failures.

    PTB raises NetworkError for 5xx answers and connection errors and TimedOut (a NetworkError)
    for timeouts; BadRequest is a NetworkError subclass too but is never transient.
    """

    def __init__(self, *, network_retries: int, backoff: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._network_retries = network_retries
        self._backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Any],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        attempt = 0
        while True:
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise
            except NetworkError as exc:
                if endpoint in BOOTSTRAP_ENDPOINTS:
                    log.warning("%s failed (%s: %s); start-up keeps retrying",
                                endpoint, type(exc).__name__, exc)
                    raise
                if attempt >= self._network_retries:
                    raise
                delay = self._backoff * 2**attempt
                attempt += 1
                log.warning(
                    "%s failed (%s: %s); retry %d of %d in %.1f s",
                    endpoint, type(exc).__name__, exc, attempt, self._network_retries, delay,
                )
                await asyncio.sleep(delay)


class ChatLocks:
    """One asyncio.Lock per chat, forgotten when nobody holds or waits for it.

    Not re-entrant: nothing that runs inside an update (handlers, the error handler) may take
    the lock of its own chat again.
    """

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[int | str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    @asynccontextmanager
    async def hold(self, chat_id: int | str) -> AsyncIterator[None]:
        lock = self._locks.get(chat_id)
        if lock is None:
            lock = self._locks[chat_id] = asyncio.Lock()
        async with lock:
            yield


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """One chat's updates one at a time and in arrival order; up to `max_chats` chats at once.

    PTB takes its semaphore (`max_concurrent_updates`) before `do_process_update`, so that one
    is set high and only bounds the backlog. The real limit is taken once the chat's turn has
    come: a person who sends twenty messages at once holds one slot, not twenty. The chat lock
    is requested before any await, so arrival order is kept; it also covers the error handler.
    """

    def __init__(self, locks: ChatLocks, max_chats: int, backlog: int = UPDATE_BACKLOG):
        super().__init__(backlog)
        self.locks = locks
        self._active = asyncio.Semaphore(max_chats)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            async with self._active:
                await coroutine
            return
        async with self.locks.hold(chat.id), self._active:
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def event_from_update(update: Update, at: datetime) -> Incoming | None:
    """The channel-neutral event for an update, or None for updates that are not from a person."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    common = dict(
        channel=CHANNEL,
        user_id=str(user.id),
        at=at,
        group=chat.type != chat.PRIVATE,
        ref=str(update.update_id),
    )
    if update.callback_query is not None:
        return Incoming(kind=Kind.BUTTON, payload=update.callback_query.data or "", **common)
    message = update.effective_message
    if message is None:
        return None
    if update.edited_message is not None and message.text is None:
        return None  # a live location moving, a caption fixed: nothing new to answer
    if message.text is not None:
        return Incoming(kind=Kind.TEXT, text=message.text, **common)
    if message.voice or message.audio or message.video_note:
        kind = Kind.VOICE
    elif message.photo or message.video:
        kind = Kind.PHOTO
    elif message.sticker:
        kind = Kind.STICKER
    elif message.location or message.venue:
        kind = Kind.LOCATION
    elif message.contact:
        kind = Kind.CONTACT
    elif message.document:
        kind = Kind.FILE
    else:
        kind = Kind.OTHER
    return Incoming(kind=kind, text=message.caption or "", **common)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if not reply.options:
        return None
    if reply.main_menu:
        labels = [o.label for o in reply.options]
        rows = [labels[i : i + 2] for i in range(0, len(labels), 2)]
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)
    buttons = [InlineKeyboardButton(o.label, callback_data=o.payload) for o in reply.options]
    per_row = 2 if len(buttons) > WIDE_AFTER else 1
    return InlineKeyboardMarkup([buttons[i : i + per_row] for i in range(0, len(buttons), per_row)])


async def send_reply(bot, chat_id: int | str, reply: Reply) -> None:
    if reply.document is not None:
        await bot.send_document(
            chat_id,
            document=reply.document.content,
            filename=reply.document.filename,
            caption=reply.text[:1024],
            reply_markup=keyboard(reply),
        )
        return
    await bot.send_message(chat_id, reply.text, reply_markup=keyboard(reply))


async def _acknowledge(query) -> None:
    """Stop the button's spinner; a failure here must not cost the person their answer."""
    try:
        await query.answer()
    except TelegramError as exc:
        log.warning("could not answer callback query %s: %s", query.id, exc)


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every update from a person goes through the dialogue core (inside the chat's turn)."""
    app = context.application
    runtime: Runtime = app.bot_data[RUNTIME]
    ev = event_from_update(update, runtime.now())
    chat = update.effective_chat
    # The spinner stops while the answer is being worked out, not after it was sent.
    ack = asyncio.create_task(_acknowledge(update.callback_query)) if update.callback_query else None
    try:
        if ev is None or chat is None:
            return
        outcome = await runtime.dialogue.handle(ev)
        for reply in outcome.replies:
            await send_reply(context.bot, chat.id, reply)
    finally:
        if ack is not None:
            await ack
    if outcome.notices and app.running:
        # Not awaited here: the courier takes the lock of each chat it writes to, and this
        # chat's lock is held until this update is done. While stopping, no new task is started
        # (PTB would not await it); the next start's first pass delivers what is queued.
        app.create_task(runtime.courier.deliver(), name="outbox")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failing update and keep going; give the person an apology and the menu."""
    update_id = getattr(update, "update_id", None)
    log.error("update %s failed: %r", update_id, context.error, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    app = context.application
    runtime: Runtime | None = app.bot_data.get(RUNTIME)
    if runtime is None:
        return
    t = runtime.services.texts
    apology = Reply(t("error.apology"), main_menu_options(t), main_menu=True)
    try:
        # Runs inside the failed update's turn: the chat lock is already held.
        await send_reply(context.bot, update.effective_chat.id, apology)
    except Exception:  # noqa: BLE001 - the apology itself failing must not loop
        log.warning("could not send the apology for update %s", update_id)


async def _deliver_outbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    runtime: Runtime | None = context.application.bot_data.get(RUNTIME)
    if runtime is not None:
        await runtime.courier.deliver()


async def _tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reminders, re-notifications, statements, retention (bot/scheduler.py); the first run at
    start-up catches up on whatever fell due while the bot was down."""
    runtime: Runtime | None = context.application.bot_data.get(RUNTIME)
    if runtime is not None:
        await tick(runtime)


def build_application(
    settings: Settings,
    clock: Callable[[], datetime] | None = None,
    *,
    flood_limit: float | None = FLOOD_LIMIT_PER_SECOND,
    http_client: str | None = None,
) -> Application:
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")

    async def post_init(app: Application) -> None:
        runtime = await Runtime.open(settings, clock)
        app.bot_data[RUNTIME] = runtime
        locks: ChatLocks = app.bot_data[CHAT_LOCKS]

        async def send_queued(user_id: str, reply: Reply) -> None:
            chat_id = int(user_id)
            async with locks.hold(chat_id):
                await send_reply(app.bot, chat_id, reply)

        runtime.attach(TELEGRAM, send_queued)
        if app.job_queue is not None:
            app.job_queue.run_repeating(
                _deliver_outbox, interval=OUTBOX_INTERVAL_SECONDS, first=1.0, name="outbox"
            )
            app.job_queue.run_repeating(_tick, interval=TICK_SECONDS, first=0.5, name="scheduler")
        else:
            log.warning("no job queue: queued messages go out only after a person's turn")
        t = runtime.services.texts
        try:
            await app.bot.set_my_commands(
                [
                    BotCommand("start", t("nav.menu")),
                    BotCommand("menu", t("nav.menu")),
                    BotCommand("help", t("help.command")),
                    BotCommand("cancel", t("help.cancel_command")),
                ]
            )
        except TelegramError as exc:  # the command list is a convenience; start without it
            log.warning("could not set the command list: %s", exc)

    async def post_shutdown(app: Application) -> None:
        runtime: Runtime | None = app.bot_data.pop(RUNTIME, None)
        if runtime is not None:
            await runtime.close()

    client = http_client or HTTP_CLIENT
    if client == "aiohttp" and proxy_needs_httpx():
        log.warning("proxy settings need PTB's httpx transport (ALL_PROXY, https:// or socks proxy): using it")
        client = "httpx"
    if client == "httpx":
        skip_missing_sniffio_lookups()
    requests, updates_request = _requests(client)
    root = settings.telegram_api_base_url
    limiter = RetryingRateLimiter(
        overall_max_rate=flood_limit or 0,
        max_retries=RATE_LIMIT_RETRIES,
        network_retries=NETWORK_RETRIES,
        backoff=NETWORK_BACKOFF_SECONDS,
    )
    locks = ChatLocks()
    app = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .request(requests)
        .get_updates_request(updates_request)
        .rate_limiter(limiter)
        .concurrent_updates(ChatOrderedUpdateProcessor(locks, CONCURRENT_CHATS))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    app.bot_data[CHAT_LOCKS] = locks
    # Callback queries and every kind of message go to the same core.
    app.add_handler(CallbackQueryHandler(on_update))
    app.add_handler(MessageHandler(filters.ALL, on_update))
    app.add_error_handler(on_error)
    return app


def run_polling(settings: Settings) -> None:
    """Long polling until SIGINT/SIGTERM; Telegram unreachable at start-up is retried forever.

    PTB 22's bootstrap_retries covers both `initialize()` (getMe) and deleteWebhook.
    """
    app = build_application(settings)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # it logs every outbox run at INFO
    app.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=-1, drop_pending_updates=False)
