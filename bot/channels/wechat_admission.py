"""How many WeChat turns run at once, and whether a passive reply can still be ready in time.

WeChat waits 5 s for a passive reply, counted from when it sent the request. Under saturation a
request waiting behind hundreds of others cannot be answered in time however fast each turn is,
and a passive reply written after WeChat gave up is lost. So a request waits for a turn slot only
while its reply could still be ready before its deadline (measured from its arrival, with the
recent turn time as the estimate); otherwise the endpoint accepts it durably, answers "success" at
once and its turn runs in the background, its reply going by customer-service message.

The arrival is when aiohttp began the request; before that it waited in the event loop's ready
queue (read, parsed, its handler task scheduled: about three turns of the loop). So the loop's lag
is watched (how late a short sleep wakes) and three lags are counted as already gone.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

# Turns at once: the database serialises their writes anyway, and more only lengthens each one.
SLOTS = 8
# Background turns (accepted with "success") at once: passive requests, which have a deadline, go first.
BACKGROUND_SLOTS = 2
FIRST_ESTIMATE = 0.05  # seconds per turn before any was measured
LAG_EVERY = 0.05  # how often the loop's lag is sampled
LAGS_BEFORE_ARRIVAL = 3  # loop turns a request waits before aiohttp begins it


class Admission:
    def __init__(self, slots: int = SLOTS, background_slots: int = BACKGROUND_SLOTS):
        self._slots = asyncio.Semaphore(slots)
        self._background = asyncio.Semaphore(background_slots)
        self.turn_seconds = FIRST_ESTIMATE  # moving average of how long a turn holds its slot
        self.lag = 0.0  # the event loop's recent lag (a decaying maximum), seconds
        self._watching: asyncio.Task[None] | None = None

    def deadline(self, began: float, seconds: float) -> float:
        """When a passive reply must be out, for a request aiohttp began at `began`."""
        return began - LAGS_BEFORE_ARRIVAL * self.lag + seconds

    def watch(self) -> None:
        if self._watching is None:
            self._watching = asyncio.create_task(self._watch(), name="wechat-loop-lag")

    async def close(self) -> None:
        if self._watching is not None:
            self._watching.cancel()
            with suppress(asyncio.CancelledError):
                await self._watching
            self._watching = None

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            planned = loop.time() + LAG_EVERY
            await asyncio.sleep(LAG_EVERY)
            self.lag = max(loop.time() - planned, 0.9 * self.lag)

    async def enter(self, deadline: float) -> bool:
        """Take a slot if one comes while a reply started then could still be ready by `deadline`."""
        loop = asyncio.get_running_loop()
        budget = deadline - loop.time() - 2 * self.turn_seconds
        if budget <= 0:
            return False
        if not self._slots.locked():  # a slot is free: taken at once, without wait_for's task and timer
            await self._slots.acquire()
            return True
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
