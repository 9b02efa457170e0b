"""Channel-neutral events and replies: what every channel adapter converts to and from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from common.messages import Notice, Reply  # noqa: F401 - Outcome holds them


class Kind(StrEnum):
    TEXT = "text"
    BUTTON = "button"
    VOICE = "voice"  # a voice note not transcribed (no speech server): "please type"
    VOICE_UNHEARD = "voice_unheard"  # download or transcription failed, or nothing was heard
    VOICE_TOO_LONG = "voice_too_long"  # refused before download (LEGALAID_VOICE_MAX_SECONDS)
    PHOTO = "photo"
    STICKER = "sticker"
    LOCATION = "location"
    CONTACT = "contact"
    FILE = "file"
    OTHER = "other"


@dataclass(frozen=True)
class ChannelInfo:
    """What a channel can do, declared by its adapter when it starts (Dialogue.register_channel)."""

    name: str
    numbered: bool = False  # no buttons: options are numbered lines and a digit picks one
    push: bool = True  # can deliver later messages (answers, reminders) without being asked
    files: bool = False  # can send a document (exports)
    voice: bool = False  # can send a voice message (answers read aloud)
    # Strangers write on it, so one person's flood is slowed (LEGALAID_RATE_LIMIT_PER_MINUTE);
    # the console has one person at the keyboard, often a pipe of a whole conversation.
    public: bool = True


@dataclass(frozen=True)
class Incoming:
    """One thing a person did: typed text, tapped a button, or sent something else."""

    channel: str
    user_id: str
    at: datetime
    kind: Kind = Kind.TEXT
    text: str = ""
    payload: str | None = None  # set for Kind.BUTTON
    group: bool = False  # sent in a group chat rather than privately
    ref: str = ""  # the channel's id for this event (Telegram update_id), for log lines
    spoken: bool = False  # `text` is what a speech recogniser heard in a voice note
    # Set by channels that de-duplicate what arrives (update_id, MsgId): the turn is recorded as
    # handled and its replies are queued in the outbox, with the state, in one transaction.
    key: str = ""


@dataclass
class Outcome:
    replies: list[Reply] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    # With Incoming.key: the outbox ids of `replies`, in order; the channel marks each one it delivers.
    queued: list[int] = field(default_factory=list)
    # Messages to this person from before the turn were not delivered yet: a reply sent straight
    # away would overtake them, so a channel that can leave it to the outbox does (WeChat).
    behind: bool = False
