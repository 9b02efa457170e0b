"""How many WeChat turns run at once, and whether a passive reply can still be ready in time.

WeChat waits 5 s for a passive reply, counted from when it sent the request. Under saturation a
request waiting behind hundreds of others cannot be answered in time however fast each turn is,
and a passive reply written after WeChat gave up is lost. So a request waits for a turn slot only
while its reply could still be ready before its deadline (measured from its arrival, with the
recent turn time as the estimate); otherwise the endpoint accepts it durably, answers "success" at
once and its turn runs in the background, its reply going by customer-service message.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

# Turns at once: the database serialises their writes anyway, and more only lengthens each one.
SLOTS = 8
# Background turns (accepted with "success") at once: passive requests, which have a deadline, go first.
BACKGROUND_SLOTS = 2
FIRST_ESTIMATE = 0.05  # seconds per turn before any was measured


class Admission:
    def __init__(self, slots: int = SLOTS, background_slots: int = BACKGROUND_SLOTS):
        self._slots = asyncio.Semaphore(slots)
        self._background = asyncio.Semaphore(background_slots)
        self.turn_seconds = FIRST_ESTIMATE  # moving average of how long a turn holds its slot

    async def enter(self, deadline: float) -> bool:
        """Take a slot if one comes while a reply started then could still be ready by `deadline`."""
        loop = asyncio.get_running_loop()
        budget = deadline - loop.time() - 2 * self.turn_seconds
        if budget <= 0:
            return False
        try:
            await asyncio.wait_for(self._slots.acquire(), budget)
        except TimeoutError:
            return False
        return True

    def leave(self, took: float) -> None:
        self._slots.release()
        self.turn_seconds = 0.8 * self.turn_seconds + 0.2 * took

    @asynccontextmanager
    async def background(self) -> AsyncIterator[None]:
        """A slot for a turn nobody waits for, taken behind the passive requests."""
        async with self._background:
            await self._slots.acquire()
            loop = asyncio.get_running_loop()
            started = loop.time()
            try:
                yield
            finally:
                self.leave(loop.time() - started)
