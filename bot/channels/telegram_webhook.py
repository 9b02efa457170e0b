"""Telegram in webhook mode, served by our own aiohttp endpoint rather than PTB's.

    legalaid telegram --webhook https://bot.example.org/tg/hook --listen 127.0.0.1 --port 8443

Telegram POSTs each update to the URL (TLS is terminated by the reverse proxy in front of
`--listen:--port`; the path of the URL is the path served here). Every request must carry
the secret token (LEGALAID_WEBHOOK_SECRET) in X-Telegram-Bot-Api-Secret-Token.

Why not `Application.run_webhook`: PTB 22's tornado handler (telegram/ext/_utils/webhookhandler.py)
compares the secret with `!=`, which leaks through timing how much of a guess is right, and logs
wrong tokens. Here the comparison is `hmac.compare_digest` over bytes, and Telegram's re-sends
of an update it thought unanswered are dropped by update_id (in memory here; across restarts by
the inbox). And 200 is answered only once the update's turn is saved with its replies in the outbox,
so Telegram keeps re-sending an update the process died on.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.channels.telegram import build_application
from bot.channels.telegram_order import ALLOWED_UPDATES, SETTLEMENTS
from bot.channels.telegram_run import at_start_up, until_signal
from common.config import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_ENV = "LEGALAID_WEBHOOK_SECRET"
# What Telegram accepts as secret_token (Bot API, setWebhook).
SECRET_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,256}")
MIN_SECRET_LENGTH = 16
# Telegram re-sends an update for up to a day when it got no 200; ids are remembered by count.
RECENT_UPDATE_IDS = 10_000
MAX_CONNECTIONS = 40  # Telegram's default; the per-chat lock keeps each person's order anyway


class WebhookConfigError(ValueError):
    """The webhook cannot be served safely as configured (one line naming the setting)."""


def webhook_secret(settings: Settings) -> str:
    """The secret token from settings (LEGALAID_WEBHOOK_SECRET), checked; refuse to go without it."""
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not secret:
        raise WebhookConfigError(
            f"{SECRET_ENV} is not set: webhook mode needs a secret token so that only Telegram can post updates"
        )
    if not SECRET_FORMAT.fullmatch(secret):
        raise WebhookConfigError(f"{SECRET_ENV} may use only A-Z, a-z, 0-9, _ and - (at most 256)")
    if len(secret) < MIN_SECRET_LENGTH:
        raise WebhookConfigError(f"{SECRET_ENV} is too short: use at least {MIN_SECRET_LENGTH} random characters")
    return secret


def check_webhook_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise WebhookConfigError(f"--webhook must be an https:// URL (Telegram posts only over TLS), not {url!r}")
    return url


class RecentUpdateIds:
    """The last `capacity` update ids seen, to drop Telegram's re-sends; bounded memory."""

    def __init__(self, capacity: int = RECENT_UPDATE_IDS):
        self.capacity = capacity
        self._ids: OrderedDict[int, None] = OrderedDict()

    def first_time(self, update_id: int) -> bool:
        """Record `update_id`; False if it was seen recently."""
        if update_id in self._ids:
            return False
        self._ids[update_id] = None
        if len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
        return True


class Throttled:
    """Says a repeated warning at most once per `every` seconds, with how many were held back, so a
    flood of forged requests cannot flood the log."""

    def __init__(self, every: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.every, self.clock = every, clock
        self._last: float | None = None
        self._held = 0

    def warn(self, message: str, *args: object) -> None:
        now = self.clock()
        if self._last is not None and now - self._last < self.every:
            self._held += 1
            return
        held, self._held, self._last = self._held, 0, now
        log.warning(message + (" (and %d more like it since the last such line)" if held else ""),
                    *args, *((held,) if held else ()))


def webhook_handler(
    app: Application, secret: str, recent: RecentUpdateIds, refusals: Throttled | None = None
) -> Callable[[web.Request], Awaitable[web.Response]]:
    expected = secret.encode()
    refusals = refusals or Throttled()

    async def receive(request: web.Request) -> web.Response:
        # Bytes on both sides: compare_digest refuses non-ASCII str, and a missing header is
        # compared too (as empty), so every refusal takes the same path.
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, expected):
            refusals.warn("webhook: refused a request from %s without the right secret", request.remote)
            return web.Response(status=403)
        try:
            payload = await request.json(loads=json.loads)
            if not isinstance(payload, dict):
                raise ValueError("not a JSON object")
            update = Update.de_json(payload, app.bot)
        except (ValueError, TypeError, KeyError, RecursionError) as exc:  # deep nesting: RecursionError
            log.warning("webhook: unreadable update (%s)", exc)
            return web.Response(status=400)
        settlements = app.bot_data[SETTLEMENTS]
        in_flight = settlements.pending(update.update_id)
        if not recent.first_time(update.update_id):
            log.info("webhook: update %s received again", update.update_id)
            if in_flight is not None:  # answered when the first copy's turn is saved
                await asyncio.shield(in_flight)
            return web.Response()
        saved = settlements.expect(update.update_id)
        await app.update_queue.put(update)
        await asyncio.shield(saved)  # 200 only once its turn (and its replies) are saved
        return web.Response()

    return receive


@dataclass(frozen=True)
class WebhookServer:
    port: int  # the bound port (useful with port 0)
    path: str


@asynccontextmanager
async def serve_webhook(
    app: Application,
    *,
    url: str,
    listen: str,
    port: int,
    secret: str,
    allowed_updates: Sequence[str] = ALLOWED_UPDATES,
    max_connections: int = MAX_CONNECTIONS,
) -> AsyncIterator[WebhookServer]:
    """Listen on listen:port at the URL's path, then point Telegram at `url` with the secret.

    `app` must be initialized and started (its update queue is being processed). The webhook is
    left set on exit, so Telegram keeps updates for the next start.
    """
    path = urlsplit(url).path or "/"
    web_app = web.Application(client_max_size=1024 * 1024)
    web_app.router.add_post(path, webhook_handler(app, secret, RecentUpdateIds()))
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, listen, port)
        await site.start()
        bound = runner.addresses[0][1] if runner.addresses else port
        await at_start_up(
            lambda: app.bot.set_webhook(
                url,
                secret_token=secret,
                allowed_updates=list(allowed_updates),
                max_connections=max_connections,
                drop_pending_updates=False,
            ),
            "setWebhook",
        )
        log.info("webhook: listening on %s:%d%s", listen, bound, path)
        yield WebhookServer(bound, path)
    finally:
        await runner.cleanup()


def run_webhook(settings: Settings, url: str, listen: str, port: int) -> None:
    """Serve Telegram's webhook until SIGTERM/SIGINT. Refuses to start without the secret token."""
    secret = webhook_secret(settings)
    check_webhook_url(url)

    def receiving(app: Application):
        return serve_webhook(app, url=url, listen=listen, port=port, secret=secret)

    asyncio.run(until_signal(build_application(settings), receiving))
