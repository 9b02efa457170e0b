"""Starting and stopping the Telegram Application, for long polling and for the webhook alike.

    legalaid telegram                  long polling until SIGTERM/SIGINT

Start-up calls (getMe, deleteWebhook, setWebhook) are retried forever with the one back-off
policy: Telegram unreachable when the process starts must not end it. Stopping runs in the
reverse order, so the turn in flight finishes and the database is closed last.

Polling is our own loop rather than PTB's Updater, which confirms a batch (the next getUpdates
offset) as soon as it is fetched: here a batch is confirmed only once every update in it has its
turn saved, so a crash in between means the updates come again, and the saved ones are recognised.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress

from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot.channels.telegram_order import ALLOWED_UPDATES, SETTLEMENTS
from bot.channels.telegram_requests import STARTUP_RETRY, transient
from common.config import Settings
from common.retry import retrying

log = logging.getLogger(__name__)

# Allocations (less frees) between collections of the youngest generation; CPython's default is 700.
YOUNG_THRESHOLD = 10_000
# How updates arrive once the Application runs: polling, or our webhook server.
Receiving = Callable[[Application], AbstractAsyncContextManager[object]]


async def at_start_up(action: Callable[[], object], what: str) -> object:
    """Retry a start-up call until Telegram answers; a permanent refusal (bad token) is raised."""
    return await retrying(action, transient, STARTUP_RETRY, what)  # type: ignore[arg-type]


@asynccontextmanager
async def polling(app: Application, poll_interval: float = 0.0, timeout: int = 10) -> AsyncIterator[None]:
    await at_start_up(lambda: app.bot.delete_webhook(drop_pending_updates=False), "deleteWebhook")
    task = asyncio.create_task(_poll(app, poll_interval, timeout), name="polling")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def _poll(app: Application, poll_interval: float, timeout: int) -> None:
    settlements = app.bot_data[SETTLEMENTS]
    offset, failures = 0, 0
    while True:
        try:
            updates = await app.bot.get_updates(offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES)
        except InvalidToken:
            log.error("getUpdates: the bot token was refused; polling stops")
            raise
        except TelegramError as exc:  # unreachable, 5xx, 409 (another poller): back off and try again
            pause = STARTUP_RETRY.delay(failures)
            failures += 1
            log.warning("getUpdates failed (%s); again in %.1f s", exc, pause)
            await asyncio.sleep(pause)
            continue
        failures = 0
        if updates:
            saved = [settlements.expect(update.update_id) for update in updates]
            for update in updates:
                await app.update_queue.put(update)
            await asyncio.wait(saved)  # every turn saved: now the batch may be confirmed
            offset = updates[-1].update_id + 1
        if poll_interval:
            await asyncio.sleep(poll_interval)


@asynccontextmanager
async def running(app: Application, receiving: Receiving = polling) -> AsyncIterator[Application]:
    """What `Application.run_polling` does, in order, with our retries and either way of receiving."""
    try:
        await at_start_up(app.initialize, "getMe")
        if app.post_init:
            await app.post_init(app)
        await app.start()
        try:
            async with receiving(app):
                yield app
        finally:
            if app.running:
                await app.stop()
                if app.post_stop:
                    await app.post_stop(app)
    finally:
        await app.shutdown()
        # A start-up that failed (a refused token) leaves the app uninitialised, and app.shutdown
        # then skips the bot: its transport's connections are closed here (a no-op otherwise).
        await app.bot.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)  # closes the database


async def until_signal(app: Application, receiving: Receiving) -> None:
    """Run until SIGTERM or SIGINT, then stop in order; a second signal does not cut that short."""

    async def serve() -> None:
        async with running(app, receiving):
            settle_heap()
            await asyncio.Future()

    serving = asyncio.create_task(serve())
    loop = asyncio.get_running_loop()
    stopping = False

    def stop() -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            log.info("stopping")
            serving.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    with suppress(asyncio.CancelledError):
        await serving


def settle_heap() -> None:
    """Once started, move everything alive into the collector's permanent generation, and let the
    youngest generation grow larger before it is collected.

    What start-up built (modules, the knowledge base, the matcher's tables, the catalog) lives as
    long as the process, yet every full collection would walk all of it again: with it frozen a
    collection walks only what turns made since. Nothing is kept that would otherwise be freed:
    start-up's garbage is collected first, and frozen objects still go when nothing refers to
    them. A turn's objects mostly die by reference count; collecting the young every 700
    allocations mainly re-walked the updates in flight (1,000 users: ~830 collections a run,
    0.26 s of CPU, against ~0.05 s at YOUNG_THRESHOLD). Once per process (a test's runtimes come
    and go, so this is not in Runtime.open).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def run_polling(settings: Settings) -> None:
    """Long polling until SIGINT/SIGTERM."""
    # Imported here: the loop above is shared with the benches' echo bot, which must not load the dialogue.
    from bot.channels.telegram import build_application

    asyncio.run(until_signal(build_application(settings), polling))
