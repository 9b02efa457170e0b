"""An answer to a message that told facts (我父親八十二歲了，住在江山，想預約上門) carries them into 预约上门 / 查资格:
the booking starts from them instead of asking again what the person has just said."""

from __future__ import annotations

from tests.auxil.chat import Chat


async def test_the_answer_s_booking_button_starts_from_what_the_message_told(runtime):
    chat = Chat(runtime, channel="console", user_id="daughter")
    await chat.send("我父親八十二歲了，住在江山，想預約上門")
    await chat.tap("预约上门办申请")
    assert "老人住在江山市" in chat.text and "已满80周岁" in chat.text
    assert not chat.says("book.ask.check_age")


async def test_a_question_that_told_nothing_starts_the_booking_as_usual(runtime):
    chat = Chat(runtime, channel="console", user_id="son")
    await chat.send("一次不用跑是什么意思")
    await chat.tap("预约上门办申请")
    assert chat.says("book.ask.check_age")
