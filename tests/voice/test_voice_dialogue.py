"""Voice in the dialogue core: what was heard shown first, heard answers confirmed inside forms,
voice notes that were not heard, 🔊 读给我听 and 总是读给我听 (no network: speech is the channel's)."""

from __future__ import annotations

import json

import pytest

from bot.runtime import Runtime
from handlers.events import ChannelInfo, Kind
from tests.auxil.chat import Chat

PHONE = ChannelInfo("phone", numbered=False, push=False, voice=True)
SPEECH = {"tts_url": "http://127.0.0.1:9", "asr_url": "http://127.0.0.1:9"}


@pytest.fixture
async def speaking(settings, clock):
    """A runtime with speech servers configured (never called here) and a channel that sends voice."""
    runtime = await Runtime.open(settings.model_copy(update=SPEECH), clock)
    runtime.dialogue.register_channel(PHONE)
    yield Chat(runtime, channel=PHONE.name)
    await runtime.close()


async def saved(chat) -> dict:
    raw = await chat.runtime.services.store.load_state(chat.channel, chat.user_id)
    return json.loads(raw) if raw else {}


async def at_age_question(chat) -> None:
    await chat.send("查资格")
    await chat.tap("我本人")
    assert chat.says("eq.ask_age", who="您")


async def test_a_spoken_question_is_answered_and_the_reply_starts_with_what_was_heard(chat):
    await chat.send("遗嘱公证要钱吗", spoken=True)
    first = chat.last.replies[0].text
    assert first.startswith(chat.runtime.services.texts("voice.heard", text="遗嘱公证要钱吗"))
    assert "依据：衢市司发〔2020〕3号 二" in chat.text


async def test_typed_text_never_shows_what_was_heard(chat):
    await chat.send("遗嘱公证要钱吗")
    assert not chat.says("voice.heard")


async def test_inside_the_questionnaire_a_heard_age_is_read_back_and_stored_only_after_yes(chat):
    await at_age_question(chat)
    await chat.send("七十五岁", spoken=True)
    assert chat.says("voice.confirm", text="七十五岁")
    assert chat.labels[:2] == ["对", "不对，重新说"]
    assert "age" not in (await saved(chat))["data"]["elig"]
    await chat.tap("对")
    assert chat.says("eq.ask_county", who="您")
    assert (await saved(chat))["data"]["elig"]["age"] == 75


async def test_a_typed_yes_or_a_spoken_yes_confirms_as_a_tap_does(chat):
    await at_age_question(chat)
    await chat.send("75", spoken=True)
    await chat.send("对")
    assert (await saved(chat))["data"]["elig"]["age"] == 75
    await chat.send("柯城区", spoken=True)
    assert chat.says("voice.confirm", text="柯城区")
    await chat.send("对的", spoken=True)  # a spoken 对 answers the read-back, not a new read-back
    assert (await saved(chat))["data"]["elig"]["county"] == "柯城区"
    assert chat.says("eq.ask_conditions", who="您")


async def test_no_asks_the_same_question_again_and_stores_nothing(chat):
    await at_age_question(chat)
    await chat.send("九十五", spoken=True)
    await chat.tap("不对")
    assert chat.says("voice.again") and chat.says("eq.ask_age", who="您")
    assert "age" not in (await saved(chat))["data"]["elig"]
    assert (await saved(chat))["heard"] is None


async def test_a_heard_label_picks_the_option_that_was_on_screen_once_confirmed(chat):
    await chat.send("查资格")
    await chat.send("替家人问", spoken=True)
    assert chat.says("voice.confirm", text="替家人问")
    await chat.tap("对")
    assert (await saved(chat))["data"]["elig"]["asker"] == "family"
    assert chat.says("eq.ask_age", who="您的家人")


async def test_menu_words_work_when_spoken_without_a_read_back(chat):
    await at_age_question(chat)
    await chat.send("菜单", spoken=True)
    assert chat.says("menu.title")


async def test_urgent_words_spoken_in_a_form_come_first_and_are_never_stored(chat):
    await at_age_question(chat)
    await chat.send("我儿子打我", spoken=True)
    texts = chat.runtime.services.texts
    assert chat.last.replies[0].text.startswith(texts("urgent.text"))
    assert chat.says("voice.heard", text="我儿子打我")
    assert (await saved(chat))["heard"] is None


async def test_a_voice_note_not_heard_keeps_the_person_where_they_were(chat):
    await at_age_question(chat)
    await chat.send("75", spoken=True)
    before = chat.labels
    await chat.send("", kind=Kind.VOICE_UNHEARD)
    assert chat.says("voice.unheard") and chat.labels == before
    await chat.tap("对")  # the read-back on screen still works
    assert (await saved(chat))["data"]["elig"]["age"] == 75


async def test_a_voice_note_too_long_is_refused_with_the_limit(chat):
    await chat.send("", kind=Kind.VOICE_TOO_LONG)
    assert chat.says("voice.too_long", seconds=60)


async def test_an_answer_offers_to_be_read_aloud_with_its_citation_spoken(speaking):
    await speaking.send("遗嘱公证要钱吗")
    assert speaking.labels[0] == "🔊 读给我听"
    assert speaking.last.replies[-1].voice is None
    await speaking.tap("读给我听")
    [reply] = speaking.last.replies
    assert speaking.says("voice.reading")
    assert "依据：衢州市司法局2020年3号文件第二条" in reply.voice
    assert "〔" not in reply.voice


async def test_the_eligibility_result_can_be_read_aloud(speaking):
    await at_age_question(speaking)
    await speaking.send("82")
    await speaking.tap("龙游县")
    await speaking.tap("好了")
    await speaking.tap("没办过")
    await speaking.tap("看结果")
    assert speaking.says("eq.head.will_free")
    assert "🔊 读给我听" in speaking.labels


async def test_no_read_aloud_without_a_speech_server_or_on_a_channel_without_voice(chat, settings, clock):
    await chat.send("遗嘱公证要钱吗")  # console, no TTS configured
    assert "🔊 读给我听" not in chat.labels
    runtime = await Runtime.open(settings.model_copy(update=SPEECH), clock)
    try:
        console = Chat(runtime, channel="console")
        await console.send("遗嘱公证要钱吗")
        assert "🔊 读给我听" not in console.labels
    finally:
        await runtime.close()


async def test_an_old_read_button_does_not_read_a_newer_answer(speaking):
    await speaking.send("遗嘱公证要钱吗")
    old = speaking.option("读给我听").payload
    await speaking.send("怎么申请法律援助")
    await speaking.press(old)
    assert speaking.says("nav.stale_button")
    assert all(r.voice is None for r in speaking.last.replies)


async def test_always_read_aloud_is_set_in_settings_and_removed_by_forget_me(speaking):
    await speaking.send("设置")
    assert speaking.says("settings.title", state="没打开")
    await speaking.tap("总是读给我听")
    assert speaking.says("settings.now_on")
    await speaking.send("遗嘱公证要钱吗")
    assert "依据：衢州市司法局2020年3号文件第二条" in speaking.last.replies[-1].voice
    assert "🔊 读给我听" not in speaking.labels
    await speaking.send("我的数据")
    assert speaking.says("settings.held_always")
    await speaking.send("删除我的信息")
    await speaking.tap("确定删除")
    assert (await saved(speaking))["read_aloud"] is False
    await speaking.send("遗嘱公证要钱吗")
    assert speaking.last.replies[-1].voice is None


async def test_settings_say_so_when_nothing_can_be_read_aloud(chat):
    await chat.send("设置")
    assert chat.says("settings.no_voice")
