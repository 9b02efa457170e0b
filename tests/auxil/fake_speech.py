"""A fake OpenAI-compatible speech server on 127.0.0.1: transcriptions and speech.

    async with FakeSpeech() as speech:
        settings = settings.model_copy(update=speech.settings())
        speech.transcript = "遗嘱公证要钱吗"
        ...
        assert speech.transcriptions[0].language == "zh"

What it checks, as a real server would refuse it: a transcription is multipart with a non-empty
`file`, a `model` and `response_format=json`; speech is JSON with `model`, `input`, `voice` and a
`response_format` of the OpenAI API, and 422 for a format the server does not make
(`formats`; speaches makes no Opus). `down()` closes the port (connection refused);
`fail_with(503)` answers errors; `delay` holds every answer that many seconds.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from aiohttp import web

HOST = "127.0.0.1"
FORMATS = frozenset({"mp3", "opus", "aac", "flac", "wav", "pcm"})
# What each format's bytes start with, so a test can tell an OGG/Opus voice from an MP3.
MAGIC = {"opus": b"OggS", "mp3": b"ID3\x04"}


@dataclass(frozen=True)
class Transcription:
    audio: bytes
    filename: str
    content_type: str
    model: str
    language: str
    seconds: float  # the server's own time on this request, from its first byte read to the answer


@dataclass(frozen=True)
class Spoken:
    input: str
    voice: str
    model: str
    response_format: str


class FakeSpeech:
    def __init__(self, transcript: str = "遗嘱公证要钱吗") -> None:
        self.transcript = transcript
        self.delay = 0.0
        self.formats = set(FORMATS)  # what this server makes
        self.transcriptions: list[Transcription] = []  # answered (recorded once the delay is over)
        self.transcription_requests = 0  # arrived, answered or not
        self.speeches: list[Spoken] = []
        self.authorizations: list[str] = []
        self._status = 200
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._port = 0

    async def __aenter__(self) -> FakeSpeech:
        app = web.Application(client_max_size=25 * 1024 * 1024)
        app.router.add_post("/v1/audio/transcriptions", self._transcribe)
        app.router.add_post("/v1/audio/speech", self._speak)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2, handler_cancellation=True)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, HOST, 0)
        await self._site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self._port}"

    def settings(self, *, timeout: float = 2.0) -> dict[str, object]:
        """Settings fields pointing both servers here (pass to Settings.model_copy(update=…))."""
        return {"asr_url": self.url, "tts_url": self.url, "asr_model": "whisper-test",
                "tts_model": "tts-test", "tts_voice": "zf_test", "speech_timeout_seconds": timeout}

    # ------------------------------------------------------------------ faults
    async def down(self) -> None:
        """Stop listening: every call is refused from now on."""
        if self._site is not None:
            await self._site.stop()
            self._site = None

    def fail_with(self, status: int) -> None:
        self._status = status

    # ------------------------------------------------------------------ the API
    async def _answer_delay(self) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)

    async def _transcribe(self, request: web.Request) -> web.Response:
        started = time.perf_counter()
        self.transcription_requests += 1
        self.authorizations.append(request.headers.get("Authorization", ""))
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField) or form.get("response_format") != "json" or not form.get("model"):
            return web.json_response({"error": {"message": "file, model and response_format=json"}}, status=400)
        audio = upload.file.read()
        if not audio:
            return web.json_response({"error": {"message": "empty file"}}, status=400)
        await self._answer_delay()
        self.transcriptions.append(Transcription(audio, upload.filename, upload.content_type, str(form["model"]),
                                                 str(form.get("language", "")), time.perf_counter() - started))
        if self._status != 200:
            return web.json_response({"error": {"message": "unavailable"}}, status=self._status)
        return web.json_response({"text": self.transcript})

    async def _speak(self, request: web.Request) -> web.Response:
        body = await request.json()
        fields = ("model", "input", "voice", "response_format")
        if not all(isinstance(body.get(f), str) and body[f] for f in fields) or body["response_format"] not in FORMATS:
            return web.json_response({"error": {"message": "model, input, voice, response_format"}}, status=400)
        if body["response_format"] not in self.formats:
            return web.json_response({"detail": "unsupported response_format"}, status=422)
        self.speeches.append(Spoken(body["input"], body["voice"], body["model"], body["response_format"]))
        await self._answer_delay()
        if self._status != 200:
            return web.json_response({"error": {"message": "unavailable"}}, status=self._status)
        fmt = body["response_format"]
        return web.Response(body=MAGIC.get(fmt, b"") + b"fake-audio", content_type=f"audio/{fmt}")
