"""The speech clients against a fake OpenAI-compatible server on 127.0.0.1: request shape, faults."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from pydantic import SecretStr

from bot.speech import OPUS, Speech, SpeechError, TooLong, hear, speech_pieces
from handlers.events import Incoming, Kind
from tests.auxil.fake_speech import FakeSpeech

pytestmark = pytest.mark.timeout(20)
NOTE = Incoming("telegram", "7001", datetime(2026, 11, 26, 2, tzinfo=timezone.utc), kind=Kind.VOICE, ref="1")


@pytest.fixture
async def fake():
    async with FakeSpeech() as server:
        yield server


@pytest.fixture
async def speech(fake, settings):
    client = Speech(settings.model_copy(update=fake.settings(timeout=0.5)))
    yield client
    await client.close()


async def fetched():
    return b"OggS-note", "voice-note.ogg", "audio/ogg"


async def test_a_transcription_is_asked_in_chinese_as_json_with_the_model(fake, speech):
    fake.transcript = " 遗嘱公证要钱吗 "
    assert await speech.transcribe(b"OggS-note", "voice-note.ogg", "audio/ogg") == "遗嘱公证要钱吗"
    [call] = fake.transcriptions
    assert (call.audio, call.language, call.model, call.content_type) == (b"OggS-note", "zh", "whisper-test", "audio/ogg")


async def test_the_api_key_goes_as_a_bearer_token(fake, settings):
    update = fake.settings() | {"asr_api_key": SecretStr("sk-centre")}
    client = Speech(settings.model_copy(update=update))
    try:
        await client.transcribe(b"OggS", "voice-note.ogg", "audio/ogg")
    finally:
        await client.close()
    assert fake.authorizations == ["Bearer sk-centre"]


async def test_speech_is_asked_with_model_voice_and_format(fake, speech):
    audio = await speech.synthesize("您好", OPUS)
    assert audio.startswith(b"OggS")
    [call] = fake.speeches
    assert (call.input, call.voice, call.model, call.response_format) == ("您好", "zf_test", "tts-test", "opus")


async def test_a_heard_note_becomes_spoken_text(fake, speech):
    ev = await hear(speech, NOTE, fetched)
    assert (ev.kind, ev.text, ev.spoken) == (Kind.TEXT, "遗嘱公证要钱吗", True)


@pytest.mark.parametrize("fault", ["down", "error", "slow", "silence", "download"])
async def test_every_fault_is_not_heard_and_nothing_else(fake, speech, fault):
    fetch = fetched
    if fault == "down":
        await fake.down()
    elif fault == "error":
        fake.fail_with(503)
    elif fault == "slow":
        fake.delay = 2.0  # past the 0.5 s timeout
    elif fault == "silence":
        fake.transcript = "  "
    else:
        async def fetch():
            raise SpeechError("download failed")
    ev = await hear(speech, NOTE, fetch)
    assert (ev.kind, ev.text, ev.spoken) == (Kind.VOICE_UNHEARD, "", False)


async def test_a_note_found_too_long_once_fetched_is_refused(speech):
    async def fetch():
        raise TooLong()

    assert (await hear(speech, NOTE, fetch)).kind is Kind.VOICE_TOO_LONG


async def test_speech_failures_raise_speech_error(fake, speech):
    fake.fail_with(500)
    with pytest.raises(SpeechError):
        await speech.synthesize("您好", OPUS)


def test_a_long_answer_is_cut_at_sentence_ends_into_pieces_that_fit():
    text = "第一句话说完了。" * 30 + "一" * 250
    pieces = speech_pieces(text, 200)
    assert all(len(p) <= 200 for p in pieces)
    assert "".join(pieces) == text
    assert pieces[0].endswith("。")


async def test_neither_the_audio_nor_what_was_heard_is_logged(fake, speech, caplog):
    caplog.set_level("DEBUG", logger="bot")
    fake.transcript = "我叫王秀英，电话13812345678"
    await hear(speech, NOTE, fetched)
    fake.fail_with(503)
    await hear(speech, NOTE, fetched)
    assert caplog.records, "the failure is logged"
    assert "王秀英" not in caplog.text and "OggS" not in caplog.text
