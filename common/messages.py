"""Messages as every layer sees them: options (buttons), replies, documents, and notices for others.

Channels render these; flows and services build them. A payload is the wire form of a button:
"<flow>:<action>[:<arg>]", built and read by `Payload` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Telegram's callback_data holds at most 64 bytes; every payload must fit.
MAX_PAYLOAD_BYTES = 64


@dataclass(frozen=True)
class Address:
    """Someone the bot can write to: a channel and that channel's id for the person or chat."""

    channel: str
    user_id: str

    @classmethod
    def parse(cls, text: str, default_channel: str) -> Address:
        """"wechat:oAbc" → (wechat, oAbc); a bare "12345" belongs to `default_channel`."""
        channel, sep, user_id = text.strip().partition(":")
        if not sep:
            channel, user_id = default_channel, channel
        if not channel or not user_id:
            raise ValueError(f"not an address: {text!r} (use channel:id)")
        return cls(channel, user_id)


@dataclass(frozen=True)
class Payload:
    """What a button does: the flow it belongs to, the action, and one argument."""

    flow: str
    action: str
    arg: str = ""

    def encode(self) -> str:
        raw = f"{self.flow}:{self.action}:{self.arg}" if self.arg else f"{self.flow}:{self.action}"
        if len(raw.encode()) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"payload over {MAX_PAYLOAD_BYTES} bytes: {raw!r}")
        return raw

    @classmethod
    def decode(cls, raw: str) -> Payload | None:
        """None for anything that is not a payload we could have made (forged or stale data)."""
        flow, sep, rest = raw.partition(":")
        action, _, arg = rest.partition(":")
        if not sep or not flow or not action or len(raw.encode()) > MAX_PAYLOAD_BYTES:
            return None
        return cls(flow, action, arg)


@dataclass(frozen=True)
class Option:
    """A choice on screen. Typed text picks it by its label or one of its aliases
    ("12月1日", "周二" for a date; "确定", "好的" for a confirmation)."""

    label: str
    payload: str  # Payload.encode(): the wire form channels carry
    aliases: tuple[str, ...] = ()


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
    # Also sent as a voice message: this text, as it is read aloud. Never queued (to_dict drops it):
    # voice goes straight to the person who asked.
    voice: str | None = None

    def to_dict(self) -> dict:
        """For the outbox (documents are never queued: they go straight to the person asking)."""
        return {
            "text": self.text,
            "options": [[o.label, o.payload, *([list(o.aliases)] if o.aliases else [])] for o in self.options],
            "main_menu": self.main_menu,
        }

    @classmethod
    def from_dict(cls, raw: dict) -> Reply:
        options = tuple(Option(o[0], o[1], tuple(o[2]) if len(o) > 2 else ()) for o in raw.get("options", []))
        return cls(raw["text"], options, bool(raw.get("main_menu", False)))


@dataclass(frozen=True)
class Notice:
    """A message for someone other than the sender (a lawyer, staff, a resident's answer)."""

    channel: str
    user_id: str
    reply: Reply
    dedupe_key: str | None = None  # queued at most once under this key (storage.outbox.outbox_key)
    about: Address | None = None  # the resident it concerns: withdrawn when they ask to be forgotten
    # Useless after this (a reminder once its visit has begun); default: a week after it is queued.
    expires_at: datetime | None = None
