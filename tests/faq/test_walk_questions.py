"""Questions from the user walk of 2026-11-28 that were answered wrongly or not at all, typed into
the console as a daughter would: each gets the entry that answers it, or an honest 答不好."""

from __future__ import annotations

import pytest

from faq.normalize import normalize
from faq.topics import document_named, section_named, sections_cited

from tests.auxil.chat import Chat


@pytest.fixture
def daughter(runtime) -> Chat:
    return Chat(runtime, channel="console", user_id="daughter")


def answered_with(chat: Chat, runtime, entry_id: str) -> bool:
    entry = runtime.services.matcher.kb.by_id[entry_id]
    line_id = "faq.guidance_line" if entry.guidance else "faq.source_line"
    return chat.text.startswith(entry.answer) and chat.says(line_id, source=entry.source)


WALK = [
    # 3号 三: 80+/重病/行动不便 apply at home — not 容缺受理, 失能, 调解 or 专家
    ("一次不用跑是什么意思", "home_visit"),
    ("一次都不用跑是啥意思", "home_visit"),
    ("啥叫一次都不用跑", "home_visit"),
    # a section of 3号 asked by its number
    ("3号文 第三条说什么", "section_3"),
    ("三号文第三条说什么", "section_3"),
    ("第三条说什么", "section_3"),
    ("文件第三条", "section_3"),
    ("三号文第二条说什么", "section_2"),
    ("文件第四条讲了啥", "section_4"),
    ("第一条说的什么", "policy_purpose"),
    ("三号文第五条是什么内容", "publicity"),
    # a text named by its title: 3号 the elderly opinion, 4号 the points scheme (parts 一 and 二)
    ("老年人法律援助的意见第三条", "section_3"),
    ("实施意见第二条说的啥", "section_2"),
    ("积分制度第二条", "scheme_part_2"),
    ("律师积分管理办法第二部分讲的什么", "scheme_part_2"),
    # a centre's phone or address: the texts give 12348 and neither
    ("柯城区法律援助中心电话多少", "centre_contact"),
    ("衢州市法律援助中心地址在哪", "centre_contact"),
    ("柯城区法援中心在哪里", "centre_contact"),
    # whether it costs money, with an age in the question
    ("八十岁以上打官司要钱吗", "legal_aid_free"),
    ("８０岁以上打官司要钱吗", "legal_aid_free"),
    ("九十岁的老人打官司要钱吗", "legal_aid_free"),
    ("老人打官司要钱吗", "legal_aid_free"),
]


@pytest.mark.parametrize(("question", "entry_id"), WALK)
async def test_the_walk_questions_get_the_entry_that_answers_them(daughter, runtime, question, entry_id):
    await daughter.send(question)
    assert answered_with(daughter, runtime, entry_id), daughter.text


async def test_the_centre_answer_says_the_bot_has_no_phone_or_address_and_gives_12348(daughter, runtime):
    await daughter.send("柯城区法律援助中心电话多少")
    assert "没有各地法律援助中心的电话和地址" in daughter.text and "12348" in daughter.text
    assert daughter.says("faq.guidance_line", source="衢市司发〔2020〕3号 三")
    assert daughter.texts("faq.follow_up.call_12348") in daughter.labels


@pytest.mark.parametrize("question", ["律师叫什么名字", "律师叫啥名字", "那个援助律师叫什么名字"])
async def test_a_lawyers_name_is_not_answered_with_the_documents_title(daughter, runtime, question):
    await daughter.send(question)
    assert daughter.says("faq.fallback")
    assert {daughter.texts("faq.ask_lawyer"), daughter.texts("menu.call")} <= set(daughter.labels)
    assert not answered_with(daughter, runtime, "policy_basis")


@pytest.mark.parametrize("question", ["4号文第三条说什么", "四号文第三条讲什么", "4号文第5部分", "积分办法第三条说什么",
                                      "律师积分管理办法第三条", "積分辦法第三條是什麼", "积分制度第四条讲了啥"])
async def test_a_part_the_points_scheme_does_not_have_is_declined_not_answered_from_another(daughter, question):
    """4号 has parts 一 and 二 only: 第三条 of it was answered outright with the entry on when it took effect."""
    await daughter.send(question)
    assert daughter.says("faq.fallback")


def test_a_question_naming_a_part_is_answered_only_from_an_entry_citing_that_part():
    assert section_named(normalize("三号文第三条说什么")) == 3 and section_named(normalize("第二季度")) is None
    assert sections_cited("衢市司发〔2020〕3号 二、三") == {2, 3}
    assert sections_cited("衢市司发〔2020〕4号 (序言)、一(二)") == {1}
    assert sections_cited("衢市司发〔2020〕4号 二(一)12") == {2}
    assert sections_cited("衢市司发〔2020〕4号 (施行日期)") == frozenset()


def test_a_text_named_by_its_title_counts_as_naming_it():
    """积分办法第三条 was answered from 3号 三: the guard knew the texts by number only."""
    for question in ("积分办法第三条说什么", "律师积分管理办法第三条", "积分制度第二条", "衢州市律师参与法律援助工作积分管理办法(试行)"):
        assert document_named(normalize(question)) == "4", question
    for question in ("老年人法律援助的意见第三条", "老人法援意见", "关于进一步加强老年人法律援助工作的实施意见"):
        assert document_named(normalize(question)) == "3", question
    assert document_named(normalize("衢市司发〔2020〕4号第二条")) == "4" and document_named(normalize("三号文")) == "3"
    assert document_named(normalize("律师积分怎么算")) is None and document_named(normalize("老人的意见")) is None
