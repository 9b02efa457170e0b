"""The knowledge base in use: the shipped files with each entry's newest staff revision laid on
them, retired entries left out; and which of those this process's matcher was built from
(services/knowledge.py replaces the matcher whole when that moves).

`merged` is the one merge: the bot, the console, `legalaid faq check|export`, `legalaid ask` and
`legalaid health` all call it, so a staff edit means the same thing everywhere."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from faq.kb import KnowledgeBase, RawEntry, file_for, overlaid, validate

if TYPE_CHECKING:
    from storage.kb_revisions import Revision


@dataclass
class Edition:
    base: list[RawEntry]  # faq/data as read at start-up
    version: int  # the newest revision in the matcher in use (0: the files alone)
    failed_at: int | None = None  # a version whose rebuild failed: said once, tried again when it moves
    checked_at: float = float("-inf")  # time.monotonic() of the last look at the version
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)  # one rebuild at a time


def laid(base: list[RawEntry], revisions: Sequence[Revision]) -> list[RawEntry]:
    """The files with each entry's newest revision (`revisions`: one per entry) on top, unvalidated;
    an entry whose newest revision retires it is left out, whether it came from a file or a save."""
    overlay = [RawEntry(f"revision {r.id}", file_for(str(r.body.get("audience"))), r.body) for r in revisions]
    retired = {r.entry_id for r in revisions if r.retired}
    return [item for item in overlaid(base, overlay)
            if not (isinstance(item.data, dict) and item.data.get("id") in retired)]


def merged(base: list[RawEntry], revisions: Sequence[Revision]) -> KnowledgeBase:
    """The knowledge base in use: the files with each entry's newest revision, validated."""
    return validate(laid(base, revisions))
