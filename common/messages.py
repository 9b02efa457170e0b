"""Messages as every layer sees them: options (buttons), replies, documents, and notices for others.

Channels render these; flows and services build them. A payload is the wire form of a button:
"<flow>:<action>[:<arg>]", built and read by `Payload` only.
"""

from __future__ import annotations

from dataclasses import dataclass


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
