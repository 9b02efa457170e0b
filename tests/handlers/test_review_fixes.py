"""Behaviour pinned down after a review of the flows: each test names what went wrong before."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.scheduler import alert_stalled, renotify_unclaimed
from handlers.events import Incoming, Kind
from tests.auxil.chat import Chat
from tests.conftest import SHANGHAI
from tests.handlers.test_booking_flow import book
from tests.handlers.conftest import STAFF_ID
from tests.handlers.test_lawyers_flow import outbox_for, register_lawyer




async def assigned_booking(rt, family: Chat) -> str:
    await book(family)
    await family.tap("确认预约")
    ref = (await rt.services.bookings.list_for_user(family.channel, family.user_id))[0].ref
    staff = Chat(rt, channel="telegram", user_id=str(STAFF_ID))
    await staff.press(f"staff:assign:{ref}")
    await staff.tap("王律师")
    return ref


async def test_moving_a_visit_tells_the_lawyer_and_keeps_the_lawyers_reminder(rt):
    await register_lawyer(rt, "701")
    family = Chat(rt, channel="telegram", user_id="801")
    ref = await assigned_booking(rt, family)
    await family.tap("我的预约")
    await family.tap("改时间")
    await family.press([o.payload for o in family.options if "date=" in o.payload][1])
    await family.tap("下午")
    assert any("改了时间" in m["text"] and ref in m["text"] for m in await outbox_for(rt, "701"))
    reminders = await rt.db.conn.execute_fetchall(
        "SELECT audience, dropped_at FROM reminders r JOIN bookings b ON b.id = r.booking_id WHERE b.ref = ?", (ref,))
    assert ("lawyer", None) in [tuple(r) for r in reminders]


async def test_cancelling_a_visit_tells_the_lawyer(rt):
    await register_lawyer(rt, "702")
    family = Chat(rt, channel="telegram", user_id="802")
    ref = await assigned_booking(rt, family)
    await family.tap("我的预约")
    await family.tap("取消")
    await family.tap("确定取消")
    assert any("已被居民取消" in m["text"] and ref in m["text"] for m in await outbox_for(rt, "702"))


async def test_a_question_typed_after_a_long_pause_is_taken_not_lost(rt, clock):
    resident = Chat(rt, channel="telegram", user_id="803")
    await resident.send("/ask")
    clock.advance(minutes=40)
    await resident.send("邻居占了我家的宅基地怎么办")
    assert "留言编号" in resident.text


async def test_forgetting_withdraws_undelivered_messages_about_the_person(rt):
    await register_lawyer(rt, "704")
    resident = Chat(rt, channel="telegram", user_id="804")
    await resident.send("/ask")
    await resident.send("我的退休金被人拿走了怎么办")
    assert any("退休金" in m["text"] for m in await outbox_for(rt, "704"))
    await resident.send("/forget")
    await resident.tap("确定删除")
    assert not any("退休金" in m["text"] for m in await outbox_for(rt, "704"))


async def test_unclaimed_questions_are_not_sent_at_night_nor_for_ever(rt, clock):
    await register_lawyer(rt, "705")
    resident = Chat(rt, channel="telegram", user_id="805")
    await resident.send("/ask")
    await resident.send("儿媳妇不让我住家里")
    clock.now = datetime(2026, 11, 26, 23, 30, tzinfo=SHANGHAI)
    assert await renotify_unclaimed(rt) == 0
    clock.now = datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI)
    for _ in range(6):
        await renotify_unclaimed(rt)
        clock.advance(minutes=61)
    to_lawyer = [m for m in await outbox_for(rt, "705") if "儿媳妇" in m["text"]]
    assert len(to_lawyer) == 1 + 3  # the first notice, then three reminders; after that staff only


async def test_a_claimed_question_left_unanswered_for_a_day_is_shown_to_staff(rt, clock):
    lawyer = await register_lawyer(rt, "706")
    resident = Chat(rt, channel="telegram", user_id="806")
    await resident.send("/ask")
    await resident.send("养老院不退押金")
    [consultation] = await rt.services.consultations.list_for_user("telegram", "806")
    await lawyer.press(f"law:claim:{consultation.id}")
    assert await alert_stalled(rt) == 0
    clock.advance(days=1, minutes=1)
    assert await alert_stalled(rt) == 1
    assert any("还没有回复" in m["text"] for m in await outbox_for(rt, "-100"))


async def test_staff_can_tap_alert_buttons_in_the_staff_group(rt):
    staff_in_group = Incoming("telegram", str(STAFF_ID), rt.now(), kind=Kind.BUTTON,
                              payload="staff:lawyers", group=True)
    outcome = await rt.dialogue.handle(staff_in_group)
    assert "私下" not in outcome.replies[0].text


async def test_when_the_slot_goes_at_confirm_only_a_new_time_is_asked(rt, settings):
    capacity = rt.services.settings.slot_rules.capacity
    others = [Chat(rt, user_id=f"other-{i}") for i in range(capacity)]
    late = Chat(rt, user_id="late")
    await book(late)
    for other in others:
        await book(other)
        await other.tap("确认预约")
    await late.tap("确认预约")
    assert "约满了" in late.text
    await late.press([o.payload for o in late.options if "date=" in o.payload][1])
    await late.tap("下午")
    assert "请核对预约信息" in late.text and "张桂英" in late.text


@pytest.mark.parametrize("typed", ["²", "①", "٣"])
async def test_odd_digits_do_not_break_the_menu(chat, typed):
    await chat.send("/start")
    await chat.send(typed)
    assert "出了点问题" not in chat.text


@pytest.mark.parametrize("period", ["2019-1", "2026-9", "2026-x", "2030-1"])
async def test_a_correction_for_a_period_outside_the_scheme_is_refused(rt, period):
    lawyer = await register_lawyer(rt, "707")
    await lawyer.send(f"/correction {period}")
    assert "季度写法" in lawyer.text
