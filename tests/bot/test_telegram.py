"""End to end: the real python-telegram-bot Application against a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import pytest

from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.running_bot import running_bot

pytestmark = pytest.mark.timeout(30)
USER = 7001


@pytest.fixture
async def api():
    async with FakeBotApi() as fake:
        yield fake


async def test_start_shows_the_menu_as_a_persistent_keyboard(api, settings, clock):
    async with running_bot(settings, api, clock):
        replies = await api.say(USER, "/start")
    markup = replies[-1].reply_markup
    assert markup["is_persistent"] is True
    labels = [button["text"] if isinstance(button, dict) else button for row in markup["keyboard"] for button in row]
    assert labels == ["问政策", "查资格", "预约上门办申请", "留言问律师", "拨打12348"]
    assert {c.method for c in api.calls} >= {"getMe", "setMyCommands", "getUpdates", "sendMessage"}


async def test_tapping_the_menu_keyboard_and_inline_buttons_works(api, settings, clock):
    async with running_bot(settings, api, clock):
        await api.say(USER, "/start")
        replies = await api.say(USER, "问政策")  # the reply keyboard sends its label
        assert "直接打字" in replies[-1].text
        api.push_button(USER, "老人办遗嘱公证怎么收费，能减免吗？")
        answer = await api.wait_for(lambda: [m for m in api.sent(USER) if "减半" in (m.text or "")])
        assert "依据：衢市司发〔2020〕3号 二" in answer[-1].text
        assert api.callback_answers, "every tap is acknowledged so the button stops spinning"


async def test_a_typed_question_is_answered_with_its_source(api, settings, clock):
    async with running_bot(settings, api, clock):
        replies = await api.say(USER, "我爸八十二岁了，做遗嘱公证要钱吗")
    assert "80周岁及以上" in replies[-1].text
    assert "衢市司发〔2020〕3号" in replies[-1].text


async def test_an_ambiguous_question_is_clarified_and_a_suggestion_answers_it(api, settings, clock):
    async with running_bot(settings, api, clock):
        replies = await api.say(USER, "上门")
        assert "您是想问" in replies[-1].text
        buttons = replies[-1].button_texts
        assert "都不是" in buttons and len(buttons) == 4
        home_visit = next(b for b in buttons if "上门" in b)
        before = len(api.sent(USER))
        api.push_button(USER, home_visit)
        await api.wait_for_messages(USER, before + 1)
    assert "80周岁以上" in api.sent(USER)[-1].text


async def test_voice_notes_get_the_polite_answer(api, settings, clock):
    async with running_bot(settings, api, clock):
        api.push_voice(USER)
        await api.wait_for_messages(USER, 1)
    assert "暂时听不了语音" in api.sent(USER)[-1].text


async def tap(api, label: str) -> None:
    """Tap an inline button on the bot's last message and wait for the reply."""
    before = len(api.sent(USER))
    api.push_button(USER, label)
    await api.wait_for_messages(USER, before + 1)


async def type_text(api, text: str) -> None:
    before = len(api.sent(USER))
    api.push_text(USER, text)
    await api.wait_for_messages(USER, before + 1)


def last_texts(api, count: int = 2) -> str:
    return "\n".join(m.text or "" for m in api.sent(USER)[-count:])


async def test_a_family_member_checks_a_father_of_82_across_a_restart(api, settings, clock):
    async with running_bot(settings, api, clock):
        await type_text(api, "查资格")
        await tap(api, "替家人问")
        assert "您的家人今年多大岁数" in last_texts(api, 1)
        await type_text(api, "八十二")
        await tap(api, "上一步")  # back to the age question …
        assert "多大岁数" in last_texts(api, 1)
        await type_text(api, "七十二")  # … and a different answer
    # The bot restarts in the middle of the questionnaire.
    async with running_bot(settings, api, clock):
        await tap(api, "龙游县")
        assert "有下面这些情况吗" in last_texts(api, 1)
        await tap(api, "行动不便")
        await tap(api, "好了")
        await tap(api, "没办过")
        assert "72周岁" in last_texts(api, 1)
        await tap(api, "改：年龄")  # the review screen changes an answer
        await type_text(api, "八十二")
        assert "82周岁" in last_texts(api, 1)
        before = len(api.sent(USER))
        api.push_button(USER, "看结果")
        await api.wait_for_messages(USER, before + 1)
    result = last_texts(api, 1)
    assert "免经济审查" in result
    assert "第一次办遗嘱公证免费" in result
    assert "可以预约上门服务" in result
    assert "预约上门办申请" in api.sent(USER)[-1].button_texts
