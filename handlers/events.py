"""Channel-neutral events and replies: what every channel adapter converts to and from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    BUTTON = "button"
    VOICE = "voice"
    PHOTO = "photo"
    STICKER = "sticker"
    LOCATION = "location"
    CONTACT = "contact"
    FILE = "file"
    OTHER = "other"


# Channels that cannot show buttons: options are numbered and a digit picks one.
NUMBERED_CHANNELS = frozenset({"console", "wechat"})


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

    @property
    def numbered(self) -> bool:
        return self.channel in NUMBERED_CHANNELS


@dataclass(frozen=True)
class Option:
    label: str
    payload: str


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Reply:
    text: str
    options: tuple[Option, ...] = ()
    main_menu: bool = False  # the home screen: Telegram shows it as a persistent keyboard
    document: Document | None = None

    def to_dict(self) -> dict:
        """For the outbox (documents are never queued: they go straight to the person asking)."""
        return {
            "text": self.text,
            "options": [[o.label, o.payload] for o in self.options],
            "main_menu": self.main_menu,
        }

    @classmethod
    def from_dict(cls, raw: dict) -> Reply:
        options = tuple(Option(label, payload) for label, payload in raw.get("options", []))
        return cls(raw["text"], options, bool(raw.get("main_menu", False)))


@dataclass(frozen=True)
class Notice:
    """A message for someone other than the sender (a lawyer, staff, a resident's answer)."""

    channel: str
    user_id: str
    reply: Reply
    dedupe_key: str | None = None  # queued at most once under this key


@dataclass
class Outcome:
    replies: list[Reply] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
