"""留言问律师 and the lawyers' side, through the dialogue core, under a controlled clock."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest

from bot.scheduler import renotify_unclaimed, send_quarterly_statements
from handlers.events import Incoming, Kind
from handlers.lawyer import LawyerFlow
from handlers.staff import StaffFlow
from storage.bookings import BookingDraft
from tests.auxil.chat import Chat
from tests.auxil.faults import fail_once
from tests.conftest import SHANGHAI
from tests.handlers.conftest import STAFF_ID

NATIONAL_DAY = datetime(2026, 10, 2, 10, 0, tzinfo=SHANGHAI)  # a statutory holiday (Friday)
MAKE_UP_SATURDAY = datetime(2026, 10, 10, 10, 0, tzinfo=SHANGHAI)  # 调休: a working Saturday




async def register_lawyer(rt, user_id: str, name="王律师", firm="衢州某律师事务所") -> Chat:
    lawyer, code = await rt.services.ledger.add_lawyer(name, firm, rt.now())
    chat = Chat(rt, channel="telegram", user_id=user_id)
    await chat.send(f"/register {code}")
    assert "登记好了" in chat.text
    await chat.send("/duty")
    assert "在值班" in chat.text
    return chat


async def outbox_for(rt, user_id: str) -> list[dict]:
    return [q.reply for q in await rt.services.store.unsent({"telegram", "console"}, rt.now()) if q.user_id == user_id]


async def test_a_question_is_answered_by_the_lawyer_who_claims_it_and_earns_5_on_a_holiday(rt, clock):
    clock.now = NATIONAL_DAY
    lawyer = await register_lawyer(rt, "501")
    resident = Chat(rt, channel="telegram", user_id="601")
    await resident.send("留言问律师")
    assert resident.says("consult.when_later", day="10月8日（周四）")  # after the National Day holiday
    await resident.send("我爸的养老金被儿子拿着不给，能申请法律援助吗")
    assert "留言编号" in resident.text
    [note] = await outbox_for(rt, "501")
    claim = next(p for _, p in note["options"] if p.startswith("law:claim:"))
    await lawyer.press(claim)
    assert "请直接打字回复" in lawyer.text
    await lawyer.send("可以申请。70岁以上的老人免经济审查。请带身份证到乡镇工作站。")
    assert "积分+5" in lawyer.text
    [answer] = await outbox_for(rt, "601")
    assert "王律师律师（衢州某律师事务所）" in answer["text"] and "免经济审查" in answer["text"]
    lawyer_id = (await rt.services.ledger.lawyer_for("telegram", "501")).id
    statement = await rt.services.ledger.statement(lawyer_id, 2026, 4)
    assert statement.total == 5 and statement.items[0].clause == "二(一)9"
    await lawyer.send("/points")
    assert "合计：5分" in lawyer.text


async def test_a_question_redelivered_after_its_turn_failed_is_asked_once(rt, monkeypatch):
    """The question was kept, then the turn failed before it was saved (a crash, a busy database);
    Telegram sends the update again: the lawyers hear of one question, under one reference."""
    await register_lawyer(rt, "503")
    await rt.dialogue.handle(Incoming("telegram", "603", rt.now(), kind=Kind.TEXT, text="留言问律师", key="update:1"))
    asked = Incoming("telegram", "603", rt.now(), kind=Kind.TEXT, text="邻居占了我家的地怎么办", key="update:2")
    fail_once(monkeypatch, rt.services.store, "save_turn", RuntimeError("database is locked"))
    with pytest.raises(RuntimeError):
        await rt.dialogue.handle(asked)
    again = await rt.dialogue.handle(asked)
    [question] = await rt.services.consultations.list_for_user("telegram", "603")
    assert question.ref in again.replies[0].text
    assert len(await outbox_for(rt, "503")) == 1


async def test_no_points_for_an_answer_on_a_make_up_working_saturday(rt, clock):
    clock.now = MAKE_UP_SATURDAY
    lawyer = await register_lawyer(rt, "502")
    resident = Chat(rt, channel="telegram", user_id="602")
    await resident.send("/ask")
    await resident.send("邻居占了我家的地怎么办")
    consultation = (await rt.services.consultations.list_for_user("telegram", "602"))[0]
    await lawyer.press(f"law:claim:{consultation.id}")
    await lawyer.send("建议先找村委会调解。")
    assert "积分+5" not in lawyer.text and "已发给居民" in lawyer.text
    lawyer_id = (await rt.services.ledger.lawyer_for("telegram", "502")).id
    assert (await rt.services.ledger.statement(lawyer_id, 2026, 4)).total == 0


async def test_two_lawyers_tap_claim_at_once_and_exactly_one_wins(rt, clock):
    first = await register_lawyer(rt, "511", name="甲")
    second = await register_lawyer(rt, "512", name="乙")
    resident = Chat(rt, channel="telegram", user_id="611")
    await resident.send("/ask")
    await resident.send("儿女不赡养老人怎么办")
    consultation = (await rt.services.consultations.list_for_user("telegram", "611"))[0]
    payload = f"law:claim:{consultation.id}"
    await asyncio.gather(first.press(payload), second.press(payload))
    texts = [first.text, second.text]
    assert sum("请直接打字回复" in t for t in texts) == 1
    assert sum("已经被其他律师接了" in t for t in texts) == 1


async def test_the_plus_5_is_recorded_once_even_if_the_answer_is_sent_twice(rt, clock):
    clock.now = NATIONAL_DAY
    lawyer = await register_lawyer(rt, "521")
    resident = Chat(rt, channel="telegram", user_id="621")
    await resident.send("/ask")
    await resident.send("遗嘱怎么写才有效")
    consultation = (await rt.services.consultations.list_for_user("telegram", "621"))[0]
    await lawyer.press(f"law:claim:{consultation.id}")
    answer_state = await rt.services.store.load_state("telegram", "521")
    await lawyer.send("建议办理遗嘱公证。")
    # The same answer arrives again (a re-sent update): replay the state it was answered from.
    await rt.services.store.save_state("telegram", "521", answer_state, clock())
    await lawyer.send("建议办理遗嘱公证。")
    lawyer_id = (await rt.services.ledger.lawyer_for("telegram", "521")).id
    assert (await rt.services.ledger.statement(lawyer_id, 2026, 4)).total == 5


async def test_one_follow_up_then_praise_is_passed_on_as_thanks_without_points(rt, clock):
    """4号 二(一)10 "在承办法律援助案件中受到受援人表扬的": an online answer is neither a case nor praise
    from an aided person, so the resident's 表扬 reaches the lawyer as thanks and earns nothing."""
    lawyer = await register_lawyer(rt, "531")
    resident = Chat(rt, channel="telegram", user_id="631")
    await resident.send("/ask")
    await resident.send("房子过户给儿子要注意什么")
    consultation = (await rt.services.consultations.list_for_user("telegram", "631"))[0]
    await lawyer.press(f"law:claim:{consultation.id}")
    await lawyer.send("先做公证。")
    await resident.press(f"consult:follow:{consultation.id}")
    await resident.send("公证要去哪里办")
    follow = [r for r in await outbox_for(rt, "531") if "追问" in r["text"]]
    assert follow
    await lawyer.press(f"law:answer:{consultation.id}")
    await lawyer.send("去当地公证处。")
    await resident.press(f"consult:follow:{consultation.id}")
    assert "已经追问过了" in resident.text
    await resident.press(f"consult:praise:{consultation.id}")
    assert rt.services.texts("consult.thanks") in resident.text
    thanked = rt.services.texts("lawyer.thanked", ref=consultation.ref)
    assert any(m["text"] == thanked for m in await outbox_for(rt, "531"))
    assert await outbox_for(rt, "-100") == []  # nothing for staff to confirm
    lawyer_id = (await rt.services.ledger.lawyer_for("telegram", "531")).id
    assert (await rt.services.ledger.statement(lawyer_id, 2026, 4)).items == []


async def test_a_lawyer_answering_their_own_question_on_a_holiday_earns_nothing(rt, clock):
    clock.now = NATIONAL_DAY
    lawyer = await register_lawyer(rt, "533")
    await lawyer.send("/ask")
    await lawyer.send("我自己问一个问题：遗嘱公证要带什么")
    consultation = (await rt.services.consultations.list_for_user("telegram", "533"))[0]
    await lawyer.press(f"law:claim:{consultation.id}")
    await lawyer.send("带身份证和房产证。")
    assert lawyer.says("lawyer.sent", ref=consultation.ref)
    await lawyer.press(f"consult:praise:{consultation.id}")
    lawyer_id = (await rt.services.ledger.lawyer_for("telegram", "533")).id
    assert (await rt.services.ledger.statement(lawyer_id, 2026, 4)).items == []


async def test_a_correction_counts_five_days_from_the_day_the_lawyer_found_the_omission(rt, clock):
    """4号 二(四) "统计有遗漏的,应在发现之日起5日内提出": the lawyer says the day; the statement's date does not count."""
    lawyer = await register_lawyer(rt, "535")
    await lawyer.send("/correction 2026-1")
    assert lawyer.says("lawyer.correction_when", year=2026, quarter=1)
    today = clock().astimezone(SHANGHAI).date()
    await lawyer.press(f"law:found:{today.isoformat()}")
    assert lawyer.says("lawyer.correction_prompt", year=2026, quarter=1)
    await lawyer.send("3月12日值班未计分")
    assert lawyer.says("lawyer.correction_filed")
    [filed] = await rt.services.ledger.list_corrections()
    assert (filed.quarter, filed.discovered_on) == (1, today)


async def test_a_discovery_day_whose_fifth_day_fell_in_the_holiday_can_still_be_picked(rt, clock):
    """二(四) 5日内 with 第203条: found on 9月26日, the fifth day (10月1日) is 国庆, so on 10月8日 it is
    still open; 9月25日's window closed on 9月30日."""
    clock.now = datetime(2026, 10, 8, 10, 0, tzinfo=SHANGHAI)
    lawyer = await register_lawyer(rt, "536")
    await lawyer.send("/correction 2026-3")
    found = {o.payload for o in lawyer.options}
    assert "law:found:2026-09-26" in found
    assert "law:found:2026-09-25" not in found
    await lawyer.press("law:found:2026-09-26")
    await lawyer.send("9月20日值班未计分")
    assert lawyer.says("lawyer.correction_filed")


async def test_photos_and_voice_in_a_question_are_answered_plainly(rt):
    resident = Chat(rt, channel="telegram", user_id="641")
    await resident.send("/ask")
    await resident.send("", kind=Kind.VOICE)
    assert "律师暂时只能看到文字" in resident.text


async def test_unclaimed_questions_are_sent_again_and_shown_to_staff(rt, clock):
    await register_lawyer(rt, "551")
    resident = Chat(rt, channel="telegram", user_id="651")
    await resident.send("/ask")
    await resident.send("养老院不退押金怎么办")
    assert await renotify_unclaimed(rt) == 0
    clock.advance(minutes=61)
    assert await renotify_unclaimed(rt) == 1
    staff_messages = await outbox_for(rt, "-100")
    assert any("没有律师接单" in m["text"] for m in staff_messages)


STAFF_COMMANDS = sorted(StaffFlow.commands)
STAFF_ACTIONS = sorted(set(StaffFlow().routes()) - {"resume", "restart"})
LAWYER_ACTIONS = sorted(set(LawyerFlow.commands.values()) - {"register"} | {"claim", "answer"})


@pytest.mark.parametrize("command", STAFF_COMMANDS)
async def test_every_staff_command_refuses_everyone_else(rt, command):
    resident = Chat(rt, channel="telegram", user_id="777")
    await resident.send(f"{command} 2026-11-01 2026-11-30")
    assert rt.services.texts("roles.refused") in resident.text
    assert not any(r.document for r in resident.last.replies)


@pytest.mark.parametrize("action", STAFF_ACTIONS)
async def test_every_staff_button_refuses_everyone_else(rt, action):
    lawyer = await register_lawyer(rt, "778")  # a lawyer is not staff either
    await lawyer.press(f"staff:{action}:1")
    assert rt.services.texts("roles.refused") in lawyer.text


@pytest.mark.parametrize("action", LAWYER_ACTIONS)
async def test_every_lawyer_action_refuses_residents(rt, action):
    resident = Chat(rt, channel="telegram", user_id="779")
    await resident.press(f"law:{action}:1")
    assert rt.services.texts("roles.refused") in resident.text


@pytest.mark.parametrize("command", ["/points_add 1", "/points_add 1 case 昨天 备注", "/points_add x case 2026-11-02",
                                     "/points_reverse 备注", "/export 2026-11-01", "/lawyer_add 只有姓名",
                                     "/bookings 明天"])
async def test_a_malformed_staff_command_shows_the_usage(rt, command):
    staff = Chat(rt, channel="telegram", user_id=str(STAFF_ID))
    await staff.send(command)
    assert rt.services.texts("staff.usage") in staff.text


async def test_a_bug_under_a_staff_command_reaches_the_error_handler_not_the_usage(rt, monkeypatch):
    async def broken(*_args, **_kwargs):
        raise ValueError("a bug, not a typo")

    monkeypatch.setattr("services.points.add_entry", broken)
    staff = Chat(rt, channel="telegram", user_id=str(STAFF_ID))
    await staff.send("/points_add 1 case 2026-11-02 备注")
    assert rt.services.texts("staff.usage") not in staff.text
    assert rt.services.texts("error.apology") in staff.text


async def test_staff_enter_a_group_case_by_its_people(rt):
    lawyer, _ = await rt.services.ledger.add_lawyer("赵律师", "所", rt.now())
    staff = Chat(rt, channel="telegram", user_id=str(STAFF_ID))
    await staff.send(f"/points_add {lawyer.id} case 2026-11-02 12人 讨薪群体案")
    [entry] = (await rt.services.ledger.statement(lawyer.id, 2026, 4)).items
    assert staff.text.startswith(rt.services.texts("staff.entry_added", id=entry.id, clause="二(一)1", points="+60"))
    assert (entry.quantity, entry.note) == (3, "讨薪群体案")


async def test_refusals_are_logged_without_the_chat_id(rt, caplog):
    resident = Chat(rt, channel="telegram", user_id="123456789")
    with caplog.at_level("WARNING"):
        await resident.send("/bookings")
    assert "refused staff:bookings" in caplog.text and "123456789" not in caplog.text


async def test_a_resident_cannot_claim_a_question(rt):
    resident = Chat(rt, channel="telegram", user_id="780")
    await resident.press("law:claim:1")
    assert "登记的律师" in resident.text


async def test_a_wrong_or_reused_registration_code_is_refused(rt):
    lawyer, code = await rt.services.ledger.add_lawyer("赵律师", "某所", rt.now())
    first = Chat(rt, channel="telegram", user_id="561")
    await first.send(f"/register {code}")
    other = Chat(rt, channel="telegram", user_id="562")
    await other.send(f"/register {code}")
    assert "不对或已经过期" in other.text
    await other.send("/register WRONGCODE")
    assert "不对或已经过期" in other.text


async def test_staff_marks_a_visit_done_and_the_lawyer_gets_10_once(rt, clock):
    await register_lawyer(rt, "571")
    family = Chat(rt, channel="telegram", user_id="671")
    from tests.handlers.test_booking_flow import book

    await book(family)
    await family.tap("确认预约")
    ref = (await rt.services.bookings.list_for_user("telegram", "671"))[0].ref
    staff = Chat(rt, channel="telegram", user_id=str(STAFF_ID))
    await staff.send("/bookings 2026-11-27")
    await staff.tap(f"详情 {ref}")
    assert "张桂英" in staff.text and "13812345678" in staff.text
    assert (await rt.services.store.access_log())[0][2:] == ("booking.details", ref)
    await staff.tap("指派律师")
    await staff.tap("王律师")
    assert "已把" in staff.text
    assert any("指派了上门服务" in m["text"] for m in await outbox_for(rt, "571"))
    clock.advance(days=1)
    await staff.press(f"staff:visited:{ref}")
    assert "积分+10" in staff.text
    await staff.press(f"staff:visited:{ref}")
    assert "之前已经记过了" in staff.text
    lawyer_id = (await rt.services.ledger.lawyer_for("telegram", "571")).id
    statement = await rt.services.ledger.statement(lawyer_id, 2026, 4)
    assert statement.total == 10 and statement.items[0].clause == "二(一)4"
    await staff.send("/export 2026-11-01 2026-11-30 csv")
    document = staff.last.replies[0].document
    assert document.content.startswith("\ufeff".encode()) and ref.encode() in document.content


async def test_staff_report_is_a_file_and_quarterly_statements_go_out_once(rt, clock):
    await register_lawyer(rt, "581")
    lawyer_id = (await rt.services.ledger.lawyer_for("telegram", "581")).id
    await rt.services.ledger.add_entry(lawyer_id, "duty_day", datetime(2026, 11, 20).date(), "staff:x", rt.now())
    staff = Chat(rt, channel="telegram", user_id=str(STAFF_ID))
    await staff.send("/report 2026 csv")
    document = staff.last.replies[0].document
    assert "王律师".encode() in document.content and b",10," in document.content
    clock.now = datetime(2027, 1, 4, 9, 0, tzinfo=SHANGHAI)
    assert await send_quarterly_statements(rt) == 1
    assert await send_quarterly_statements(rt) == 0
    assert any("第4季度积分对账单：合计10分" in m["text"] for m in await outbox_for(rt, "581"))


async def test_staff_cancel_a_visit_by_command_and_the_resident_is_told_why(rt):
    draft = BookingDraft("console", "elder-3", "柯城区", date(2026, 11, 30), "am", "张三", "13812345678", "self",
                         "府山街道", "某路1号", "立遗嘱", rt.now())
    ref = (await rt.services.bookings.create(draft, 2, "req-3", rt.now(), {})).booking.ref
    staff = Chat(rt, channel="telegram", user_id=str(STAFF_ID))
    await staff.send(f"/visit_cancel {ref}")
    assert rt.services.texts("staff.usage") in staff.text
    await staff.send(f"/visit_cancel {ref} 老人住院了")
    assert staff.text.startswith(rt.services.texts("staff.visit_cancelled", ref=ref))
    [told] = [q for q in await rt.services.store.unsent({"console"}, rt.now()) if q.user_id == "elder-3"]
    assert "老人住院了" in told.reply["text"]
    await staff.send(f"/visit_cancel {ref} 又取消")
    assert rt.services.texts("staff.change.already_cancelled") in staff.text


@pytest.mark.parametrize(("typed", "points"), [("late_upload 2026-11-02 3 迟录三件", -6),
                                               ("other_award 2026-11-02 15 重阳节普法", 15),
                                               ("duty_day 2026-11-02 柯城窗口", 10)])
async def test_staff_enter_quantities_and_case_by_case_points(rt, typed, points):
    lawyer, _ = await rt.services.ledger.add_lawyer("钱律师", "所", rt.now())
    staff = Chat(rt, channel="telegram", user_id=str(STAFF_ID))
    await staff.send(f"/points_add {lawyer.id} {typed}")
    [entry] = (await rt.services.ledger.statement(lawyer.id, 2026, 4)).items
    assert (entry.points, entry.note) == (points, typed.split()[-1])
