"""Which knowledge base this process's matcher was built from: the shipped files, and the newest
staff revision laid on them (services/knowledge.py replaces the matcher whole when that moves)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from faq.kb import RawEntry


@dataclass
class Edition:
    base: list[RawEntry]  # faq/data as read at start-up
    version: int  # the newest revision in the matcher in use (0: the files alone)
    failed_at: int | None = None  # a version whose rebuild failed: said once, tried again when it moves
    checked_at: float = float("-inf")  # time.monotonic() of the last look at the version
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)  # one rebuild at a time
