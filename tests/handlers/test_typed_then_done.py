"""Several options and 好了 in one message (4、5好了) tick them and end the question, as the taps would."""

from __future__ import annotations

import pytest

from tests.auxil.chat import Chat


@pytest.mark.parametrize("typed", ["1、3好了", "1 3 好了", "1，3，好了"])
async def test_conditions_and_done_in_one_message_are_ticked_and_the_question_ends(runtime, typed):
    chat = Chat(runtime, channel="console", user_id="daughter")
    for answer in ("查资格", "替家人问", "75", "柯城区"):
        await chat.send(answer)
    await chat.send(typed)
    assert "以前办过遗嘱公证吗" in chat.text  # the next question: the conditions are answered
    for answer in ("没办过",):
        await chat.send(answer)
    assert "城乡特困" in chat.text and "半失能" in chat.text  # options 1 and 3 on the review
