"""Voice on WeChat: voice messages in, answers read aloud out (customer-service voice messages).

In: with 接收语音识别结果 switched on, WeChat sends its own transcript in `Recognition`, and that is
the person's text (no call to our speech server). Without it, the AMR audio is fetched with
`media/get` into memory and transcribed; it is never stored. A voice message has no duration in
the push, so the length is judged by size (AMR-NB at its highest rate) before the body is read.

Out: each piece of the answer (a WeChat voice lasts at most 60 s) is synthesised as MP3, uploaded
as temporary voice media (`media/upload`) and sent by the customer-service API, straight away
and not through the outbox.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import TYPE_CHECKING

import aiohttp

from bot.channels.wechat_api import TOKEN_ERRCODES, WeChatApi, WeChatApiError
from bot.speech import MP3, SpeechError, TooLong, hear, speech_pieces
from common.messages import Reply
from handlers.events import Incoming, Kind

if TYPE_CHECKING:
    from bot.channels.wechat_endpoint import WeChatEndpoint

log = logging.getLogger(__name__)

# AMR-NB at 12.2 kbit/s: 32 bytes per 20 ms frame, 1600 bytes a second, and a 6-byte header.
AMR_BYTES_PER_SECOND = 1600
# About 50 s of Chinese read at an unhurried pace: under WeChat's 60 s for one voice message.
CHARS_PER_VOICE = 200


async def heard(endpoint: WeChatEndpoint, msg: dict[str, str], ev: Incoming) -> Incoming:
    """A voice message as the core takes it: WeChat's own recognition, our transcript, or "没听清"."""
    if ev.kind is not Kind.VOICE:
        return ev
    recognition = msg.get("Recognition", "").strip()
    if recognition:
        return replace(ev, kind=Kind.TEXT, text=recognition, spoken=True)
    runtime = endpoint.runtime
    media_id = msg.get("MediaId", "")
    if not runtime.speech.hears or not media_id or await runtime.dialogue.over_limit(ev):
        return ev
    limit = 6 + AMR_BYTES_PER_SECOND * runtime.settings.voice_max_seconds

    async def fetch() -> tuple[bytes, str, str]:
        return await get_media(endpoint.api, media_id, limit), "voice-note.amr", "audio/amr"

    return await hear(runtime.speech, ev, fetch)


async def get_media(api: WeChatApi, media_id: str, limit: int) -> bytes:
    """A temporary media file's bytes (media/get); TooLong past `limit` bytes, before reading it."""
    for attempt in range(2):
        token = await api.access_token()
        params = {"access_token": token, "media_id": media_id}
        try:
            async with api.session.get(api.settings.api_base_url + "/cgi-bin/media/get", params=params) as resp:
                if resp.status != 200:
                    raise SpeechError(f"media/get answered HTTP {resp.status}")
                if resp.content_type in ("application/json", "text/plain"):
                    errcode = int((await resp.json(content_type=None)).get("errcode", -1))
                    if errcode in TOKEN_ERRCODES and attempt == 0:
                        api._forget(token)  # refreshed, then once more, as WeChatApi.call does
                        continue
                    raise SpeechError(f"media/get errcode {errcode}")
                if (resp.content_length or 0) > limit:
                    raise TooLong()
                # The whole body, piece by piece (content.read(n) returns only what has arrived so
                # far), stopping as soon as it is over the limit.
                audio = bytearray()
                async for piece in resp.content.iter_chunked(64 * 1024):
                    audio += piece
                    if len(audio) > limit:
                        raise TooLong()
                return bytes(audio)
        except (aiohttp.ClientError, ValueError, WeChatApiError) as exc:
            raise SpeechError(f"media/get failed: {type(exc).__name__}") from None
    raise SpeechError("media/get: access_token refused twice")


async def upload_voice(api: WeChatApi, audio: bytes, filename: str) -> str:
    """Temporary voice media (media/upload?type=voice): its media_id."""
    for attempt in range(2):
        token = await api.access_token()
        form = aiohttp.FormData()
        form.add_field("media", audio, filename=filename, content_type="audio/mpeg")
        params = {"access_token": token, "type": "voice"}
        try:
            async with api.session.post(api.settings.api_base_url + "/cgi-bin/media/upload",
                                        params=params, data=form) as resp:
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, ValueError) as exc:
            raise WeChatApiError(-1, f"{type(exc).__name__} calling media/upload") from None
        errcode = int(data.get("errcode", 0)) if isinstance(data, dict) else -1
        if errcode in TOKEN_ERRCODES and attempt == 0:
            api._forget(token)
            continue
        if errcode or not isinstance(data.get("media_id"), str):
            raise WeChatApiError(errcode, str(data.get("errmsg", "no media_id")))
        return data["media_id"]
    raise WeChatApiError(-1, "media/upload: access_token refused twice")


async def send_voice(endpoint: WeChatEndpoint, openid: str, words: str) -> None:
    """`words` as one or more customer-service voice messages; on failure, a line saying so."""
    runtime, api = endpoint.runtime, endpoint.api
    try:
        for piece in speech_pieces(words, CHARS_PER_VOICE):
            audio = await runtime.speech.synthesize(piece, MP3)
            media_id = await upload_voice(api, audio, "answer.mp3")
            await api.call("/cgi-bin/message/custom/send",
                           {"touser": openid, "msgtype": "voice", "voice": {"media_id": media_id}})
    except (SpeechError, WeChatApiError) as exc:
        log.warning("wechat: could not send a voice answer: %s", exc)
        try:
            await api.send_text(openid, runtime.services.texts("voice.read_failed"))
        except WeChatApiError:
            log.warning("wechat: could not say that the voice answer failed")


def speak_later(endpoint: WeChatEndpoint, openid: str, replies: list[Reply]) -> None:
    """Voice answers go after the text reply (which leaves in the HTTP answer), one after another."""
    words = [r.voice for r in replies if r.voice is not None]
    if words:

        async def in_order() -> None:
            await asyncio.sleep(0)  # let the passive text reply leave first
            for w in words:
                await send_voice(endpoint, openid, w)

        endpoint._spawn(in_order())
