"""上一步 in a form: after going back, the answer typed next belongs to the question on screen, and
every question gone back over is asked again in its turn (walk 05:40 item 9: the same phone number
typed again skipped 这个电话是谁的, and 老人本人的 was stored as the township)."""

from __future__ import annotations

import pytest

from tests.auxil.chat import Chat


async def _date(chat):
    await chat.press(next(o.payload for o in chat.options if o.payload.startswith("book:answer:date=")))


async def _access(chat):
    if not chat.option("住楼上").label.startswith("✓"):  # asked again, the ticks are kept
        await chat.tap("住楼上")
    await chat.tap("好了")


def _tap(label):
    return lambda chat: chat.tap(label)


def _send(text):
    return lambda chat: chat.send(text)


# Every question of the booking, in order, with an answer as a daughter would give it.
STEPS = (
    ("check_age", _tap("是")),
    ("county", _tap("龙游县")),
    ("date", _date),
    ("window", _tap("下午")),
    ("name", _send("李桂兰")),
    ("phone", _send("13812345678")),
    ("phone_owner", _send("老人本人的")),
    ("township", _send("龙洲街道")),
    ("address", _send("某小区3幢501")),
    ("access", _access),
    ("matter", _send("想立遗嘱")),
    ("consent", _tap("同意")),
)
REVIEW = {"county": "龙游县", "township": "龙洲街道", "address": "某小区3幢501", "name": "李桂兰",
          "phone": "13812345678", "owner": "老人本人的", "access": "住楼上，没有电梯", "matter": "想立遗嘱"}


@pytest.mark.parametrize("at", range(1, len(STEPS)), ids=[key for key, _ in STEPS[1:]])
async def test_going_back_two_steps_and_answering_again_asks_each_question_in_turn(runtime, at):
    """Answered up to STEPS[at]; 上一步 twice lands on STEPS[at - 1]; the same answers again are
    each read by their own question, and the review shows them where they belong."""
    chat = Chat(runtime, user_id=f"back-{at}")
    await chat.send("预约上门办申请")
    for _, answer in STEPS[:at + 1]:
        await answer(chat)
    await chat.send("上一步")
    await chat.send("上一步")
    for key, answer in STEPS[at - 1:]:
        assert chat.says(f"book.ask.{key}"), (key, chat.text)
        await answer(chat)
    assert chat.says("book.review", **REVIEW), chat.text


async def test_the_walk_same_phone_again_then_whose_it_is(chat):
    """The walk's exact input: 上一步 ×2 from the township, the same number typed again."""
    await chat.send("预约上门办申请")
    for _, answer in STEPS[:7]:
        await answer(chat)
    assert chat.says("book.ask.township")
    await chat.send("上一步")
    await chat.send("上一步")
    await chat.send("13812345678")
    assert chat.says("book.ask.phone_owner"), chat.text
    for _, answer in STEPS[6:]:
        await answer(chat)
    assert chat.says("book.review", **REVIEW), chat.text


async def test_back_from_an_edit_returns_to_the_review_and_asks_nothing_else(chat):
    await chat.send("预约上门办申请")
    for _, answer in STEPS:
        await answer(chat)
    await chat.tap("改：乡镇")
    assert chat.says("book.ask.township")
    await chat.send("上一步")
    assert chat.says("book.review", **REVIEW), chat.text
    await chat.tap("改：电话")
    await chat.send("13812345678")  # the same number: whose it is stays known
    assert chat.says("book.review", **REVIEW), chat.text
