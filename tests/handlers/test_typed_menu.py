"""A natural phrasing of a menu entry starts it, at the menu or inside another flow."""

from __future__ import annotations

import pytest

from tests.auxil.chat import Chat


@pytest.fixture
def typist(runtime) -> Chat:
    return Chat(runtime, channel="wechat", user_id="typist")


@pytest.mark.parametrize("typed", ["我想查资格", "查我的资格", "帮我查一下资格", "我要查资格", "请帮我查资格吧"])
async def test_asking_to_check_eligibility_starts_it(typist, runtime, typed):
    await typist.send("菜单")
    await typist.send(typed)
    assert typist.text == runtime.services.texts("eq.ask_asker")


@pytest.mark.parametrize("typed", ["我要预约上门", "我想预约律师上门", "帮我预约上门", "请律师上门"])
async def test_asking_for_a_home_visit_starts_the_booking(typist, runtime, typed):
    await typist.send(typed)
    assert typist.text == runtime.services.texts("book.ask.check_age")


@pytest.mark.parametrize("typed", ["帮我问律师", "我想问问律师", "我要找律师"])
async def test_asking_for_a_lawyer_starts_the_question(typist, runtime, typed):
    await typist.send(typed)
    assert typist.says("consult.prompt")


async def test_a_phrasing_works_inside_another_flow_too(typist, runtime):
    await typist.send("预约上门办申请")
    await typist.send("我想查资格")
    assert typist.text == runtime.services.texts("eq.ask_asker")
    await typist.send("替家人问")
    await typist.send("85")  # an answer goes to the questionnaire, not to the policy questions
    assert typist.text == runtime.services.texts("eq.ask_county", who="您的家人")



async def test_where_options_are_numbered_nobody_is_told_to_tap_a_button(chat, runtime):
    await chat.send("查资格")  # the console numbers its options, as WeChat does
    await chat.send("随便说说")
    assert chat.text.startswith(runtime.services.texts("input.not_understood_numbered"))
    await chat.send("菜单")
    assert chat.text.startswith(runtime.services.texts("menu.title_numbered"))
    assert "按钮" not in chat.text


async def test_where_there_are_buttons_they_are_named(runtime):
    typist = Chat(runtime, channel="telegram", user_id="typist")
    await typist.send("查资格")
    await typist.send("随便说说")
    assert typist.text.startswith(runtime.services.texts("input.not_understood"))
    await typist.send("菜单")
    assert typist.text == runtime.services.texts("menu.title")


async def test_review_screens_tell_a_numbered_channel_to_reply_a_number(chat):
    """The console (as WeChat) has no buttons: its review screens say 回复…数字, never 点."""
    for answer in ("查资格", "1", "82", "龙游", "好了", "没办过"):
        await chat.send(answer)
    assert chat.says("eq.review") and "点“" not in chat.text
    await chat.send("菜单")
    for answer in ("预约上门办申请", "是", "龙游", "12月1号", "上午", "张桂英", "13812345678", "家人的",
                   "石梁镇", "某某村12号", "好了", "想立遗嘱", "同意"):
        await chat.send(answer)
    assert chat.says("book.review") and "点“" not in chat.text
