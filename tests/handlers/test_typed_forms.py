"""Typing inside the questionnaires: conditions named in people's words are ticked, notes are kept
until 好了, a control word is never stored as content, 低保 is not 城乡特困 (3号 二)."""

from __future__ import annotations

import pytest

from tests.auxil.chat import Chat



async def to_conditions(chat: Chat) -> None:
    for answer in ("查资格", "替家人问", "75", "柯城区"):
        await chat.send(answer)


def chosen(runtime, *conditions: str) -> str:
    return runtime.services.texts("eq.ask_conditions", who="您的家人",
                                  chosen="、".join(runtime.services.texts(f"eq.cond.{c}") for c in conditions)
                                  or runtime.services.texts("eq.none"))


@pytest.mark.parametrize(("typed", "condition"), [
    ("不会走路", "mobility"), ("腿脚不好", "mobility"), ("坐轮椅", "mobility"), ("拄拐杖", "mobility"),
    ("出不了门", "mobility"), ("没法走路", "mobility"),
    ("生活不能自理", "disabled"), ("得了癌症", "serious-illness"), ("是特困户", "hardship"),
])
async def test_a_typed_condition_is_ticked_and_the_question_stays(typist, runtime, typed, condition):
    await to_conditions(typist)
    await typist.send(typed)
    assert typist.text == chosen(runtime, condition)


async def test_typing_a_ticked_condition_again_does_not_untick_it(typist, runtime):
    await to_conditions(typist)
    await typist.send("不会走路")
    await typist.send("走不动")
    assert typist.text == chosen(runtime, "mobility")


async def test_several_conditions_in_one_message_are_all_ticked(typist, runtime):
    await to_conditions(typist)
    await typist.send("中风过，也坐轮椅")
    assert typist.text == chosen(runtime, "serious-illness", "mobility")


@pytest.mark.parametrize("typed", ["没有重病", "没有", "都没有"])
async def test_a_denied_condition_is_not_ticked(typist, runtime, typed):
    await to_conditions(typist)
    await typist.send(typed)
    assert typist.text == runtime.services.texts("eq.ask_will", who="您的家人")


async def test_a_typed_mobility_condition_gives_a_home_visit(typist, runtime):
    await to_conditions(typist)
    for answer in ("不会走路", "好了", "没办过", "没问题"):
        await typist.send(answer)
    assert runtime.services.texts("eq.head.visit_yes", reason=runtime.services.texts("eq.reason.mobility")) \
        in typist.text


@pytest.mark.parametrize("typed", ["低保", "是低保户", "吃低保的"])
async def test_dibao_is_not_ticked_as_hardship_and_the_result_says_to_ask(typist, runtime, typed):
    texts = runtime.services.texts
    await typist.send("查资格")
    for answer in ("替家人问", "65", "柯城区", typed):
        await typist.send(answer)
    assert typist.says("eq.dibao_noted")
    assert texts("eq.cond.hardship") not in typist.text.splitlines()[-1]
    for answer in ("好了", "没办过"):
        await typist.send(answer)
    assert texts("eq.dibao_label") in typist.text  # the review shows it
    await typist.send("没问题")
    assert texts("eq.head.dibao") in typist.text
    assert texts("eq.to_confirm") in typist.text
    # 65 and no ground the text names: the means test applies, 低保 is not taken as 特困
    assert texts("eq.head.means_no") in typist.text


async def to_access(chat: Chat) -> None:
    for answer in ("预约上门办申请", "是", "龙游", "12月1日", "上午", "李大爷", "13900001111", "本人的", "贺村镇",
                   "某村3号"):
        await chat.send(answer)


async def test_a_typed_access_note_is_kept_until_done(typist, runtime):
    await to_access(typist)
    assert typist.text.startswith(runtime.services.texts("book.ask.access"))
    await typist.send("住二楼没电梯，他耳朵背")
    assert typist.says("book.access_noted", note="住二楼没电梯，他耳朵背")
    await typist.send("说话要大声点")
    assert typist.says("book.access_noted", note="住二楼没电梯，他耳朵背；说话要大声点")
    await typist.send("好了")
    assert typist.text.startswith(runtime.services.texts("book.ask.matter").splitlines()[0])
    await typist.send("儿子不给赡养费")
    await typist.send("同意")
    assert "住二楼没电梯，他耳朵背；说话要大声点" in typist.text
    assert "儿子不给赡养费" in typist.text


async def test_a_note_saying_there_is_no_lift_is_a_note_not_the_end(typist, runtime):
    await to_access(typist)
    await typist.send("没有电梯")
    assert typist.says("book.access_noted", note="没有电梯")


@pytest.mark.parametrize("word", ["好了", "好的", "可以了", "是", "没有"])
async def test_a_control_word_is_never_stored_as_the_matter(typist, runtime, word):
    await to_access(typist)
    await typist.send("好了")
    await typist.send(word)
    assert typist.says("book.invalid.matter")


@pytest.mark.parametrize("word", ["不知道", "不清楚", "好了"])
async def test_not_knowing_is_not_a_name(typist, runtime, word):
    for answer in ("预约上门办申请", "是", "龙游", "12月1日", "上午"):
        await typist.send(answer)
    await typist.send(word)
    assert typist.says("book.invalid.name")


async def to_phone(chat: Chat) -> None:
    for answer in ("预约上门办申请", "是", "龙游", "12月1日", "上午", "李大爷"):
        await chat.send(answer)


@pytest.mark.parametrize("typed", ["0570-8012345", "0570 8012345", "05708012345", "（0570）8012345", "010-62345678"])
async def test_a_landline_with_its_area_code_is_taken(typist, runtime, typed):
    await to_phone(typist)
    await typist.send(typed)
    assert typist.text == runtime.services.texts("book.ask.phone_owner")
    saved = await runtime.services.store.load_state("telegram", "typist")
    assert typed.replace(" ", "").replace("（", "").replace("）", "")[:4] in saved


@pytest.mark.parametrize("typed", ["8012345", "0570-801234", "0570-0012345", "1381234567"])
async def test_a_number_that_is_neither_is_asked_again(typist, typed):
    await to_phone(typist)
    await typist.send(typed)
    assert typist.says("book.invalid.phone")


def test_a_landline_is_masked_in_logs_like_a_mobile():
    from common.privacy import redact

    assert "8012345" not in redact("电话 0570-8012345")


async def test_two_misses_in_a_row_offer_12348_and_a_lawyer_and_keep_the_question(typist, runtime):
    texts = runtime.services.texts
    await to_conditions(typist)
    await typist.send("嗯嗯那个")
    assert texts("menu.call") not in typist.labels
    await typist.send("啥意思")
    assert typist.says("input.stuck")
    assert {texts("menu.call"), texts("menu.consult"), texts("nav.menu")} <= set(typist.labels)
    assert texts("eq.cond.mobility") in typist.labels  # the question is still on screen
    await typist.send("不会走路")  # and answering it still works
    assert typist.text == chosen(runtime, "mobility")
    assert not typist.says("input.stuck")


async def test_a_miss_then_an_answer_starts_the_count_again(typist, runtime):
    for answer in ("预约上门办申请", "是", "龙游", "12月1日", "上午", "不知道", "王秀英", "不知道"):
        await typist.send(answer)
    assert typist.says("book.invalid.phone")
    assert not typist.says("input.stuck")


@pytest.mark.parametrize("typed", ["改身体情况", "改情况", "身体情况"])
async def test_a_review_line_can_be_named_in_a_few_words(typist, runtime, typed):
    await to_conditions(typist)
    for answer in ("好了", "没办过"):
        await typist.send(answer)
    await typist.send(typed)
    assert typist.text == chosen(runtime)


@pytest.mark.parametrize("typed", ["柯成区", "住在柯城", "渠江"])
async def test_a_county_is_heard_by_its_sound(typist, runtime, typed):
    for answer in ("查资格", "替家人问", "75"):
        await typist.send(answer)
    await typist.send(typed)
    assert typist.text == chosen(runtime)
