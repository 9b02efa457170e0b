"""A fault injected once: the call fails the way a busy database or a crash would, then works again."""

from __future__ import annotations


def fail_once(monkeypatch, owner: object, name: str, error: Exception) -> None:
    """`owner.name` (a coroutine method) raises `error` on its next call, then is itself again."""
    original = getattr(owner, name)

    async def failing(*args, **kwargs):
        monkeypatch.setattr(owner, name, original)
        raise error

    monkeypatch.setattr(owner, name, failing)
