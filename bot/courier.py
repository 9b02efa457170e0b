"""Delivers queued messages (the outbox) through the channels this process runs.

A message is marked sent only after its channel accepted it, so a crash in between means it is
sent again after the restart (at least once) rather than never. Messages to one person go in
the order they were queued. A failed message is tried again after a growing pause (5 s, 10 s …
at most 5 minutes) for as long as it is useful (`Notice.expires_at`); then it is given up and
staff are told, never dropped silently. Every push channel runs the same delivery loop (`start`):
the scheduler's tick on a timer, and a delivery pass as soon as a turn queues something (`wake`).

A turn's own replies are queued with the turn too (channels that de-duplicate events): the channel
sends them at once itself (`deliver_replies`) while it holds the person (`holding`), so a delivery
pass never sends them a second time, and leaves to the loop whatever it could not send.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager, suppress

from datetime import datetime, timedelta

from common.messages import Notice, Reply
from common.retry import Backoff
from storage.store import Queued, Store

log = logging.getLogger(__name__)

Sender = Callable[[str, Reply], Awaitable[None]]
Delivered = Callable[[str, str, Reply], Awaitable[None]]
# What to tell staff when a message is given up, or when many wait (the count); [] for nothing.
GivenUp = Callable[[Queued, bool], list[Notice]]  # the message, and whether the person can't be reached


class Unreachable(Exception):
    """The channel will not deliver to this person until they write again (WeChat: 48 hours
    without a message from them, or they unfollowed; Telegram: they blocked the bot). Retrying
    for days would only tell staff too late to telephone."""
Backlogged = Callable[[int, datetime], list[Notice]]
RETRY = Backoff(first=5.0, factor=2.0, cap=300.0)
# A message taken for sending is another process's only after this (if this one died sending it).
LEASE = timedelta(minutes=5)
# Alert when this many messages have waited longer than BACKLOG_AGE (at most hourly).
BACKLOG_ALERT, BACKLOG_AGE = 20, timedelta(minutes=15)


class Courier:
    def __init__(self, store: Store, clock: Callable, on_delivered: Delivered | None = None,
                 on_given_up: GivenUp | None = None, on_backlog: Backlogged | None = None):
        self.store = store
        self.clock = clock
        # Told after each delivery, so the dialogue can remember the options a person now sees.
        self.on_delivered = on_delivered
        self.on_given_up = on_given_up or (lambda queued, unreachable: [])
        self.on_backlog = on_backlog or (lambda count, now: [])
        self._backlog_told: datetime | None = None
        self.senders: dict[str, Sender] = {}
        self._lock = asyncio.Lock()  # one delivery pass at a time keeps per-person order
        self._wake = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None
        self.lease = LEASE
        # People whose replies a channel is sending itself, and everyone held since the pass began.
        self._held: Counter[tuple[str, str]] = Counter()
        self._touched: set[tuple[str, str]] = set()
        # People with a message waiting for its next attempt: their new replies queue behind it.
        self._stalled: set[tuple[str, str]] = set()

    def register(self, channel: str, sender: Sender) -> None:
        self.senders[channel] = sender

    async def deliver(self) -> int:
        """Send everything due on the registered channels; returns how many were sent."""
        if not self.senders:
            return 0
        sent = 0
        async with self._lock:
            now = self.clock()
            waiting: set[tuple[str, str]] = set()  # people whose earlier message is not through yet
            # A row read now may have been saved by a turn whose channel is sending it: everyone
            # held at any moment of this pass is left alone (their rows are delivered or marked failed).
            self._touched = set(self._held)
            for queued in await self.store.unsent(frozenset(self.senders), now):
                person = (queued.channel, queued.user_id)
                if person in waiting or person in self._touched:
                    continue  # keep this person's order
                if queued.expires_at is not None and queued.expires_at <= now:
                    if await self.store.give_up(queued.id, now, self.on_given_up(queued, False)):
                        log.error("outbox %s to %s given up after %d attempts: no longer useful",
                                  queued.id, queued.channel, queued.attempts)
                        self.wake()  # the alert to staff goes in the next pass, not at the next tick
                    continue
                if queued.next_attempt_at is not None and queued.next_attempt_at > now:
                    waiting.add(person)
                    continue
                # Several processes may deliver: only the one that takes the lease sends.
                if not await self._take(queued.id):
                    waiting.add(person)
                    continue
                if await self._send(queued, now):
                    sent += 1
                else:
                    waiting.add(person)
            self._stalled = waiting - self._touched
            await self._watch_backlog(now)
        return sent

    @contextmanager
    def holding(self, channel: str, user_id: str) -> Iterator[None]:
        """The channel handles this person's event and sends its replies itself meanwhile."""
        self.hold(channel, user_id)
        try:
            yield
        finally:
            self.release(channel, user_id)

    def hold(self, channel: str, user_id: str) -> None:
        person = (channel, user_id)
        self._held[person] += 1
        self._touched.add(person)

    def release(self, channel: str, user_id: str) -> None:
        person = (channel, user_id)
        self._held[person] -= 1
        if not self._held[person]:
            del self._held[person]

    async def deliver_replies(self, channel: str, user_id: str, replies: Sequence[Reply], queued: Sequence[int],
                              send: Callable[[Reply], Awaitable[object]]) -> int:
        """Send a turn's replies now, in order, each marked sent as it goes (`queued`: their outbox ids,
        or empty when they were not queued). A failure leaves it and the rest to the delivery loop,
        as does a message to this person still waiting for its retry (order first), or one another
        process's courier took first (where processes share the database, each is leased before it
        goes). The caller holds the person (`holding`). Returns how many were sent."""
        person = (channel, user_id)
        if queued and person in self._stalled:
            self.wake()
            return 0
        # Another process's delivery loop may have read the rows already: only the lease holder sends.
        # A lease of zero (SQLite: one process owns the file) fences off no other process, and this
        # process's own loop leaves a held person's rows alone, so no trip is spent taking them: the
        # person is held, and their chat's next event waits for this one, so nothing else sends or
        # deletes these rows meanwhile (forgetting a person is one of their own turns).
        lease = bool(queued) and bool(self.lease)
        for number, reply in enumerate(replies):
            if lease and not await self._take(queued[number]):
                self.wake()
                return number
            try:
                await send(reply)
            except Exception as exc:  # noqa: BLE001 - queued: the loop retries it; else it is lost, logged
                if not queued:
                    raise
                pause = RETRY.delay(0)
                await self.store.mark_failed(queued[number], repr(exc), self.clock() + timedelta(seconds=pause))
                log.warning("reply %s to %s failed, left to the delivery loop: %r", queued[number], channel, exc)
                self._stalled.add(person)
                self.wake()
                return number
            if queued:
                await self.store.mark_sent(queued[number], self.clock())
        return len(replies)

    async def _take(self, queued_id: int) -> bool:
        taken = self.clock()  # not a pass's `now`: a long pass must not shorten the lease
        return await self.store.lease(queued_id, taken, taken + self.lease)

    async def _send(self, queued: Queued, now: datetime) -> bool:
        reply = Reply.from_dict(queued.reply)
        try:
            await self.senders[queued.channel](queued.user_id, reply)
        except Unreachable as exc:
            await self.store.give_up(queued.id, now, self.on_given_up(queued, True), leased=True)
            self.wake()  # the alert to staff goes in the next pass, not at the next tick
            log.warning("outbox %s to %s given up: the person cannot be reached there (%r)", queued.id,
                        queued.channel, exc.__cause__ or exc)
            return False
        except Exception as exc:  # noqa: BLE001 - one bad recipient must not stop the rest
            pause = RETRY.delay(queued.attempts)
            await self.store.mark_failed(queued.id, repr(exc), now + timedelta(seconds=pause))
            log.warning("outbox %s to %s failed (attempt %d), next try in %.0f s: %r",
                        queued.id, queued.channel, queued.attempts + 1, pause, exc)
            return False
        if self.on_delivered is not None and not queued.turn_reply:  # a turn remembers its own options
            try:
                await self.on_delivered(queued.channel, queued.user_id, reply)
            except Exception:  # noqa: BLE001 - it was delivered: never resend because of this
                log.exception("outbox %s delivered, but its options were not remembered", queued.id)
        await self.store.mark_sent(queued.id, self.clock())
        return True

    async def _watch_backlog(self, now: datetime) -> None:
        if self._backlog_told is not None and now - self._backlog_told < timedelta(hours=1):
            return
        count = await self.store.backlog(now - BACKLOG_AGE)
        if count >= BACKLOG_ALERT:
            self._backlog_told = now
            log.warning("outbox backlog: %d messages have waited more than %s", count, BACKLOG_AGE)
            for notice in self.on_backlog(count, now):
                await self.store.enqueue(notice, now)

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
