"""Voice on Telegram: voice notes in (getFile, download, transcribe), answers read aloud out (sendVoice).

The audio is downloaded into memory, sent to the speech server and dropped; it is never stored.
Voice messages go straight to the person who asked, not through the outbox (they are made for
this moment, and a queued copy would have to keep the audio).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from telegram import Update
from telegram.error import TelegramError

from bot.runtime import Runtime
from bot.speech import MP3, OPUS, SpeechError, hear
from common.messages import Reply
from handlers.events import Incoming, Kind

log = logging.getLogger(__name__)


async def heard(update: Update, ev: Incoming, bot, runtime: Runtime) -> Incoming:
    """A voice note as the core takes it: transcribed, refused as too long, or "没听清"."""
    message = update.effective_message
    if ev.kind is not Kind.VOICE or ev.group or not runtime.speech.hears or message is None:
        return ev
    if runtime.dialogue.over_limit(ev):
        return ev  # a flood of notes is not sent to the speech server
    note = message.voice or message.audio
    if note is None:
        return ev  # a round video note: the polite "please type"
    # python-telegram-bot gives a timedelta with PTB_TIMEDELTA set, whole seconds before that.
    duration = note.duration
    seconds = duration.total_seconds() if isinstance(duration, timedelta) else duration or 0
    if seconds > runtime.settings.voice_max_seconds:
        return replace(ev, kind=Kind.VOICE_TOO_LONG)  # refused before it is downloaded

    async def fetch() -> tuple[bytes, str, str]:
        try:
            file = await bot.get_file(note.file_id)
            audio = bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            raise SpeechError(f"download failed: {type(exc).__name__}") from None
        return audio, "voice-note.ogg", note.mime_type or "audio/ogg"

    return await hear(runtime.speech, ev, fetch)


async def speak(bot, chat_id: int, replies: list[Reply], runtime: Runtime) -> None:
    """Each reply that carries `voice` is also sent as a voice message: OGG/Opus, or MP3 from a
    server that makes no Opus (sendVoice takes both)."""
    for reply in replies:
        if reply.voice is None:
            continue
        try:
            audio, fmt = await runtime.speech.synthesize_first(reply.voice, (OPUS, MP3))
            await bot.send_voice(chat_id, voice=audio, filename=f"answer.{'ogg' if fmt == OPUS else fmt}")
        except (SpeechError, TelegramError) as exc:
            log.warning("could not send a voice answer: %s", exc)
            await bot.send_message(chat_id, runtime.services.texts("voice.read_failed"))
