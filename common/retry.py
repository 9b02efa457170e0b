"""One retry policy for every channel: capped exponential back-off with jitter.

What counts as worth retrying is the caller's to say (`Verdict`): a Telegram 5xx is, a bad
token is not, and a 429 names its own wait. Jitter keeps many restarted processes (or many
failed sends) from retrying in step.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)

# The caller's verdict on a failure: False to give up (the error is raised), True to wait the
# policy's back-off, or a number of seconds the server asked for (Telegram's retry_after).
Verdict = Callable[[Exception], bool | float]
Sleep = Callable[[float], Awaitable[object]]


@dataclass(frozen=True)
class Backoff:
    """Waits of first, first*factor, ... up to cap, each shortened by up to `jitter` of itself."""

    first: float = 1.0
    factor: float = 2.0
    cap: float = 30.0
    jitter: float = 0.2
    retries: int | None = None  # None: until it succeeds or the verdict says stop

    def delay(self, retry: int, rand: Callable[[], float] = random.random) -> float:
        """The wait before retry number `retry` (0 for the first retry)."""
        base = min(self.cap, self.first * self.factor**retry)
        return base * (1 - self.jitter * rand())


async def retrying(
    action: Callable[[], Awaitable[T]],
    verdict: Verdict,
    policy: Backoff,
    what: str,
    *,
    sleep: Sleep = asyncio.sleep,
) -> T:
    """Await `action()` until it succeeds, the verdict refuses, or the retries run out."""
    retry = 0
    while True:
        try:
            return await action()
        except Exception as exc:
            decision = verdict(exc)
            if decision is False or (policy.retries is not None and retry >= policy.retries):
                raise
            pause = policy.delay(retry) if decision is True else float(decision)
            retry += 1
            log.warning("%s failed (%s: %s); retry %d in %.1f s", what, type(exc).__name__, exc, retry, pause)
            await sleep(pause)
