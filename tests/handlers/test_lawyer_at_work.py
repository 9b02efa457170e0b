"""A registered lawyer at work in a flow is not shown the safety screen meant for a resident in danger."""

from __future__ import annotations

from tests.auxil.chat import Chat
from tests.handlers.test_lawyers_flow import NATIONAL_DAY, outbox_for, register_lawyer


async def test_a_lawyer_s_answer_that_advises_calling_110_is_sent_without_the_safety_screen(rt, clock):
    clock.now = NATIONAL_DAY
    lawyer = await register_lawyer(rt, "501")
    resident = Chat(rt, channel="telegram", user_id="601")
    await resident.send("留言问律师")
    await resident.send("儿子喝了酒就打我，我该怎么办")
    [note] = await outbox_for(rt, "501")
    await lawyer.press(next(p for _, p in note["options"] if p.startswith("law:claim:")))
    await lawyer.send("遇到儿子打他就报警110，并去医院验伤留证据。可以申请法律援助。")
    assert not lawyer.says("urgent.text")
    assert "积分+5" in lawyer.text
    [answer] = await outbox_for(rt, "601")
    assert "报警110" in answer["text"]


async def test_a_lawyer_outside_any_flow_who_types_danger_still_gets_the_safety_screen(rt, clock):
    clock.now = NATIONAL_DAY
    lawyer = await register_lawyer(rt, "501")
    await lawyer.send("救命，有人要打我")
    assert lawyer.says("urgent.text")
