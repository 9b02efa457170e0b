"""What arrives at the WeChat endpoint, as the core's events, and the memory of recent messages."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime

from handlers.events import Incoming, Kind

CHANNEL = "wechat"
# A signed request older (or newer) than this is refused: replays inside the window are caught
# by the de-duplication memory, which keeps message ids exactly this long.
REPLAY_WINDOW_SECONDS = 600
MAX_REMEMBERED = 10_000

_MESSAGE_KINDS = {
    "voice": Kind.VOICE,
    "image": Kind.PHOTO,
    "video": Kind.PHOTO,
    "shortvideo": Kind.PHOTO,
    "location": Kind.LOCATION,
    "file": Kind.FILE,
    "link": Kind.OTHER,
}


def event_from_message(msg: dict[str, str], at: datetime) -> Incoming | None:
    """The core event for a WeChat message, or None for events nobody should answer."""
    common = dict(channel=CHANNEL, user_id=msg["FromUserName"], at=at, ref=log_ref(msg), key=dedupe_key(msg))
    msg_type = msg.get("MsgType", "")
    if msg_type == "text":
        return Incoming(kind=Kind.TEXT, text=msg.get("Content", ""), **common)
    if msg_type == "event":
        event = msg.get("Event", "").lower()
        if event == "subscribe":
            return Incoming(kind=Kind.TEXT, text="/start", **common)
        if event == "click":
            return Incoming(kind=Kind.BUTTON, payload=msg.get("EventKey", ""), **common)
        # unsubscribe, VIEW, automatic LOCATION reports, SCAN ...: nothing to say.
        return None
    return Incoming(kind=_MESSAGE_KINDS.get(msg_type, Kind.OTHER), **common)


def log_ref(msg: dict[str, str]) -> str:
    """Names a message in log lines without the person's openid."""
    return msg.get("MsgId") or f"{msg.get('Event', '?')}@{msg.get('CreateTime', '?')}"


def dedupe_key(msg: dict[str, str]) -> str:
    if msg.get("MsgId"):
        return f"msg:{msg['MsgId']}"
    # WeChat's advice is sender + CreateTime; the event and key keep two taps in one second apart.
    parts = (msg.get(name, "") for name in ("FromUserName", "CreateTime", "Event", "EventKey"))
    return "event:" + ":".join(parts)


@dataclass
class _Turn:
    """One incoming message and the answer its first copy gave (for WeChat's retries)."""

    key: str
    seen_at: float
    answer: asyncio.Future[str | None]  # the passive reply's text, or None: "success"


@dataclass
class RecentTurns:
    """Message ids seen lately, bounded in time and number."""

    window: float = REPLAY_WINDOW_SECONDS
    limit: int = MAX_REMEMBERED
    clock: Callable[[], float] = time.monotonic
    _turns: OrderedDict[str, _Turn] = field(default_factory=OrderedDict)

    def get(self, key: str) -> _Turn | None:
        self._prune()
        return self._turns.get(key)

    def add(self, turn: _Turn) -> None:
        self._turns[turn.key] = turn
        self._prune()

    def forget(self, key: str) -> None:
        self._turns.pop(key, None)

    def __len__(self) -> int:
        return len(self._turns)

    def _prune(self) -> None:
        oldest_kept = self.clock() - self.window
        while self._turns:
            first = next(iter(self._turns.values()))
            if len(self._turns) <= self.limit and first.seen_at >= oldest_kept:
                break
            self._turns.popitem(last=False)


class InOrder:
    """Each person's messages heard and handled in the order they arrived: a voice note is
    transcribed before the dialogue's own lock is taken, so a short note sent after a long one
    would otherwise be handled first. asyncio.Lock wakes its waiters first come, first served."""

    def __init__(self) -> None:
        self._people: dict[str, tuple[asyncio.Lock, list[int]]] = {}

    @contextlib.asynccontextmanager
    async def turn(self, user_id: str) -> AsyncIterator[None]:
        lock, waiting = self._people.setdefault(user_id, (asyncio.Lock(), [0]))
        waiting[0] += 1
        try:
            async with lock:
                yield
        finally:
            waiting[0] -= 1
            if not waiting[0]:  # nobody else in line: nothing kept per person
                del self._people[user_id]

    def __len__(self) -> int:
        return len(self._people)
