"""A turn's replies that the channel delivered itself (WeChat's passive reply) leave the outbox at once."""

from __future__ import annotations

from datetime import datetime, timezone

from common.messages import Notice, Reply
from storage.store import Store

AT = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)


async def test_replies_delivered_passively_are_deleted_and_nothing_else(db):
    store = Store(db)
    queued = await store.save_turn("wechat", "o-1", "{}", [], AT, event="msg:1",
                                   replies=[Reply("第一条"), Reply("第二条")])
    assert len(queued) == 2
    await store.enqueue(Notice("wechat", "o-1", Reply("律师的回复"), "answer:1"), AT)
    answer = (await store.unsent(frozenset({"wechat"}), AT))[-1]
    assert answer.reply["text"] == "律师的回复" and not answer.turn_reply

    await store.replies_delivered([*queued, answer.id])  # only a turn's own replies go
    left = await store.unsent(frozenset({"wechat"}), AT)
    assert [q.reply["text"] for q in left] == ["律师的回复"]
    assert await db.fetchval("SELECT COUNT(*) FROM outbox WHERE reply_to IS NOT NULL") == 0
