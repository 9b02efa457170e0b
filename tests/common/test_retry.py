"""The one retry policy: capped exponential back-off with jitter; the caller says what is retryable."""

from __future__ import annotations

import pytest

from common.retry import Backoff, retrying


class Flaky:
    """Fails with the given errors in turn, then returns "done"."""

    def __init__(self, *errors: Exception):
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


class Sleeps(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_waits_grow_by_the_factor_up_to_the_cap():
    policy = Backoff(first=1, factor=2, cap=5, jitter=0)
    assert [policy.delay(n) for n in range(5)] == [1, 2, 4, 5, 5]


def test_jitter_only_shortens_a_wait():
    policy = Backoff(first=4, factor=2, cap=30, jitter=0.25)
    assert policy.delay(0, rand=lambda: 0.0) == 4
    assert policy.delay(0, rand=lambda: 1.0) == 3


async def test_retryable_failures_are_retried_with_back_off():
    action, sleeps = Flaky(OSError("down"), OSError("down")), Sleeps()
    result = await retrying(action, lambda exc: True, Backoff(first=1, jitter=0), "call", sleep=sleeps)
    assert result == "done" and action.calls == 3
    assert sleeps == [1, 2]


async def test_a_failure_the_caller_calls_permanent_is_raised_at_once():
    action, sleeps = Flaky(ValueError("bad token")), Sleeps()
    with pytest.raises(ValueError):
        await retrying(action, lambda exc: isinstance(exc, OSError), Backoff(), "call", sleep=sleeps)
    assert action.calls == 1 and sleeps == []


async def test_a_wait_named_by_the_server_is_used_instead_of_the_back_off():
    action, sleeps = Flaky(OSError("429")), Sleeps()
    await retrying(action, lambda exc: 7.5, Backoff(first=1, jitter=0), "call", sleep=sleeps)
    assert sleeps == [7.5]


async def test_the_last_failure_is_raised_when_the_retries_run_out():
    action, sleeps = Flaky(OSError("1"), OSError("2"), OSError("3")), Sleeps()
    with pytest.raises(OSError, match="3"):
        await retrying(action, lambda exc: True, Backoff(first=1, jitter=0, retries=2), "call", sleep=sleeps)
    assert action.calls == 3 and sleeps == [1, 2]
