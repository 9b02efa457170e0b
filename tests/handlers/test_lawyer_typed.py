"""Walk item 11: a lawyer on a numbered channel (WeChat, console) who typed something after a
新留言 notice lost its 接单 button; typing 接单 Q00001, the reference, 接单 or 回答追问 claims or
answers, and 待接留言 lists what waits. Walk item 13: the chat statement says a vetoed year is
不合格 (4号 二(三)); an accepted correction leads staff to enter the omitted points (二(四))."""

from __future__ import annotations

import pytest

from tests.auxil.chat import Chat
from tests.handlers.conftest import STAFF_ID
from tests.handlers.test_lawyers_flow import outbox_for


async def console_lawyer(rt, user_id: str, name: str = "王律师") -> Chat:
    _, code = await rt.services.ledger.add_lawyer(name, "衢州某律师事务所", rt.now())
    chat = Chat(rt, channel="console", user_id=user_id)
    await chat.send(f"/register {code}")
    assert chat.says("lawyer.registered", name=name)
    await chat.send("/duty")
    return chat


async def ask(rt, user_id: str, question: str) -> Chat:
    resident = Chat(rt, channel="telegram", user_id=user_id)
    await resident.send("留言问律师")
    await resident.send(question)
    return resident


@pytest.mark.parametrize("typed", ["接单 Q00001", "接单Q00001", "Q00001", "q00001", "接单"])
async def test_a_lawyer_who_typed_something_else_after_the_notice_claims_by_typing(rt, typed):
    lawyer = await console_lawyer(rt, "law-1")
    await ask(rt, "601", "我爸的养老金被儿子拿着不给怎么办")
    [notice] = await outbox_for(rt, "law-1")
    assert notice["text"] == rt.services.texts("lawyer.new_question", ref="Q00001", question="我爸的养老金被儿子拿着不给怎么办")
    await lawyer.send("你好")  # the notice's 接单 is off the screen now
    await lawyer.send(typed)
    assert lawyer.says("lawyer.write_answer", ref="Q00001", question="我爸的养老金被儿子拿着不给怎么办")
    await lawyer.send("可以申请法律援助，70岁以上免经济状况审查。")
    assert lawyer.says("lawyer.sent", ref="Q00001")
    [answer] = await outbox_for(rt, "601")
    assert "免经济状况审查" in answer["text"]


async def test_exactly_one_lawyer_wins_a_typed_claim(rt):
    first = await console_lawyer(rt, "law-1")
    second = await console_lawyer(rt, "law-2", name="李律师")
    await ask(rt, "601", "邻居占了我家的地怎么办")
    await first.send("接单 Q00001")
    assert first.says("lawyer.write_answer", ref="Q00001")
    await second.send("接单 Q00001")
    assert second.says("lawyer.taken")
    await second.send("Q00009")
    assert second.says("lawyer.no_such_question", ref="Q00009")


async def test_jiedan_alone_with_several_open_lists_them_and_a_number_claims(rt):
    lawyer = await console_lawyer(rt, "law-1")
    await ask(rt, "601", "邻居占了我家的地怎么办")
    await ask(rt, "602", "儿子不给赡养费怎么办")
    await lawyer.send("你好")
    await lawyer.send("接单")
    assert lawyer.says("lawyer.waiting_title", count=2)
    assert lawyer.says("lawyer.waiting_line", ref="Q00002", state=lawyer.texts("lawyer.state_open"),
                       question="儿子不给赡养费怎么办")
    assert lawyer.labels[:2] == [lawyer.texts("lawyer.claim_ref", ref="Q00001"),
                                 lawyer.texts("lawyer.claim_ref", ref="Q00002")]
    await lawyer.send("2")
    assert lawyer.says("lawyer.write_answer", ref="Q00002")


async def test_a_word_and_a_command_list_what_waits(rt):
    lawyer = await console_lawyer(rt, "law-1")
    await lawyer.send("待接留言")
    assert lawyer.says("lawyer.waiting_none")
    await ask(rt, "601", "邻居占了我家的地怎么办")
    await lawyer.send("待接留言")
    assert lawyer.says("lawyer.waiting_title", count=1)
    await lawyer.send("/questions")
    assert lawyer.says("lawyer.waiting_title", count=1)


async def test_a_follow_up_is_answered_by_typing_huida_zhuiwen(rt):
    lawyer = await console_lawyer(rt, "law-1")
    resident = await ask(rt, "601", "邻居占了我家的地怎么办")
    await lawyer.send("接单 Q00001")
    await lawyer.send("可以先找村里调解。")
    [answer] = await outbox_for(rt, "601")
    follow = next(p for _, p in answer["options"] if p.startswith("consult:follow:"))
    await resident.press(follow)
    await resident.send("调解不成怎么办")
    asked_again = [n for n in await outbox_for(rt, "law-1") if "调解不成" in n["text"]]
    assert asked_again[0]["text"] == rt.services.texts("lawyer.follow_up", ref="Q00001", question="调解不成怎么办")
    await lawyer.send("你好")
    await lawyer.send("回答追问")
    assert lawyer.says("lawyer.write_answer", ref="Q00001", question="调解不成怎么办")
    await lawyer.send("待接留言")  # left, then taken up again by its reference
    assert lawyer.says("lawyer.waiting_line", ref="Q00001", state=lawyer.texts("lawyer.state_follow_up"))
    await lawyer.send("回复 Q00001")
    assert lawyer.says("lawyer.write_answer", ref="Q00001", question="调解不成怎么办")
    await lawyer.send("可以申请法律援助起诉。")
    assert lawyer.says("lawyer.sent", ref="Q00001")


async def test_a_command_typed_while_writing_an_answer_is_not_sent_as_the_answer(rt):
    lawyer = await console_lawyer(rt, "law-1")
    await ask(rt, "601", "邻居占了我家的地怎么办")
    await ask(rt, "602", "儿子不给赡养费怎么办")
    await lawyer.send("接单 Q00001")
    await lawyer.send("接单 Q00002")
    assert lawyer.says("lawyer.write_answer", ref="Q00002")
    assert await outbox_for(rt, "601") == []


async def test_a_resident_typing_a_reference_is_not_taken_for_a_lawyer(rt):
    await ask(rt, "601", "邻居占了我家的地怎么办")
    resident = Chat(rt, channel="console", user_id="602")
    await resident.send("接单 Q00001")
    assert not resident.says("lawyer.write_answer")
    assert (await rt.services.consultations.get(1)).status == "open"


async def test_the_chat_statement_says_a_vetoed_year_is_unqualified(rt):
    lawyer = await console_lawyer(rt, "law-1")
    lawyer_id = (await rt.services.ledger.lawyer_for("console", "law-1")).id
    staff = Chat(rt, channel="telegram", user_id=str(STAFF_ID))
    await staff.send(f"/points_add {lawyer_id} duty_day 2026-11-09 值班")
    await lawyer.send("/points")
    assert not lawyer.says("lawyer.statement_vetoed", year=2026)
    await staff.send(f"/points_add {lawyer_id} refused_case 2026-02-10 无正当理由拒绝承办")
    await lawyer.send("/points")  # this quarter's statement: the veto of 2月 still makes the year 不合格
    assert lawyer.says("lawyer.statement_total", total=10)
    assert lawyer.says("lawyer.statement_vetoed", year=2026)
    await lawyer.send("/points 2026-1")
    assert lawyer.says("lawyer.statement_vetoed", year=2026)


async def test_an_accepted_correction_prompts_staff_to_enter_the_points(rt, clock):
    lawyer = await console_lawyer(rt, "law-1")
    lawyer_id = (await rt.services.ledger.lawyer_for("console", "law-1")).id
    await lawyer.send("/correction")
    await lawyer.press(f"law:found:{rt.services.today(rt.now()).isoformat()}")
    await lawyer.send("11月9日值班未计分")
    staff = Chat(rt, channel="telegram", user_id=str(STAFF_ID))
    await staff.send("/corrections")
    await staff.tap(staff.texts("staff.accept"))
    await staff.send("核实属实")
    assert staff.says("staff.decided_accepted", id=lawyer_id, name="王律师", text="11月9日值班未计分")
    assert "duty_day（二(一)3）" in staff.text
    [told] = [n for n in await outbox_for(rt, "law-1") if "核对申请" in n["text"]]
    assert rt.services.texts("lawyer.correction_to_add") in told["text"]
    await staff.send(f"/points_add {lawyer_id} duty_day 2026-11-09 核对追加")
    assert (await rt.services.ledger.statement(lawyer_id, 2026, 4)).total == 10


async def test_a_refused_correction_does_not_prompt_staff(rt):
    lawyer = await console_lawyer(rt, "law-1")
    await lawyer.send("/correction")
    await lawyer.press(f"law:found:{rt.services.today(rt.now()).isoformat()}")
    await lawyer.send("11月9日值班未计分")
    staff = Chat(rt, channel="telegram", user_id=str(STAFF_ID))
    await staff.send("/corrections")
    await staff.tap(staff.texts("staff.reject"))
    await staff.send("当天没有排班")
    assert staff.says("staff.decided") and not staff.says("staff.decided_accepted")


@pytest.mark.parametrize("typed", ["回复 Q00001 可以申请法律援助，70岁以上免经济状况审查。",
                                   "回复Q00001：可以申请法律援助，70岁以上免经济状况审查。"])
async def test_the_reference_and_the_answer_in_one_message_claim_and_answer_it(rt, typed):
    lawyer = await console_lawyer(rt, "law-1")
    await ask(rt, "601", "我爸的养老金被儿子拿着不给怎么办")
    await lawyer.send("你好")
    await lawyer.send(typed)
    assert lawyer.says("lawyer.sent", ref="Q00001")
    assert not lawyer.says("lawyer.write_answer", ref="Q00001", question="我爸的养老金被儿子拿着不给怎么办")
    [answer] = await outbox_for(rt, "601")
    assert answer["text"].endswith("：\n可以申请法律援助，70岁以上免经济状况审查。")  # the answer, not the command


async def test_the_reference_and_an_answer_for_a_question_another_lawyer_took_are_refused(rt):
    first = await console_lawyer(rt, "law-1")
    second = await console_lawyer(rt, "law-2", name="李律师")
    await ask(rt, "601", "邻居占了我家的地怎么办")
    await first.send("接单 Q00001")
    await second.send("回复 Q00001 先找村委会调解。")
    assert second.says("lawyer.taken")
    assert await outbox_for(rt, "601") == []
