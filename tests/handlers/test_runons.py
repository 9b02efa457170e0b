"""Run-on messages (issue 12, "Answer rate"): each quoted message gets the behaviour it must get."""

from __future__ import annotations

import json
from datetime import date

import pytest

from handlers.state import Conversation
from policy.county_status import CountyStatus
from policy.eligibility import Asker, Condition, County

JIANGSHAN = "我爸八十三了 中风瘫在床上 住江山 想立个遗嘱 还跟邻居为了一堵墙吵 能不能帮忙"
WAGES_72 = "我今年72岁了包工头欠我工资不给 能不能免费帮我打官司"


def payloads(chat) -> list[str]:
    return [o.payload for o in chat.options]


async def test_the_jiangshan_message_gets_the_facts_that_fit_and_each_matter_its_next_step(chat, runtime):
    await chat.send(JIANGSHAN)
    assert chat.says("told.header_age", who=runtime.services.texts("told.who.father"), age=83)
    assert chat.says("told.age70") and chat.says("told.will_free") and chat.says("told.home_visit")
    assert chat.says("told.county_unconfirmed", county="江山市")  # 3号 二: "有条件的县" — not known to apply
    assert chat.says("told.matters")
    assert {"faq:show:will_notary_fee", "faq:show:neighbour_dispute", "elig:start:told", "book:start:told"} <= set(payloads(chat))


async def test_the_facts_are_kept_for_the_questionnaires_to_confirm(chat, runtime):
    await chat.send(JIANGSHAN)
    state = await _state(runtime)
    assert state.told.asker is Asker.FAMILY and state.told.age == 83 and state.told.county is County.JIANGSHAN
    assert state.told.conditions == [Condition.SERIOUS_ILLNESS, Condition.MOBILITY]
    assert state.told.matters == ["will", "neighbours"]


async def test_a_72_year_old_owed_wages_hears_the_age_rules_and_the_wages_entry_not_a_bare_fallback(chat, runtime):
    await chat.send(WAGES_72)
    assert not chat.says("faq.fallback")
    assert chat.says("told.header_age", who=runtime.services.texts("told.who.self"), age=72)
    assert chat.says("told.age70") and chat.says("told.county_unknown")
    assert "faq:show:unpaid_wages" in payloads(chat) and "elig:start:told" in payloads(chat)
    assert "book:start:told" not in payloads(chat)  # 3号 三: a home visit is for 80+, 重病 or 行动不便
    assert not chat.says("told.will_half")  # the matter is wages, not a will


async def test_an_83_year_old_father_is_offered_the_no_means_test_entry(chat, runtime):
    await chat.send("我爸83岁能免费请律师吗")
    assert chat.says("told.age70")
    assert "faq:show:means_test_exempt" in payloads(chat)


@pytest.mark.parametrize("text", ["法律援助是免费的吗", "申请法律援助要不要交钱"])
async def test_is_it_free_is_answered_by_the_free_entry(chat, runtime, text):
    await chat.send(text)
    assert runtime.services.matcher.kb.get("legal_aid_free").answer.strip() in chat.text


async def test_the_central_question_of_3hao_two_is_answered_outright(chat, runtime):
    await chat.send("老人申请法律援助需要经济审查吗")
    assert runtime.services.matcher.kb.get("means_test_exempt").answer.strip() in chat.text


@pytest.mark.parametrize("text", ["拖欠工资 能申请法律援助吗", "欠工资能不能找法律援助"])
async def test_wages_never_land_on_notarisation(chat, runtime, text):
    await chat.send(text)
    kb = runtime.services.matcher.kb
    assert kb.get("unpaid_wages").answer.strip() in chat.text
    assert kb.get("will_notary_fee").answer.strip() not in chat.text


@pytest.mark.parametrize(("status", "text_id", "values"), [
    (CountyStatus.APPLIES, "told.county_applies", {"county": "江山市", "source": "江山市司法局通知"}),
    (CountyStatus.NOT_APPLIED, "told.county_not_applied", {"county": "江山市"}),
])
async def test_a_recorded_county_status_is_said(chat, runtime, clock, status, text_id, values):
    await runtime.services.counties.set(County.JIANGSHAN, status, date(2020, 3, 1), "江山市司法局通知", "staff", clock.now)
    await chat.send(JIANGSHAN)
    assert chat.says(text_id, **values)


async def test_a_scope_answer_adds_the_status_of_a_county_told_before(chat, runtime):
    await chat.send("我妈住在龙游")
    await chat.send("70岁以上申请法援有没有事项范围限制")
    assert runtime.services.matcher.kb.get("scope_70_no_limit").answer.strip() in chat.text
    assert chat.says("told.county_unconfirmed", county="龙游县")


async def test_the_buttons_start_the_check_and_the_booking(chat):
    await chat.send(JIANGSHAN)
    await chat.tap("查资格")
    assert chat.options  # the questionnaire is asking
    await chat.send("菜单")
    await chat.send(JIANGSHAN)
    await chat.tap("预约上门")
    assert chat.options


async def _state(runtime) -> Conversation:
    raw = await runtime.services.store.load_state("console", "elder-1")
    return Conversation.model_validate_json(raw)


async def test_dibao_in_a_first_message_reaches_the_questionnaire_as_a_question_not_as_hardship(chat, runtime):
    await chat.send("我妈今年八十二了，住柯城区，家里吃低保，她腿脚不好走不动，儿子不给赡养费怎么办")
    state = await _state(runtime)
    assert state.told.dibao and Condition.HARDSHIP not in state.told.conditions
    await chat.press("elig:start:told")
    draft = json.dumps((await _state(runtime)).data, ensure_ascii=False)
    assert '"dibao": true' in draft and '"hardship"' not in draft
