"""Typing at the home visit's quick check: the answer may name the difficulty (不会走路), not only
say 是 / 不是; a 不 in it is not a no. Ambiguous answers are asked again, never refused."""

from __future__ import annotations

import pytest

from tests.auxil.chat import Chat



async def to_mobility(chat: Chat) -> None:
    await chat.send("预约上门办申请")
    await chat.send("不是")
    await chat.send("不是")


@pytest.mark.parametrize("answer", ["不方便", "不会走路", "腿脚不好", "出不了门", "走不动", "不太方便",
                                    "下不了床", "坐轮椅", "拄拐杖", "有困难", "行动不便的"])
async def test_a_named_difficulty_is_a_yes_to_the_mobility_question(typist, runtime, answer):
    await to_mobility(typist)
    await typist.send(answer)
    assert typist.text == runtime.services.texts("book.ask.county")


@pytest.mark.parametrize("answer", ["不是", "没有", "没有困难", "能走", "方便", "走得动"])
async def test_a_denied_difficulty_is_a_no(typist, answer):
    await to_mobility(typist)
    await typist.send(answer)
    assert typist.says("book.not_eligible")


@pytest.mark.parametrize("answer", ["不知道", "不太好说", "还行吧", "不一定"])
async def test_an_unclear_answer_is_asked_again_not_refused(typist, runtime, answer):
    await to_mobility(typist)
    await typist.send(answer)
    assert typist.says("book.invalid.check_mobility")
    assert typist.text.endswith(runtime.services.texts("book.ask.check_mobility"))
    assert not typist.says("book.not_eligible")


@pytest.mark.parametrize(("answer", "next_question"), [
    ("得了癌症", "book.ask.county"), ("中风过", "book.ask.county"), ("有重病", "book.ask.county"),
    ("没有重病", "book.ask.check_mobility"), ("没病", "book.ask.check_mobility"),
    ("身体还好", "book.ask.check_mobility"), ("不严重", "book.ask.check_mobility"),
])
async def test_a_named_illness_is_a_yes_and_a_denied_one_a_no(typist, runtime, answer, next_question):
    await typist.send("预约上门办申请")
    await typist.send("不是")
    await typist.send(answer)
    assert typist.text == runtime.services.texts(next_question)


@pytest.mark.parametrize("answer", ["不到80", "还没满", "七十六", "不是"])
async def test_an_age_below_80_goes_on_to_the_illness_question(typist, runtime, answer):
    await typist.send("预约上门办申请")
    await typist.send(answer)
    assert typist.text == runtime.services.texts("book.ask.check_illness")


@pytest.mark.parametrize("back", ["上一步", "返回"])
async def test_the_refusal_offers_a_step_back_to_the_question_that_refused(typist, runtime, back):
    await to_mobility(typist)
    await typist.send("没有")
    assert typist.says("book.not_eligible")
    assert runtime.services.texts("nav.back") in typist.labels
    await typist.send(back)
    assert typist.text == runtime.services.texts("book.ask.check_mobility")
    await typist.send("不会走路")
    assert typist.text == runtime.services.texts("book.ask.county")


async def test_the_step_back_can_be_tapped(chat, runtime):
    await to_mobility(chat)
    await chat.tap("不是")
    await chat.tap(runtime.services.texts("nav.back"))
    assert chat.text.startswith(runtime.services.texts("book.ask.check_mobility"))
    await chat.tap("是")
    assert chat.text.startswith(runtime.services.texts("book.ask.county"))
