"""Counting a process's trips to the database: the outermost calls on a `Database` (a call made
inside another, such as PostgreSQL's transaction inside `transact`, counts once) and, on SQLite,
the hand-offs to aiosqlite's connection thread, each a thread switch and a wake-up of the loop (made
only when a call must wait for another process's lock: storage/sqlite.py)."""

from __future__ import annotations

import contextlib
import functools
from contextvars import ContextVar

CALLS = ("fetchall", "fetchone", "fetchval", "execute", "run", "transact")


class Trips:
    """Counts the outermost calls on a Database, and (SQLite) the hand-offs to its thread."""

    def __init__(self, db):
        self.calls: list[str] = []
        self.handoffs = 0
        self._depth: ContextVar[int] = ContextVar("depth", default=0)  # per task: tasks interleave
        for name in CALLS:
            setattr(db, name, self._counted(name, getattr(db, name)))
        db.transaction = self._counted_context(db.transaction)
        conn = getattr(db, "_conn", None)
        if conn is not None:  # aiosqlite: every hand-off to the connection's thread goes through _execute
            queue = conn._execute

            async def handoff(*args, **kwargs):
                self.handoffs += 1
                return await queue(*args, **kwargs)

            conn._execute = handoff

    def _counted(self, name, method):
        @functools.wraps(method)
        async def counted(*args, **kwargs):
            if not self._depth.get():
                self.calls.append(name)
            token = self._depth.set(self._depth.get() + 1)
            try:
                return await method(*args, **kwargs)
            finally:
                self._depth.reset(token)

        return counted

    def _counted_context(self, method):
        @contextlib.asynccontextmanager
        async def counted(*args, **kwargs):
            if not self._depth.get():
                self.calls.append("transaction")
            token = self._depth.set(self._depth.get() + 1)
            try:
                async with method(*args, **kwargs) as tx:
                    yield tx
            finally:
                self._depth.reset(token)

        return counted

    def reset(self) -> None:
        self.calls.clear()
        self.handoffs = 0
