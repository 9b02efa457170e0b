"""Delivers queued messages (the outbox) through the channels this process runs.

A message is marked sent only after its channel accepted it, so a crash in between means it is
sent again after the restart (at least once) rather than never. Messages to one person go in
the order they were queued. Every push channel runs the same delivery loop (`start`): the
scheduler's tick on a timer, and a delivery pass as soon as a turn queues something (`wake`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress

from common.messages import Reply
from storage.store import Store

log = logging.getLogger(__name__)

Sender = Callable[[str, Reply], Awaitable[None]]
Delivered = Callable[[str, str, Reply], Awaitable[None]]
MAX_ATTEMPTS = 5


class Courier:
    def __init__(self, store: Store, clock: Callable, on_delivered: Delivered | None = None):
        self.store = store
        self.clock = clock
        # Told after each delivery, so the dialogue can remember the options a person now sees.
        self.on_delivered = on_delivered
        self.senders: dict[str, Sender] = {}
        self._lock = asyncio.Lock()  # one delivery pass at a time keeps per-person order
        self._wake = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None

    def register(self, channel: str, sender: Sender) -> None:
        self.senders[channel] = sender

    async def deliver(self) -> int:
        """Send everything due on the registered channels; returns how many were sent."""
        if not self.senders:
            return 0
        sent = 0
        async with self._lock:
            failed_people: set[tuple[str, str]] = set()
            for queued in await self.store.unsent(frozenset(self.senders), max_attempts=MAX_ATTEMPTS):
                person = (queued.channel, queued.user_id)
                if person in failed_people:
                    continue  # keep this person's order: try the rest of theirs next pass
                try:
                    await self.senders[queued.channel](queued.user_id, Reply.from_dict(queued.reply))
                except Exception as exc:  # noqa: BLE001 - one bad recipient must not stop the rest
                    failed_people.add(person)
                    await self.store.mark_failed(queued.id, repr(exc))
                    log.warning("outbox %s to %s failed (attempt %d): %r",
                                queued.id, queued.channel, queued.attempts + 1, exc)
                    continue
                if self.on_delivered is not None:
                    try:
                        await self.on_delivered(queued.channel, queued.user_id, Reply.from_dict(queued.reply))
                    except Exception:  # noqa: BLE001 - it was delivered: never resend because of this
                        log.exception("outbox %s delivered, but its options were not remembered", queued.id)
                await self.store.mark_sent(queued.id, self.clock())
                sent += 1
        return sent

    def wake(self) -> None:
        """Something was queued: deliver it now rather than at the next tick."""
        self._wake.set()

    def start(self, tick: Callable[[], Awaitable[object]], every: float) -> None:
        """Run the delivery loop until `stop`: `tick` (the scheduler, which ends with a delivery
        pass) at once, catching up on what fell due while the process was down, then at least
        every `every` seconds; a plain delivery pass on each wake-up in between."""
        if self._loop is None:
            self._loop = asyncio.create_task(self._run(tick, every), name="courier")

    async def stop(self) -> None:
        loop, self._loop = self._loop, None
        if loop is not None:
            loop.cancel()
            with suppress(asyncio.CancelledError):
                await loop

    async def _run(self, tick: Callable[[], Awaitable[object]], every: float) -> None:
        clock = asyncio.get_running_loop().time
        last_tick = None
        while True:
            self._wake.clear()
            due = last_tick is None or clock() - last_tick >= every
            try:
                await (tick() if due else self.deliver())
            except Exception:  # noqa: BLE001 - the loop must outlive a bad pass (database busy ...)
                log.exception("delivery pass failed")
            if due:
                last_tick = clock()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.0, every - (clock() - last_tick)))
