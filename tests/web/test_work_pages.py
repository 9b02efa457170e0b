"""留言, a lawyer's 我的留言 and 我的积分, 积分, 律师, 知识库 and 账号 through the console."""

from __future__ import annotations

from datetime import datetime

from tests.auxil.chat import Chat
from tests.conftest import SHANGHAI
from tests.web.conftest import LAWYER_PASSWORD, queued_for


async def asked(rt, text="儿子不给赡养费怎么办") -> int:
    resident = Chat(rt, channel="console", user_id="elder-2")
    await resident.send("/ask")
    await resident.send(text)
    [c] = await rt.services.consultations.list_for_user("console", "elder-2")
    return c.id


async def test_a_lawyer_claims_and_answers_and_the_resident_gets_it_in_the_chat(rt, lawyer):
    question = await asked(rt)
    await lawyer.get("/my/questions")
    assert "Q00001" in lawyer.last and rt.services.texts("web.q.status.open") in lawyer.last
    response = await lawyer.post(f"/my/questions/{question}/claim")
    assert response.headers["Location"].endswith("result=claimed")
    await lawyer.get(response.headers["Location"])
    response = await lawyer.post(f"/my/questions/{question}/answer", {"answer": "可以向法院起诉要求支付赡养费。"})
    assert response.headers["Location"].endswith("result=answered")
    [answer] = [r for r in await queued_for(rt, "console", "elder-2") if "可以向法院起诉" in r["text"]]
    assert "王律师" in answer["text"]


async def test_an_empty_answer_is_refused(rt, lawyer):
    question = await asked(rt)
    await lawyer.post(f"/my/questions/{question}/claim")
    response = await lawyer.post(f"/my/questions/{question}/answer", {"answer": ""})
    assert response.status == 400
    assert (await rt.services.consultations.get(question)).status == "claimed"


async def test_a_lawyer_cannot_read_another_lawyer_s_question(rt, lawyer):
    question = await asked(rt)
    other, code = await rt.services.ledger.add_lawyer("李律师", "某所", rt.now())
    await rt.services.consultations.claim(question, other.id, rt.now())
    response = await lawyer.get(f"/my/questions/{question}")
    assert response.status == 403 and "儿子不给赡养费" not in lawyer.last


async def test_staff_see_every_question_s_status_and_reading_one_is_logged(rt, staff, people):
    question = await asked(rt)
    await staff.get("/questions")
    assert "Q00001" in staff.last and "儿子不给赡养费" not in staff.last
    await staff.get(f"/questions/{question}")
    assert "儿子不给赡养费" in staff.last
    rows = await rt.db.fetchall("SELECT action, subject FROM access_log")
    assert [tuple(r) for r in rows] == [("consultation.read", "Q00001")]


async def test_staff_reassign_a_claimed_question_and_the_new_lawyer_is_sent_it(rt, staff, people):
    question = await asked(rt)
    await rt.services.consultations.claim(question, people.lawyer_id, rt.now())
    other, code = await rt.services.ledger.add_lawyer("李律师", "某所", rt.now())
    await rt.services.ledger.bind(code, "telegram", "777", rt.now())
    response = await staff.post(f"/questions/{question}/reassign", {"lawyer": str(other.id)})
    assert response.headers["Location"].endswith("result=reassigned")
    assert any("儿子不给赡养费" in r["text"] for r in await queued_for(rt, "telegram", "777"))


async def test_the_entry_form_offers_non_working_day_answers_only_on_a_non_working_day(staff, people):
    await staff.get(f"/points?lawyer={people.lawyer_id}&day=2026-11-26")  # a Thursday
    assert 'value="non_workday_consult"' not in staff.last and 'value="duty_day"' in staff.last
    await staff.get(f"/points?lawyer={people.lawyer_id}&day=2026-11-28")  # a Saturday
    assert 'value="non_workday_consult"' in staff.last


async def test_staff_add_an_entry_and_reverse_it_with_a_note(rt, staff, people):
    response = await staff.post("/points/add", {"lawyer": str(people.lawyer_id), "item": "duty_day",
                                                "day": "2026-11-25", "quantity": "2", "note": "值班"})
    assert response.headers["Location"].endswith("result=added")
    [entry] = (await rt.services.ledger.statement(people.lawyer_id, 2026)).items
    assert (entry.points, entry.entered_by) == (20, "web:admin")
    response = await staff.post(f"/points/entries/{entry.id}/reverse", {"note": "录错了"})
    assert response.headers["Location"].endswith("result=reversed")
    assert (await rt.services.ledger.statement(people.lawyer_id, 2026)).total == 0


async def test_an_entry_the_rules_refuse_is_explained(rt, staff, people):
    response = await staff.post("/points/add", {"lawyer": str(people.lawyer_id), "item": "non_workday_consult",
                                                "day": "2026-11-26"})
    assert response.status == 400
    assert rt.services.texts("ledger.error.consult_on_workday", day="2026-11-26") in staff.last


async def test_a_lawyer_files_a_correction_and_staff_decide_it(rt, lawyer, staff, people):
    response = await lawyer.post("/my/points/correction", {"year": "2026", "quarter": "4",
                                                           "discovered_on": "2026-11-26", "text": "11月值班漏记"})
    assert response.headers["Location"].endswith("result=correction_filed")
    await staff.get("/")
    assert "11月值班漏记" not in staff.last  # the start page counts; the points page shows
    await staff.get("/points")
    assert "11月值班漏记" in staff.last
    [waiting] = await rt.services.ledger.list_corrections()
    response = await staff.post(f"/points/corrections/{waiting.id}", {"decision": "accept", "reason": "核实"})
    assert response.headers["Location"].endswith("result=decided")
    assert any("核实" in r["text"] for r in await queued_for(rt, "telegram", "501"))


async def test_a_lawyer_reads_their_statement(rt, lawyer, people, clock):
    clock.now = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)  # a Saturday: +5 for an answer
    await lawyer.sign_in("wang", LAWYER_PASSWORD)
    question = await asked(rt)
    await lawyer.post(f"/my/questions/{question}/claim")
    await lawyer.post(f"/my/questions/{question}/answer", {"answer": "答复"})
    await lawyer.get("/my/points?year=2026&quarter=4")
    assert "二(一)9" in lawyer.last and "+5" in lawyer.last


async def test_the_ranking_downloads_as_a_file(staff):
    response = await staff.client.get("/points/export?year=2026&format=csv")
    assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]


async def test_registering_a_lawyer_shows_the_one_time_code_once(rt, staff):
    response = await staff.post("/lawyers/add", {"name": "赵律师", "firm": "某所"})
    assert response.status == 200 and "/register " in staff.last
    await staff.get("/lawyers")
    assert "赵律师" in staff.last and "/register " not in staff.last


async def test_the_knowledge_page_lists_misses_most_frequent_first(rt, staff):
    for question in ("邻居的狗咬人", "邻居的狗咬人", "楼上漏水"):
        await rt.services.store.record_miss("fallback", question, [], [], rt.now())
    await staff.get("/knowledge?days=7")
    assert staff.last.index("邻居的狗咬人") < staff.last.index("楼上漏水")


async def test_staff_create_an_account_that_can_sign_in(make_console, staff):
    response = await staff.post("/accounts/add", {"name": "clerk", "role": "staff", "password": "clerk-password"})
    assert response.headers["Location"].endswith("result=added")
    response = await staff.post("/accounts/add", {"name": "short", "role": "staff", "password": "short"})
    assert response.headers["Location"].endswith("result=weak")
    console = await make_console()
    assert (await console.sign_in("clerk", "clerk-password")).status == 303


async def test_staff_keep_the_duty_roster_and_deactivate_a_lawyer(rt, staff, lawyer, people):
    assert (await staff.post(f"/lawyers/{people.lawyer_id}/off-duty")).status == 303
    assert await rt.services.ledger.on_duty_lawyers() == []
    await staff.post(f"/lawyers/{people.lawyer_id}/on-duty")
    assert [x.id for x in await rt.services.ledger.on_duty_lawyers()] == [people.lawyer_id]
    await staff.post(f"/lawyers/{people.lawyer_id}/deactivate")
    gone = await rt.services.ledger.get_lawyer(people.lawyer_id)
    assert (gone.active, gone.on_duty) == (False, False)
    assert (await lawyer.get("/my/questions")).status == 303  # their console account is signed out too
