"""查资格 and 预约上门 read 3号's conditions from the same words (walk 05:40 item 3): 偏瘫 was 行动不便
in the booking and 没看懂 in 查资格; 卧床不起 was ticked as 失能, a means-test exemption (3号 二) the
words do not state, so it is now 行动不便 (3号 三) and 失能 is asked; 老年痴呆 is asked, not mapped."""

from __future__ import annotations

import pytest

from tests.auxil.chat import Chat
from tests.handlers.test_typed_forms import chosen, to_conditions


@pytest.mark.parametrize("typed", ["偏瘫", "瘫在床上", "瘫了", "卧床不起", "下不了床", "瘫痪在床"])
async def test_lying_in_bed_is_mobility_and_disability_is_asked(typist, runtime, typed):
    await to_conditions(typist)
    await typist.send(typed)
    assert typist.says("eq.cond_bedridden"), typist.text
    assert typist.text.endswith(chosen(runtime, "mobility"))


async def test_lying_in_bed_and_said_to_be_disabled_ticks_both_without_asking(typist, runtime):
    await to_conditions(typist)
    await typist.send("瘫在床上，生活不能自理")
    assert typist.text == chosen(runtime, "mobility", "disabled")


@pytest.mark.parametrize(("typed", "said"), [("老年痴呆", "老年痴呆"), ("眼睛看不见", "眼睛看不见"),
                                             ("我妈有点老年痴呆", "老年痴呆")])
async def test_a_condition_the_text_does_not_name_is_asked_about(typist, runtime, typed, said):
    await to_conditions(typist)
    await typist.send(typed)
    assert typist.says("eq.cond_unclear", said=said), typist.text
    assert typist.text.endswith(chosen(runtime))


async def test_the_walk_hemiplegia_gives_a_home_visit(typist, runtime):
    await to_conditions(typist)
    for answer in ("偏瘫", "好了", "没办过", "看结果"):
        await typist.send(answer)
    assert runtime.services.texts("eq.head.visit_yes", reason=runtime.services.texts("eq.reason.mobility")) \
        in typist.text


@pytest.mark.parametrize("typed", ["偏瘫", "瘫在床上", "卧床不起"])
async def test_the_booking_reads_the_same_words_as_mobility(runtime, typed):
    chat = Chat(runtime, user_id="book-" + typed)
    await chat.send("预约上门办申请")
    await chat.tap("不是")  # not 80
    await chat.tap("不是")  # not seriously ill
    assert chat.says("book.ask.check_mobility")
    await chat.send(typed)
    assert chat.says("book.ask.county"), chat.text


@pytest.mark.parametrize(("typed", "mobility"), [("腿脚还利索", False), ("腿脚还算利索", False), ("身体硬朗", False),
                                                ("腿脚不利索", True), ("腿脚不太灵活", True)])
def test_saying_the_legs_are_fine_is_not_a_difficulty(typed, mobility):
    from handlers.booking_answers import read_mobility
    from handlers.eligibility_answers import named_condition

    assert read_mobility(None, None, typed) == ("yes" if mobility else "no")
    assert (named_condition(typed) is not None) is mobility
