"""Speech to text and text to speech through any OpenAI-compatible server the centre runs.

    POST {LEGALAID_ASR_URL}/v1/audio/transcriptions   multipart: file, model, language=zh,
                                                       response_format=json  →  {"text": "…"}
    POST {LEGALAID_TTS_URL}/v1/audio/speech            JSON: model, input, voice, response_format
                                                       →  the audio bytes

speaches (faster-whisper-server), FunASR's and whisper.cpp's servers offer the first; speaches,
openedai-speech and others the second (docs/voice.md). Audio passes through memory only: it is
never written to disk and never logged, and neither is what was heard.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace

import aiohttp

from common.config import Settings
from handlers.events import Incoming, Kind

log = logging.getLogger(__name__)

LANGUAGE = "zh"
# Telegram's sendVoice wants OGG/Opus (the "opus" of the OpenAI API); WeChat voice media AMR or MP3.
OPUS, MP3 = "opus", "mp3"
# The speech API reads at most 4096 characters at once; WeChat voice media last at most 60 s,
# about 200 characters of Chinese read at an unhurried pace.
MAX_SPEECH_CHARS = 4000
_SENTENCE_END = re.compile(r"(?<=[。！？；\n])")


class SpeechError(Exception):
    """The speech server could not be reached, refused, or answered nonsense (never the audio)."""

    def __init__(self, message: str = "", status: int | None = None):
        super().__init__(message)
        self.status = status  # the HTTP status when the server answered with an error


class TooLong(SpeechError):
    """A voice note longer than LEGALAID_VOICE_MAX_SECONDS, found out only once it was fetched."""


def _endpoint(root: str, path: str) -> str:
    base = root if root.endswith("/v1") else root + "/v1"
    return base + path


class Speech:
    """One HTTP session to the speech servers, opened on first use and closed with the runtime."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._session: aiohttp.ClientSession | None = None

    @property
    def hears(self) -> bool:
        return self.settings.hears

    @property
    def timeout(self) -> float:
        return self.settings.speech_timeout_seconds

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    @staticmethod
    def _headers(key) -> dict[str, str]:
        secret = key.get_secret_value() if key is not None else ""
        return {"Authorization": f"Bearer {secret}"} if secret else {}

    async def transcribe(self, audio: bytes, filename: str, content_type: str) -> str:
        """What was said, stripped; "" when nothing was heard."""
        if self.settings.asr_url is None:
            raise SpeechError("LEGALAID_ASR_URL is not set")
        form = aiohttp.FormData()
        form.add_field("file", audio, filename=filename, content_type=content_type)
        form.add_field("model", self.settings.asr_model)
        form.add_field("language", LANGUAGE)
        form.add_field("response_format", "json")
        url = _endpoint(self.settings.asr_url, "/audio/transcriptions")
        try:
            async with self.session().post(url, data=form, headers=self._headers(self.settings.asr_api_key)) as resp:
                if resp.status != 200:
                    raise SpeechError(f"transcription server answered HTTP {resp.status}")
                body = await resp.json(content_type=None)
        except (aiohttp.ClientError, ValueError) as exc:
            raise SpeechError(f"transcription failed: {type(exc).__name__}") from None
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str):
            raise SpeechError("transcription server answered without text")
        return text.strip()

    async def synthesize(self, text: str, response_format: str) -> bytes:
        """`text` read aloud, as audio in `response_format` (OPUS or MP3)."""
        if self.settings.tts_url is None:
            raise SpeechError("LEGALAID_TTS_URL is not set")
        payload = {"model": self.settings.tts_model, "input": text[:MAX_SPEECH_CHARS],
                   "voice": self.settings.tts_voice, "response_format": response_format}
        url = _endpoint(self.settings.tts_url, "/audio/speech")
        try:
            async with self.session().post(url, json=payload, headers=self._headers(self.settings.tts_api_key)) as resp:
                if resp.status != 200:
                    raise SpeechError(f"speech server answered HTTP {resp.status}", resp.status)
                audio = await resp.read()
        except aiohttp.ClientError as exc:
            raise SpeechError(f"speech failed: {type(exc).__name__}") from None
        except TimeoutError:
            raise SpeechError("speech server too slow") from None
        if not audio:
            raise SpeechError("speech server answered no audio")
        return audio

    async def synthesize_first(self, text: str, formats: tuple[str, ...]) -> tuple[bytes, str]:
        """The audio in the first of `formats` the server makes, and that format. A server that
        refuses a format (speaches makes no Opus) answers 400 or 422; the next one is asked."""
        for fmt in formats[:-1]:
            try:
                return await self.synthesize(text, fmt), fmt
            except SpeechError as exc:
                if exc.status not in (400, 422):
                    raise
        return await self.synthesize(text, formats[-1]), formats[-1]

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


async def hear(speech: Speech, ev: Incoming, fetch: Callable[[], Awaitable[tuple[bytes, str, str]]]) -> Incoming:
    """A voice note as the core takes it: the transcript as spoken text, or "没听清" (VOICE_UNHEARD)
    when the download or the transcription fails, takes longer than LEGALAID_SPEECH_TIMEOUT_SECONDS,
    or hears nothing. `fetch` downloads the audio: (bytes, filename, content type)."""
    try:
        async with asyncio.timeout(speech.timeout):
            audio, filename, content_type = await fetch()
            text = await speech.transcribe(audio, filename, content_type)
    except TooLong:
        return replace(ev, kind=Kind.VOICE_TOO_LONG)
    except TimeoutError:
        log.warning("voice %s (%s): not transcribed within %.1f s", ev.ref, ev.channel, speech.timeout)
        return replace(ev, kind=Kind.VOICE_UNHEARD)
    except SpeechError as exc:
        log.warning("voice %s (%s): %s", ev.ref, ev.channel, exc)
        return replace(ev, kind=Kind.VOICE_UNHEARD)
    if not text:
        return replace(ev, kind=Kind.VOICE_UNHEARD)
    return replace(ev, kind=Kind.TEXT, text=text, spoken=True)


def speech_pieces(text: str, limit: int) -> list[str]:
    """`text` cut at sentence ends into pieces of at most `limit` characters (a long answer
    becomes several voice messages where one may not last long enough)."""
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        for start in range(0, len(sentence), limit):  # a sentence longer than `limit` is cut
            part = sentence[start : start + limit]
            if current and len(current) + len(part) > limit:
                pieces.append(current)
                current = ""
            current += part
    pieces.append(current)
    return [p.strip() for p in pieces if p.strip()]
