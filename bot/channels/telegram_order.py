"""One person's updates one at a time and in order; different people's at the same time.

One slow person must not hold up the others, and one person's replies must arrive in the order
they wrote. The same chat lock is taken by the courier before it writes to that chat.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# People whose turns run at the same time; others wait their turn (in arrival order).
CONCURRENT_CHATS = 32
# Updates accepted before the update queue stops being read (PTB's own limit).
UPDATE_BACKLOG = 4096


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


# How our polling loop and the webhook reach the Settlements of an Application (its bot_data key),
# and the updates either asks Telegram for: light constants, so the benches' echo bot shares them.
SETTLEMENTS = "settlements"
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]


class Settlements:
    """One future per update, resolved once its turn is saved: polling confirms the update (the next
    getUpdates offset) and the webhook answers 200 only then, so a crash before cannot lose it."""

    def __init__(self) -> None:
        self._waiting: dict[int, asyncio.Future[None]] = {}

    def expect(self, update_id: int) -> asyncio.Future[None]:
        future = self._waiting.get(update_id)
        if future is None:
            future = self._waiting[update_id] = asyncio.get_running_loop().create_future()
        return future

    def pending(self, update_id: int) -> asyncio.Future[None] | None:
        return self._waiting.get(update_id)

    def settle(self, update_id: int) -> None:
        future = self._waiting.pop(update_id, None)
        if future is not None and not future.done():
            future.set_result(None)


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """One chat's updates one at a time and in arrival order; up to `max_chats` chats at once.

    PTB takes its semaphore (`max_concurrent_updates`) before `do_process_update`, so that one
    is set high and only bounds the backlog. The real limit is taken once the chat's turn has
    come: a person who sends twenty messages at once holds one slot, not twenty. The chat lock
    is requested before any await, so arrival order is kept; it also covers the error handler.
    """

    def __init__(self, locks: ChatLocks, max_chats: int, settlements: Settlements, backlog: int = UPDATE_BACKLOG):
        super().__init__(backlog)
        self.locks = locks
        self.settlements = settlements
        self._active = asyncio.Semaphore(max_chats)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        try:
            if chat is None:
                async with self._active:
                    await coroutine
                return
            async with self.locks.hold(chat.id), self._active:
                await coroutine
        finally:  # usually settled as soon as the turn was saved; this covers failures and strays
            if isinstance(update, Update):
                self.settlements.settle(update.update_id)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
