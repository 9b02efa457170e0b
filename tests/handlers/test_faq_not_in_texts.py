"""Walk of 2026-11-28 (05:40), typed as a daughter: what the texts do not say is declined saying so, and a
question that names a relative's age is answered (or declined) first, the rules for that age after."""

from __future__ import annotations

import pytest

from tests.auxil.chat import Chat


@pytest.fixture
def daughter(runtime) -> Chat:
    return Chat(runtime, channel="console", user_id="daughter")


def fee_answer_shown(chat: Chat, runtime) -> bool:
    return runtime.services.matcher.kb.by_id["will_notary_fee"].answer.strip() in chat.text


@pytest.mark.parametrize("question", ["诉讼费能减免吗", "法院立案要交钱吗"])
async def test_court_fees_are_declined_saying_the_texts_do_not_cover_them(daughter, runtime, question):
    await daughter.send(question)
    assert daughter.says("faq.unstated_court_costs") and not fee_answer_shown(daughter, runtime)
    assert {daughter.texts("menu.call"), daughter.texts("faq.ask_lawyer"), daughter.texts("nav.menu")} <= set(daughter.labels)


@pytest.mark.parametrize("question", ["打官司要多久", "法律援助申请多久能批下来"])
async def test_how_long_is_declined_saying_the_texts_do_not_say(daughter, question):
    await daughter.send(question)
    assert daughter.says("faq.unstated_how_long")
    assert daughter.texts("menu.call") in daughter.labels


async def test_court_fees_asked_for_a_mother_of_81_are_declined_first_then_her_rules(daughter, runtime):
    await daughter.send("我妈八十一了，打官司的诉讼费能减免吗")
    assert daughter.text.startswith(daughter.texts("faq.unstated_court_costs"))
    assert daughter.says("told.header_age", who=daughter.texts("told.who.mother"), age=81)
    assert not fee_answer_shown(daughter, runtime)
    assert {daughter.texts("menu.call"), daughter.texts("told.check")} <= set(daughter.labels)


async def test_a_subject_outside_the_texts_with_an_age_is_declined_first_then_the_rules(daughter):
    # was the 3号 summary alone, as if 高龄津贴 were in it
    await daughter.send("高龄津贴怎么领？我妈九十一了")
    assert daughter.text.startswith(daughter.texts("faq.outside", subject="高龄津贴"))
    assert daughter.says("told.header_age", who=daughter.texts("told.who.mother"), age=91)
    assert daughter.labels[-1] == daughter.texts("nav.menu")
    assert {daughter.texts("menu.call"), daughter.texts("told.check"), daughter.texts("told.book")} <= set(daughter.labels)


async def test_a_run_on_about_wages_that_asks_for_a_zhuangzi_is_also_offered_daishu_and_the_cost(daughter, runtime):
    # 3号 二 代书: the wages answer alone left 帮忙写状子 and 要不要钱 unanswered
    await daughter.send("我爸今年六十八，老板欠了他八千块工钱，他不识字，不会写状子。听说法律援助可以帮忙写，是真的吗？要不要钱？")
    kb = runtime.services.matcher.kb
    assert daughter.text.startswith(kb.by_id["unpaid_wages"].answer.strip())
    assert {kb.by_id["document_drafting"].question, kb.by_id["legal_aid_free"].question} <= set(daughter.labels)
    await daughter.tap(kb.by_id["document_drafting"].question)
    assert daughter.text.startswith(kb.by_id["document_drafting"].answer.strip())


async def test_a_long_court_fee_question_about_a_father_is_declined_first_not_offered_look_alikes(daughter, runtime):
    await daughter.send("我爸七十五了 起诉要交的诉讼费能少交点吗 这个怎么弄")
    assert daughter.text.startswith(daughter.texts("faq.unstated_court_costs"))
    assert daughter.says("told.header_age", who=daughter.texts("told.who.father"), age=75)
    assert not daughter.says("faq.clarify")
