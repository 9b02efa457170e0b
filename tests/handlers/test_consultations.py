"""留言问律师 around the edges: a long pause, nobody claiming, a lawyer not answering, forgetting, corrections."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.scheduler import alert_stalled, renotify_unclaimed
from tests.auxil.chat import Chat
from tests.conftest import SHANGHAI
from tests.handlers.test_lawyers_flow import outbox_for, register_lawyer


async def test_a_question_typed_after_a_long_pause_is_taken_not_lost(rt, clock):
    resident = Chat(rt, channel="telegram", user_id="803")
    await resident.send("/ask")
    clock.advance(minutes=40)
    await resident.send("邻居占了我家的宅基地怎么办")
    assert "留言编号" in resident.text


@pytest.mark.parametrize(
    ("left_at", "answer_day"),
    [
        (datetime(2026, 11, 27, 18, 30), "11月30日（周一）"),  # Friday evening: Monday
        (datetime(2026, 9, 30, 17, 5), "10月8日（周四）"),  # the eve of National Day: after the holiday
        (datetime(2026, 10, 9, 20, 0), "10月10日（周六）"),  # a 调休 working Saturday follows
    ],
)
async def test_a_question_left_after_hours_says_the_date_of_the_next_working_day(rt, clock, left_at, answer_day):
    clock.now = left_at.replace(tzinfo=SHANGHAI)
    resident = Chat(rt, channel="telegram", user_id="806")
    await resident.send("/ask")
    assert resident.says("consult.when_later", day=answer_day)
    await resident.send("儿子不给赡养费怎么办")
    assert resident.says("consult.received") and resident.says("consult.when_later", day=answer_day)


async def test_a_question_left_in_office_hours_on_a_working_day_is_answered_today(rt, clock):
    clock.now = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)
    resident = Chat(rt, channel="telegram", user_id="807")
    await resident.send("/ask")
    assert resident.says("consult.when_work_day")


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


@pytest.mark.parametrize("period", ["2019-1", "2026-9", "2026-x", "2030-1"])
async def test_a_correction_for_a_period_outside_the_scheme_is_refused(rt, period):
    lawyer = await register_lawyer(rt, "707")
    await lawyer.send(f"/correction {period}")
    assert "季度写法" in lawyer.text
