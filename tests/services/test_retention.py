"""Retention on a simulated clock: each kind of record lasts its period and not a day longer."""

from __future__ import annotations

from datetime import timedelta

from bot.scheduler import purge_expired
from common.messages import Notice, Reply
from storage.outbox import Topic, outbox_key
from tests.auxil.chat import Chat
from tests.services.conftest import lawyer, rt  # noqa: F401 - fixtures


async def _answered(rt, lawyer_actor) -> int:
    s = rt.services
    c = await s.consultations.create("console", "elder-1", "我爸想立遗嘱，电话13800001234", rt.now())
    await s.consultations.claim(c.id, lawyer_actor.lawyer.id, rt.now())
    key = outbox_key(Topic.ANSWER, c.id)
    await s.consultations.answer(c.id, lawyer_actor.lawyer.id, "可以去公证处办理。", rt.now(), None,
                                 Notice("console", "elder-1", Reply("答复"), key))
    return c.id


async def test_an_answered_question_is_blanked_after_the_retention_period_and_an_open_one_kept(rt, clock, lawyer):
    answered = await _answered(rt, lawyer)
    still_open = (await rt.services.consultations.create("console", "elder-2", "还没人接的问题", rt.now())).id
    days = rt.services.settings.retention_days
    clock.advance(days=days - 1)
    assert (await purge_expired(rt)).questions == 0
    assert (await rt.services.consultations.get(answered)).question.startswith("我爸")
    clock.advance(days=2)
    assert (await purge_expired(rt)).questions == 1
    blanked = await rt.services.consultations.get(answered)
    assert (blanked.question, blanked.answer, blanked.status) == ("", None, "answered")
    assert (await rt.services.consultations.get(still_open)).question == "还没人接的问题"
    assert await rt.services.consultations.list_for_user("console", "elder-1") == []


async def test_a_follow_up_restarts_the_questions_period(rt, clock, lawyer):
    cid = await _answered(rt, lawyer)
    clock.advance(days=100)
    assert await rt.services.consultations.ask_follow_up(cid, "console", "elder-1", "还要带什么？", rt.now())
    clock.advance(days=rt.services.settings.retention_days - 50)  # 230 days after the answer
    assert (await purge_expired(rt)).questions == 0
    clock.advance(days=51)
    assert (await purge_expired(rt)).questions == 1


async def test_a_half_finished_questionnaire_survives_a_restart_but_not_a_month(rt, clock):
    chat = Chat(rt, channel="console", user_id="elder-9")
    await chat.send("查资格")
    saved = await rt.services.store.load_state("console", "elder-9")
    assert saved is not None and '"elig"' in saved
    days = rt.services.settings.state_retention_days
    clock.advance(days=days - 1)
    assert (await purge_expired(rt)).states == 0
    assert await rt.services.store.load_state("console", "elder-9") == saved
    clock.advance(days=2)
    assert (await purge_expired(rt)).states == 1
    assert await rt.services.store.load_state("console", "elder-9") is None
    await chat.send("你好")  # the person starts afresh, nothing breaks
    assert chat.text


async def test_unanswered_question_texts_go_after_their_period_and_the_counts_stay(rt, clock):
    store = rt.services.store
    await store.record_miss("fallback", "我家的牛跑丢了", ["x"], [10.0], rt.now())
    clock.advance(days=rt.services.settings.miss_retention_days - 1)
    await store.record_miss("fallback", "我家的羊跑丢了", ["x"], [10.0], rt.now())
    assert (await purge_expired(rt)).misses == 0
    clock.advance(days=2)
    assert (await purge_expired(rt)).misses == 1
    assert [m.question for m in await store.misses()] == ["我家的羊跑丢了"]
    rows = await rt.db.fetchall("SELECT COUNT(*) AS n FROM faq_misses")
    assert rows[0]["n"] == 2


async def test_sent_and_given_up_messages_are_blanked_and_their_keys_still_stop_a_second_copy(rt, clock):
    store = rt.services.store
    keys = [outbox_key(Topic.ANSWER, "r", n) for n in range(3)]
    for n, key in enumerate(keys):
        await store.enqueue(Notice("console", f"elder-{n}", Reply(f"张桂英的答复{n}"), key), rt.now())
    sent, given_up, waiting = sorted(await store.unsent({"console"}, clock()), key=lambda q: q.user_id)
    await store.mark_sent(sent.id, rt.now())
    await store.give_up(given_up.id, rt.now(), [])
    clock.advance(days=rt.services.settings.outbox_retention_days - 1)
    assert (await purge_expired(rt)).messages == 0
    clock.advance(days=2)
    assert (await purge_expired(rt)).messages == 2

    rows = await rt.db.fetchall("SELECT user_id, reply FROM outbox ORDER BY id")
    assert [tuple(r) for r in rows][:2] == [("", "{}"), ("", "{}")]
    assert "张桂英的答复2" in rows[2]["reply"]  # still waiting: kept whole
    assert not await store.enqueue(Notice("console", "elder-0", Reply("again"), keys[0]), rt.now())
    clock.advance(days=400)
    await purge_expired(rt)
    assert len(await rt.db.fetchall("SELECT id FROM outbox")) == 1  # the waiting one only


async def test_a_message_another_process_is_sending_is_not_given_up_under_it(rt, clock):
    """Past its useful life while another process holds its lease (PostgreSQL, several processes):
    left to that process, and staff are not told of a message that may still arrive."""
    store, now = rt.services.store, clock()
    await store.enqueue(Notice("console", "elder", Reply("提醒：今天下午上门"), outbox_key(Topic.ANSWER, "x")), now)
    [queued] = await store.unsent({"console"}, now)
    assert await store.lease(queued.id, now, now + timedelta(minutes=5))
    alert = [Notice("console", "staff", Reply("没能送达"), outbox_key(Topic.UNDELIVERED, queued.id))]
    await store.give_up(queued.id, now, alert)
    assert [q.id for q in await store.unsent({"console", "staff"}, now)] == [queued.id]
    later = now + timedelta(minutes=6)  # the lease ran out: that process died
    await store.give_up(queued.id, later, alert)
    assert [q.user_id for q in await store.unsent({"console"}, later)] == ["staff"]
