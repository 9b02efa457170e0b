"""Voice on WeChat end to end: signed XML in, against the fake WeChat API and a fake speech server."""

from __future__ import annotations

import itertools
from contextlib import asynccontextmanager

import pytest

from bot.runtime import Runtime
from common.catalog import load_catalog
from tests.auxil.fake_speech import FakeSpeech
from tests.bot.test_wechat import USER, serving, wechat_settings
from tests.bot.test_wechat import _no_wechat_environment, fake_api  # noqa: F401 - the same fixtures

pytestmark = pytest.mark.timeout(20)
T = load_catalog()
AMR = b"#!AMR\n" + b"\x3c" * 3200  # two seconds of AMR-NB
_ids = itertools.count(7_000_000_000_000_000_001)


@pytest.fixture
async def speech():
    async with FakeSpeech() as fake:
        yield fake


@asynccontextmanager
async def account(settings, clock, fake_api, speech: FakeSpeech | None):
    update = speech.settings() if speech is not None else {}
    runtime = await Runtime.open(settings.model_copy(update=update), clock)
    try:
        async with serving(runtime, wechat_settings(fake_api)) as phone:
            yield phone
    finally:
        await runtime.close()


def voice_xml(phone, media_id: str, recognition: str | None = None) -> str:
    heard = "" if recognition is None else f"<Recognition><![CDATA[{recognition}]]></Recognition>"
    rest = f"<MediaId><![CDATA[{media_id}]]></MediaId><Format><![CDATA[amr]]></Format>{heard}<MsgId>{next(_ids)}</MsgId>"
    return phone._xml("voice", rest)


async def test_wechats_own_recognition_is_the_persons_text_without_any_call_to_our_server(
        settings, clock, fake_api, speech):
    async with account(settings, clock, fake_api, speech) as phone:
        reply = await phone.deliver(voice_xml(phone, "MEDIA-unused", recognition="遗嘱公证要钱吗？"))
    assert reply.startswith(T("voice.heard", text="遗嘱公证要钱吗？"))
    assert "依据：衢市司发〔2020〕3号 二" in reply
    assert speech.transcriptions == [] and fake_api.media_gets == []


async def test_without_recognition_the_amr_is_fetched_and_transcribed(settings, clock, fake_api, speech):
    speech.transcript = "遗嘱公证要钱吗"
    media_id = fake_api.add_media(AMR)
    async with account(settings, clock, fake_api, speech) as phone:
        reply = await phone.deliver(voice_xml(phone, media_id, recognition=""))
    assert reply.startswith(T("voice.heard", text="遗嘱公证要钱吗"))
    [call] = speech.transcriptions
    assert (call.audio, call.content_type, call.language) == (AMR, "audio/amr", "zh")
    assert fake_api.media_gets == [media_id]


async def test_a_voice_message_longer_than_a_minute_is_refused_and_not_transcribed(settings, clock, fake_api, speech):
    media_id = fake_api.add_media(b"#!AMR\n" + b"\x3c" * 1600 * 90)
    async with account(settings, clock, fake_api, speech) as phone:
        reply = await phone.deliver(voice_xml(phone, media_id))
    assert reply.startswith(T("voice.too_long", seconds=60))
    assert speech.transcriptions == []


async def test_an_unknown_media_id_gives_not_heard(settings, clock, fake_api, speech):
    async with account(settings, clock, fake_api, speech) as phone:
        reply = await phone.deliver(voice_xml(phone, "MEDIA-gone"))
    assert reply.startswith(T("voice.unheard").splitlines()[0])
    assert speech.transcriptions == []


async def test_without_a_speech_server_a_voice_message_gets_please_type(settings, clock, fake_api):
    media_id = fake_api.add_media(AMR)
    async with account(settings, clock, fake_api, None) as phone:
        reply = await phone.deliver(voice_xml(phone, media_id))
    assert reply.startswith(T("input.voice"))
    assert fake_api.media_gets == []


async def test_an_answer_is_read_aloud_as_an_uploaded_voice_by_the_customer_service_api(settings, clock, fake_api, speech):
    async with account(settings, clock, fake_api, speech) as phone:
        answer = await phone.say("遗嘱公证要钱吗")
        reading = await phone.pick(answer, "读给我听")
        assert reading.startswith(T("voice.reading"))
        [voice] = await fake_api.wait_for_voices(USER, 1)
    assert voice.audio.startswith(b"ID3")  # MP3: what WeChat voice media takes
    [spoken] = speech.speeches
    assert spoken.response_format == "mp3"
    assert "依据：衢州市司法局2020年3号文件第二条" in spoken.input


async def test_always_read_aloud_sends_every_answer_as_voice_too(settings, clock, fake_api, speech):
    async with account(settings, clock, fake_api, speech) as phone:
        screen = await phone.say("设置")
        await phone.pick(screen, "总是读给我听")
        answer = await phone.say("遗嘱公证要钱吗")
        assert "读给我听" not in answer
        await fake_api.wait_for_voices(USER, 1)


async def test_a_recognised_answer_in_the_questionnaire_is_confirmed_by_its_number_then_stored(
        settings, clock, fake_api, speech):
    async with account(settings, clock, fake_api, speech) as phone:
        screen = await phone.pick(await phone.say("查资格"), "我本人")
        assert screen.startswith(T("eq.ask_age", who="您").splitlines()[0])
        read_back = await phone.deliver(voice_xml(phone, "MEDIA-unused", recognition="七十五岁。"))
        assert read_back.startswith(T("voice.confirm", text="七十五岁。").splitlines()[0])
        county = await phone.pick(read_back, "对")
        assert county.startswith(T("eq.ask_county", who="您"))
        raw = await phone.runtime.services.store.load_state("wechat", USER)
    assert '"age":75' in raw.replace(" ", "")
    assert speech.transcriptions == []
