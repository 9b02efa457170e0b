"""What a daughter typed for her 83-year-old father in the walk of 28 November: 七旬, 零岁, a day at the
80-or-not question, 下下周二, a day with its half-day, a phone number in Chinese digits.
The test clock is Thursday 26 November 2026."""

from __future__ import annotations

import pytest

from tests.auxil.chat import Chat
from tests.handlers.test_typed_answers import to_the_half_day



async def to_age(chat: Chat) -> None:
    await chat.send("查资格")
    await chat.tap("我本人")


@pytest.mark.parametrize("typed", ["0", "零岁", "两百岁"])
async def test_an_age_of_nothing_is_refused_like_two_hundred(chat, typed):
    await to_age(chat)
    await chat.send(typed)
    assert chat.says("eq.age_too_old") and chat.says("eq.ask_age")


@pytest.mark.parametrize("typed", ["七旬", "七十九，快八十了"])
async def test_a_decade_word_and_an_age_beside_its_bound_are_taken(chat, typed):
    await to_age(chat)
    await chat.send(typed)
    assert chat.says("eq.ask_county")


@pytest.mark.parametrize("typed", ["十二月一号", "下周二", "12"])
async def test_a_day_at_the_80_question_is_not_an_age(typist, typed):
    await typist.send("预约上门办申请")
    await typist.send(typed)
    assert typist.says("book.invalid.check_age") and typist.says("book.ask.check_age")
    assert not typist.says("book.ask.check_illness")


async def test_an_age_under_60_at_the_80_question_is_asked_again(typist):
    await typist.send("预约上门办申请")
    await typist.send("45")
    assert typist.says("book.invalid.check_age_young", age=45) and typist.says("book.ask.check_age")
    await typist.send("83")
    assert typist.says("book.ask.county")


async def test_the_tuesday_after_next(typist, runtime):
    await to_the_half_day(typist, "下下周二")
    assert typist.text.startswith(runtime.services.texts("book.ask.window", day="12月8日（周二）"))


@pytest.mark.parametrize("typed", ["十二月一日上午", "十二月一号上午", "12月1日下午"])
async def test_a_day_with_its_half_day_answers_both(typist, runtime, typed):
    await to_the_half_day(typist, typed)
    assert typist.text == runtime.services.texts("book.ask.name")
    await typist.send("李大爷")
    assert typist.text == runtime.services.texts("book.ask.phone")


@pytest.mark.parametrize("typed", ["一三九五七零一二三四五", "幺三九五七零一二三四五", "一三九 五七零一 二三四五",
                                   "一三九五七〇一二三四五", "我女儿电话13957012345"])
async def test_a_phone_number_in_chinese_digits_is_taken(typist, runtime, typed):
    for answer in ("预约上门办申请", "是", "龙游", "12月1日", "上午", "李大爷"):
        await typist.send(answer)
    await typist.send(typed)
    assert typist.text == runtime.services.texts("book.ask.phone_owner")
    assert "13957012345" in await runtime.services.store.load_state("telegram", "typist")
