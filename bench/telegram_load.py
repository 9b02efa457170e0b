"""Simulated Telegram users for the bench: a timed fake Bot API and people who wait for each answer.

Each person follows SCRIPT from their own starting point (menu labels, inline buttons, questions
from tests/data/faq_devset.yaml, the eligibility questionnaire), one turn at a time: the next
message is sent when the last turn is over (closed loop). Two latencies per turn, both from
pushing the update into the fake: to the bot's first message for that chat, and to the end of
the turn (our turns end with the message that carries the turn's buttons; an echo turn is its
one message).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.procs import percentile

DEVSET = Path(__file__).resolve().parents[1] / "tests" / "data" / "faq_devset.yaml"
FIRST_USER = 100_001

SCRIPT: tuple[tuple[str, str], ...] = (
    ("text", "/start"),
    ("text", "问政策"),  # the persistent menu keyboard sends its label as text
    ("tap", ""),  # a suggested question
    ("faq", ""),  # a question typed from the development set
    ("text", "查资格"),
    ("tap", ""), ("tap", ""), ("tap", ""), ("tap", ""), ("tap", ""), ("tap", ""),
)
# Which inline button a simulated person taps when the message offers it.
PREFERRED_TAPS = ("重新开始", "我本人", "80岁及以上", "柯城区", "好了", "没办过", "看结果")
NOT_TAPPED = ("返回菜单", "上一步")
Taps = dict[tuple[int, int], bool]  # (user id, script step) → ours had a button to press there


def timed_fake():
    """A FakeBotApi that notes when each bot message arrives and wakes whoever waits for that chat."""
    from tests.auxil.fake_bot_api import FakeBotApi

    class TimedFakeBotApi(FakeBotApi):
        def __init__(self) -> None:
            super().__init__()
            self._chat_waiters: dict[Any, asyncio.Future[None]] = {}

        def _record_sent(self, method, params, content, token, document=None):
            message = super()._record_sent(method, params, content, token, document)
            sent = self._sent[message["chat"]["id"]][-1]
            sent.arrived = time.perf_counter()  # type: ignore[attr-defined]
            waiter = self._chat_waiters.pop(message["chat"]["id"], None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
            return message

        async def wait_for_chat(self, chat_id: int, predicate: Callable[[], bool], timeout: float) -> bool:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while not predicate():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                waiter = self._chat_waiters.get(chat_id)
                if waiter is None or waiter.done():
                    waiter = self._chat_waiters[chat_id] = loop.create_future()
                try:
                    await asyncio.wait_for(asyncio.shield(waiter), remaining)
                except TimeoutError:
                    return predicate()
            return True

    return TimedFakeBotApi()


def devset_questions() -> list[str]:
    data = yaml.safe_load(DEVSET.read_text(encoding="utf-8"))
    questions = [item["q"] for item in data["in_scope"]] + [item["q"] for item in data["out_of_scope"]]
    random.Random(7).shuffle(questions)
    return questions


@dataclass
class Stats:
    """One measured phase: every recorded turn's two latencies and what the bot did meanwhile."""

    first_ms: list[float] = field(default_factory=list)
    end_ms: list[float] = field(default_factory=list)
    updates: int = 0
    stalls: int = 0
    messages_sent: int = 0
    started: float = 0.0
    finished: float = 0.0
    bot_cpu_s: float = 0.0
    api_calls: int = 0  # Bot API requests during the phase other than getUpdates

    @property
    def seconds(self) -> float:
        return max(self.finished - self.started, 1e-9)

    def summary(self) -> dict[str, Any]:
        n = self.updates or 1
        return {
            "updates": self.updates,
            "seconds": round(self.seconds, 2),
            "updates_per_s": round(self.updates / self.seconds, 1),
            "first_p50_ms": round(percentile(self.first_ms, 0.50), 1),
            "first_p99_ms": round(percentile(self.first_ms, 0.99), 1),
            "end_p50_ms": round(percentile(self.end_ms, 0.50), 1),
            "end_p99_ms": round(percentile(self.end_ms, 0.99), 1),
            "messages_per_update": round(self.messages_sent / n, 2),
            "bot_cpu_ms_per_update": round(self.bot_cpu_s * 1000 / n, 2),
            "calls_per_update": round(self.api_calls / n, 2),
            "stalls": self.stalls,
        }


class Person:
    """One simulated user: follows SCRIPT from their own starting point, one turn at a time."""

    def __init__(self, api, user_id: int, echo: bool, questions: list[str], start: int, taps: Taps):
        self.api = api
        self.user_id = user_id
        self.echo = echo
        self.questions = questions
        self.step = start
        self.taps = taps

    def _push(self) -> None:
        kind, text = SCRIPT[self.step % len(SCRIPT)]
        self.step += 1
        if kind == "faq":
            kind, text = "text", self.questions[(self.user_id * 7 + self.step) % len(self.questions)]
        if kind == "tap":
            if self._tap():
                return
            kind, text = "text", "/start"  # nothing to tap (or ours had nothing here): start over
        self.api.push_text(self.user_id, text)

    def _tap(self) -> bool:
        sent = self.api.sent(self.user_id)
        key = (self.user_id, self.step)
        if self.echo:
            # Echo messages carry no buttons: press one on the last message anyway, where ours was pressed.
            if not sent or not self.taps.get(key, True):
                return False
            self.api.push_callback(self.user_id, "tap", message_id=sent[-1].message_id, check_button=False)
            return True
        for message in reversed(sent[-3:]):
            labels = [b["text"] for b in message.inline_buttons if "callback_data" in b]
            if labels:
                label = next((p for p in PREFERRED_TAPS if p in labels), None)
                label = label or next((lb for lb in labels if lb not in NOT_TAPPED), labels[0])
                self.api.push_button(self.user_id, label, message_id=message.message_id)
                self.taps[key] = True
                return True
        self.taps[key] = False
        return False

    def _turn_done(self, before: int) -> Callable[[], bool]:
        def done() -> bool:
            sent = self.api.sent(self.user_id)
            return len(sent) > before and (self.echo or sent[-1].reply_markup is not None)
        return done

    async def turn(self, stats: Stats | None, timeout: float) -> None:
        """One turn; recorded in `stats` unless it is None (warm-up)."""
        before = len(self.api.sent(self.user_id))
        pushed = time.perf_counter()
        self._push()
        finished = await self.api.wait_for_chat(self.user_id, self._turn_done(before), timeout)
        if stats is None:
            return
        sent = self.api.sent(self.user_id)
        stats.updates += 1
        stats.messages_sent += len(sent) - before
        if len(sent) > before:
            stats.first_ms.append((sent[before].arrived - pushed) * 1000)
        if finished:
            stats.end_ms.append((sent[-1].arrived - pushed) * 1000)
        else:
            stats.stalls += 1


def people(api, users: int, echo: bool, taps: Taps) -> list[Person]:
    """Each person starts at their own point of the script, so every phase mixes all steps.

    `taps` is where ours had a button to press, step by step: ours records it, the echo bot's
    people follow it, so both bots get the same updates (a button where ours had one, else /start).
    """
    questions = devset_questions()
    offsets = random.Random(11)
    return [Person(api, FIRST_USER + i, echo, questions, offsets.randrange(len(SCRIPT)), taps) for i in range(users)]


async def closed_loop(crowd: list[Person], turns: int, timeout: float, record: bool = True) -> Stats:
    """Every person takes `turns` turns, each as soon as the last one ended."""
    stats = Stats()

    async def run(person: Person) -> None:
        for _ in range(turns):
            await person.turn(stats if record else None, timeout)

    stats.started = time.perf_counter()
    await asyncio.gather(*(run(p) for p in crowd))
    stats.finished = time.perf_counter()
    return stats
