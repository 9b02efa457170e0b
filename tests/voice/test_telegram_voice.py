"""Voice on Telegram end to end: the real Application against the fake Bot API and a fake speech server."""

from __future__ import annotations

import json

import pytest

from common.catalog import load_catalog
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.fake_speech import FakeSpeech
from tests.auxil.running_bot import running_bot

pytestmark = pytest.mark.timeout(30)
USER = 7001
T = load_catalog()


@pytest.fixture
async def api():
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def speech():
    async with FakeSpeech() as fake:
        yield fake


def voiced(settings, speech: FakeSpeech, timeout: float = 2.0):
    return settings.model_copy(update=speech.settings(timeout=timeout))


async def voice_note(api, **kwargs) -> str:
    """Send a voice note; the text of the bot's next message."""
    before = len(api.sent(USER))
    api.push_voice(USER, **kwargs)
    messages = await api.wait_for_messages(USER, before + 1)
    return messages[before].text


async def say(api, text: str) -> None:
    await api.say(USER, text)


async def tap(api, label: str) -> None:
    before = len(api.sent(USER))
    api.push_button(USER, label)
    await api.wait_for_messages(USER, before + 1)


async def elig_draft(app) -> dict:
    raw = await app.bot_data["runtime"].services.store.load_state("telegram", str(USER))
    return json.loads(raw)["data"]["elig"]


async def test_a_voice_question_is_answered_with_what_was_heard(api, speech, settings, clock):
    speech.transcript = "遗嘱公证要钱吗"
    async with running_bot(voiced(settings, speech), api, clock):
        text = await voice_note(api, content=b"OggS-my-question")
    assert text.startswith(T("voice.heard", text="遗嘱公证要钱吗"))
    assert "依据：衢市司发〔2020〕3号 二" in text
    [call] = speech.transcriptions
    assert call.audio == b"OggS-my-question" and call.language == "zh"
    assert len(api.downloads) == 1, "downloaded once from the file endpoint, after getFile"


async def test_a_voice_answer_in_the_questionnaire_is_confirmed_then_stored(api, speech, settings, clock):
    async with running_bot(voiced(settings, speech), api, clock) as app:
        await say(api, "查资格")
        await tap(api, "我本人")
        speech.transcript = "七十五岁"
        text = await voice_note(api)
        assert text.startswith(T("voice.confirm", text="七十五岁").splitlines()[0])
        assert "age" not in await elig_draft(app)
        await tap(api, "对")
        assert api.sent(USER)[-1].text.startswith(T("eq.ask_county", who="您"))
        assert (await elig_draft(app))["age"] == 75


async def test_with_the_speech_server_down_the_person_hears_not_heard_and_keeps_the_question(api, speech, settings, clock):
    async with running_bot(voiced(settings, speech), api, clock) as app:
        await say(api, "查资格")
        await tap(api, "我本人")
        question = api.sent(USER)[-1].button_texts
        await speech.down()
        assert await voice_note(api) == T("voice.unheard")
        assert api.sent(USER)[-1].button_texts == question
        assert (await elig_draft(app))["asked"][-1] == "age"


async def test_a_speech_server_slower_than_the_timeout_gives_not_heard(api, speech, settings, clock):
    speech.delay = 3.0
    async with running_bot(voiced(settings, speech, timeout=0.5), api, clock):
        assert await voice_note(api) == T("voice.unheard")
    assert speech.transcription_requests == 1 and speech.transcriptions == []


async def test_a_90_second_note_is_refused_without_being_downloaded(api, speech, settings, clock):
    async with running_bot(voiced(settings, speech), api, clock):
        assert await voice_note(api, duration=90) == T("voice.too_long", seconds=60)
    assert api.downloads == [] and api.calls_to("getFile") == []
    assert speech.transcriptions == []


async def test_without_a_speech_server_a_voice_note_gets_the_polite_please_type(api, settings, clock):
    async with running_bot(settings, api, clock):
        assert await voice_note(api) == T("input.voice")
    assert api.calls_to("getFile") == []


async def test_an_answer_is_read_aloud_as_an_ogg_opus_voice_message(api, speech, settings, clock):
    async with running_bot(voiced(settings, speech), api, clock):
        await say(api, "遗嘱公证要钱吗")
        assert "🔊 读给我听" in api.sent(USER)[-1].button_texts
        api.push_button(USER, "🔊 读给我听")
        [voice] = await api.wait_for(lambda: [m for m in api.sent(USER) if m.method == "sendVoice"])
    assert voice.document.content.startswith(b"OggS")
    [spoken] = speech.speeches
    assert spoken.response_format == "opus" and spoken.voice == "zf_test"
    assert "依据：衢州市司法局2020年3号文件第二条" in spoken.input


async def test_a_server_that_makes_no_opus_gives_an_mp3_voice(api, speech, settings, clock):
    speech.formats = {"mp3", "wav"}  # as speaches
    async with running_bot(voiced(settings, speech), api, clock):
        await say(api, "遗嘱公证要钱吗")
        api.push_button(USER, "🔊 读给我听")
        [voice] = await api.wait_for(lambda: [m for m in api.sent(USER) if m.method == "sendVoice"])
    assert voice.document.content.startswith(b"ID3")
    assert [s.response_format for s in speech.speeches] == ["mp3"]


async def test_when_speech_fails_the_person_is_told_to_read_the_text(api, speech, settings, clock):
    async with running_bot(voiced(settings, speech), api, clock):
        await say(api, "遗嘱公证要钱吗")
        speech.fail_with(503)
        api.push_button(USER, "🔊 读给我听")
        await api.wait_for(lambda: any(m.text == T("voice.read_failed") for m in api.sent(USER)))
    assert api.calls_to("sendVoice") == []


async def test_a_flood_of_voice_notes_is_not_sent_to_the_speech_server(api, speech, settings, clock):
    limited = voiced(settings, speech).model_copy(update={"rate_limit_per_minute": 2})
    async with running_bot(limited, api, clock):
        await voice_note(api)
        await voice_note(api)
        assert await voice_note(api) == T("input.slow_down")
    assert speech.transcription_requests == 2
