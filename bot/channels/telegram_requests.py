"""How Bot API calls leave the process: the transport, its timeouts, and the retries.

Transport: aiohttp (telegram_transport.AiohttpRequest) rather than PTB's HTTPXRequest: about half
the CPU per Bot API call, which is most of what a bot costs per update (README, "Speed, measured").

Retries: a 429 is waited out by AIORateLimiter (after its retry_after); 5xx answers, refused
connections and timeouts are retried here with the one back-off policy (common/retry.py). A
reply retried after a timeout may arrive twice; that is preferred to it not arriving at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter

from bot.channels.telegram_transport import AiohttpRequest
from common.retry import Backoff, retrying

log = logging.getLogger(__name__)

# PTB's default timeouts; named here so tests can shorten them.
READ_TIMEOUT_SECONDS = 5.0
WRITE_TIMEOUT_SECONDS = 5.0
MEDIA_WRITE_TIMEOUT_SECONDS = 20.0  # uploads (documents)
CONNECT_TIMEOUT_SECONDS = 5.0
POOL_TIMEOUT_SECONDS = 10.0  # waiting for a free connection is not a failure
# Connections to the Bot API; at Telegram's 30 msg/s only a few are busy at a time.
CONNECTION_POOL_SIZE = 32

# Telegram's flood limit across all chats ("about 30 messages per second"); None lifts it
# (only for benchmarks against a fake server).
FLOOD_LIMIT_PER_SECOND: float | None = 30
RATE_LIMIT_RETRIES = 3  # 429 Too Many Requests, each after its retry_after
SEND_RETRY = Backoff(first=0.5, factor=2, cap=4, retries=3)  # 5xx, refused connections, timeouts
# Start-up calls are retried by the start-up loop, with its own longer back-off, forever.
STARTUP_RETRY = Backoff(first=1, factor=1.5, cap=30)
STARTUP_ENDPOINTS = frozenset({"getMe", "deleteWebhook", "setWebhook"})


def transient(exc: Exception) -> bool | float:
    """The retry verdict for a Bot API failure: 429 after its wait, 5xx/network/timeouts back off.

    PTB raises NetworkError for 5xx answers and connection errors and TimedOut (a NetworkError)
    for timeouts; BadRequest is a NetworkError subclass too but is never transient.
    """
    if isinstance(exc, RetryAfter):
        wait = exc.retry_after
        return (wait.total_seconds() if isinstance(wait, timedelta) else float(wait)) + 0.5
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


def bot_api_requests() -> tuple[AiohttpRequest, AiohttpRequest]:
    """The request objects for Bot API calls and for getUpdates (one connection, as PTB does)."""
    timeouts = dict(
        read_timeout=READ_TIMEOUT_SECONDS,
        write_timeout=WRITE_TIMEOUT_SECONDS,
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        media_write_timeout=MEDIA_WRITE_TIMEOUT_SECONDS,
    )
    return (
        AiohttpRequest(connection_pool_size=CONNECTION_POOL_SIZE, **timeouts),
        AiohttpRequest(connection_pool_size=1, **timeouts),
    )


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter (which retries only 429s) plus retries of transient failures."""

    async def process_request(
        self,
        callback: Callable[..., Any],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        def verdict(exc: Exception) -> bool | float:
            if endpoint in STARTUP_ENDPOINTS or isinstance(exc, RetryAfter):
                return False  # the start-up loop, or AIORateLimiter itself, has already decided
            return transient(exc)

        parent = super().process_request
        return await retrying(
            lambda: parent(callback, args, kwargs, endpoint, data, rate_limit_args), verdict, SEND_RETRY, endpoint
        )


def rate_limiter(flood_limit: float | None) -> RetryingRateLimiter:
    return RetryingRateLimiter(overall_max_rate=flood_limit or 0, max_retries=RATE_LIMIT_RETRIES)
