"""The outbox never gives up silently: outages of 30 s and 10 minutes (simulated clock) deliver
everything exactly once and in order; a message past its useful life is given up and staff told."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.courier import BACKLOG_ALERT, LEASE, RETRY, Unreachable
from common.messages import Notice, Reply
from storage.outbox import Topic, outbox_key
from tests.auxil.trips import Trips
from tests.handlers.conftest import STAFF_CHAT, rt  # noqa: F401 - the staffed runtime fixture


class FlakyChannel:
    """Refuses every connection until `up_at` (simulated time), then records what arrives."""

    def __init__(self, clock, up_at=None):
        self.clock, self.up_at = clock, up_at or clock()
        self.received: list[tuple[str, str]] = []
        self.refused: dict[str, int] = {}

    async def send(self, user_id: str, reply: Reply) -> None:
        if self.clock() < self.up_at:
            self.refused[user_id] = self.refused.get(user_id, 0) + 1
            raise ConnectionRefusedError("connection refused")
        self.received.append((user_id, reply.text))


async def queue(rt, user_id: str, *texts: str, **notice) -> None:
    for i, text in enumerate(texts):
        key = outbox_key(Topic.ANSWER, user_id, i)
        await rt.services.store.enqueue(Notice("flaky", user_id, Reply(text), key, **notice), rt.now())


@pytest.mark.parametrize("outage", [timedelta(seconds=30), timedelta(minutes=10)], ids=["30s", "10min"])
async def test_an_outage_delays_messages_but_delivers_each_exactly_once_in_order(rt, clock, outage):
    channel = FlakyChannel(clock, clock() + outage)
    rt.courier.register("flaky", channel.send)
    await queue(rt, "elder", "律师回复：第一条", "律师回复：第二条", "律师回复：第三条")
    await queue(rt, "neighbour", "提醒：明天上门")
    end = clock() + outage + timedelta(seconds=RETRY.cap * 1.5)
    while clock() < end:  # the delivery loop's passes, every 5 s
        await rt.courier.deliver()
        clock.advance(seconds=5)
    assert [t for u, t in channel.received if u == "elder"] == ["律师回复：第一条", "律师回复：第二条", "律师回复：第三条"]
    assert [t for u, t in channel.received if u == "neighbour"] == ["提醒：明天上门"]
    assert await rt.services.store.unsent({"flaky"}, clock()) == []
    # Backed off: each person's first message was tried far less often than once a pass.
    passes_in_outage = outage.total_seconds() / 5
    assert max(channel.refused.values()) < passes_in_outage / 1.5


async def test_a_message_past_its_useful_life_is_given_up_and_staff_are_told_once(rt, clock):
    channel = FlakyChannel(clock, clock() + timedelta(days=30))
    staff = FlakyChannel(clock)  # the staff chat's channel works
    rt.courier.register("flaky", channel.send)
    rt.courier.register("telegram", staff.send)
    await queue(rt, "elder", "提醒：今天下午上门", expires_at=clock() + timedelta(hours=2))
    for _ in range(200):  # three hours of passes
        await rt.courier.deliver()
        clock.advance(minutes=1)
    assert channel.received == [] and await rt.services.store.unsent({"flaky"}, clock()) == []
    told = [text for user_id, text in staff.received if user_id == str(STAFF_CHAT)]
    assert len(told) == 1 and told[0].startswith(rt.services.texts("outbox.undelivered", attempts=0, start="")[:8])


async def test_hundreds_of_messages_waiting_to_be_retried_never_hold_up_a_new_one(rt, clock):
    """People the channel refuses for days (blocked the bot, out of WeChat's window) pile up rows
    waiting for a retry; someone else's new message still goes out on the next pass."""
    blocked = FlakyChannel(clock, clock() + timedelta(days=7))
    rt.courier.register("flaky", blocked.send)
    for n in range(250):
        await queue(rt, f"blocked-{n}", "提醒：明天上门", "第二条")
    for _ in range(3):  # up to 200 rows a pass: each person is refused once, then waits to retry
        await rt.courier.deliver()
    assert len(blocked.refused) == 250
    blocked.up_at = clock()  # the channel works again; the others' next attempts are not due yet
    await queue(rt, "newcomer", "律师回复：您好")
    await rt.courier.deliver()
    assert blocked.received == [("newcomer", "律师回复：您好")]


async def test_someone_the_channel_cannot_reach_is_given_up_at_once_and_staff_told(rt, clock):
    """WeChat refuses customer-service messages 48 hours after the person last wrote; retrying the
    18:00 reminder until the visit begins would tell staff too late to telephone."""
    async def refused(user_id, reply):
        raise Unreachable() from ConnectionRefusedError("45015 response out of time limit")

    staff = FlakyChannel(clock)
    rt.courier.register("flaky", refused)
    rt.courier.register("telegram", staff.send)
    await queue(rt, "elder", "提醒：明天上午上门", "第二条")
    for _ in range(3):  # one pass each, no waiting in between
        await rt.courier.deliver()
    assert await rt.services.store.unsent({"flaky"}, clock()) == []
    told = [text for user_id, text in staff.received if user_id == str(STAFF_CHAT)]
    assert len(told) == 2 and all(t.startswith(rt.services.texts("outbox.unreachable", start="")[:10]) for t in told)
    assert "提醒：明天上午上门" in told[0]


async def test_a_growing_backlog_is_logged_and_staff_are_told_hourly(rt, clock, caplog):
    channel = FlakyChannel(clock, clock() + timedelta(days=1))
    rt.courier.register("flaky", channel.send)
    for user in range(BACKLOG_ALERT):
        await queue(rt, f"elder-{user}", "律师回复")
    clock.advance(minutes=20)
    with caplog.at_level("WARNING"):
        await rt.courier.deliver()
        await rt.courier.deliver()
    assert sum("outbox backlog" in r.getMessage() for r in caplog.records) == 1
    unsent = await rt.services.store.unsent({"telegram"}, clock())
    assert [q.reply["text"] for q in unsent] == [rt.services.texts("outbox.backlog", count=BACKLOG_ALERT)]



async def test_a_turns_reply_another_process_is_sending_is_not_sent_twice(rt, clock):
    # Another process's delivery loop read the turn's saved replies and took the first one.
    rt.courier.lease = LEASE  # processes sharing one database (PostgreSQL) lease what they send
    store, now = rt.services.store, clock()
    replies = [Reply("律师回复：第一条"), Reply("律师回复：第二条")]
    ids = await store.save_turn("flaky", "elder", None, [], now, event="update:1", replies=replies)
    assert await store.lease(ids[0], now, now + rt.courier.lease + timedelta(minutes=5))
    channel = FlakyChannel(clock)
    with rt.courier.holding("flaky", "elder"):
        sent = await rt.courier.deliver_replies("flaky", "elder", replies, ids,
                                                lambda reply: channel.send("elder", reply))
    assert (sent, channel.received) == (0, [])  # the other courier sends it, and the second after it
    later = now + rt.courier.lease + timedelta(minutes=6)  # had the other process died, both would go then
    assert [q.id for q in await store.unsent({"flaky"}, later)] == ids


async def test_a_delivery_pass_while_a_turn_sends_its_replies_leaves_them_to_the_turn(rt, clock):
    """On SQLite (one process, lease zero) a turn's replies are not leased before they go: one trip
    each, to mark it sent. The hold alone keeps this process's delivery loop off them."""
    store, now = rt.services.store, clock()
    replies = [Reply("律师回复：第一条"), Reply("律师回复：第二条")]
    ids = await store.save_turn("flaky", "elder", None, [], now, event="update:1", replies=replies)
    channel, sending, go_on = FlakyChannel(clock), asyncio.Event(), asyncio.Event()
    rt.courier.register("flaky", channel.send)

    async def slow_send(reply):
        sending.set()
        await go_on.wait()
        await channel.send("elder", reply)

    trips = Trips(rt.db)
    with rt.courier.holding("flaky", "elder"):
        turn = asyncio.create_task(rt.courier.deliver_replies("flaky", "elder", replies, ids, slow_send))
        await sending.wait()
        assert await rt.courier.deliver() == 0  # the loop's pass, while the first reply is on its way
        go_on.set()
        assert await turn == 2
    assert channel.received == [("elder", "律师回复：第一条"), ("elder", "律师回复：第二条")]  # once each, in order
    assert await store.unsent({"flaky"}, clock()) == []
    assert trips.calls.count("transact") == 2 and "execute" not in trips.calls  # marked sent; no lease taken
