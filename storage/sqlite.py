"""SQLite: one connection with WAL, foreign keys, a busy timeout and ordered migrations.

Statements run on the event loop's own thread: a turn's few statements take tens of microseconds,
less than one hand-off to a worker thread and back (a thread switch, the GIL, a wake-up of the loop),
which cost more CPU than the turn's SQL. The loop must never wait for a lock, though: there the
connection's busy timeout is zero, and a statement that finds the file locked by another process (a
CLI command, a test holding it) is not begun here but sent to aiosqlite's connection thread, which
waits up to BUSY_TIMEOUT_MS with the loop free. One lock (`_using`) keeps the two from using the
connection at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from storage.db import (
    Database,
    IntegrityError,
    Plan,
    Queries,
    Row,
    SchemaError,
    Statement,
    UniqueViolation,
    advance,
    migration_scripts,
)

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000


def _create_private(path: Path) -> None:
    # Personal data lives in this file: only the service account may read it (or list the folder).
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    # O_NOFOLLOW: a link planted where the file (or a backup) goes is refused, not written through.
    fd = os.open(path, os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _ours(exc: sqlite3.IntegrityError) -> IntegrityError:
    # The extended result code, not the message: SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY.
    if getattr(exc, "sqlite_errorname", "") in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"):
        return UniqueViolation(str(exc))
    return IntegrityError(str(exc))


class _Busy(Exception):
    """Another process holds the file's lock, and nothing was done yet: the call may go to the thread."""


def _locked_out(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY


def _statement(conn: sqlite3.Connection, step: Statement) -> Any:
    """One statement, its rows or the number of rows it changed."""
    # try/except rather than a context manager: this runs for every statement, several per request.
    try:
        outside = not conn.in_transaction  # read before: SQLite may end a transaction on BUSY itself
        try:
            cur = conn.execute(step.sql, step.args)
        except sqlite3.OperationalError as exc:
            # Outside a transaction a statement refused for a lock did nothing: it may be tried again.
            # Inside one, earlier statements ran: retrying would run them twice.
            if _locked_out(exc) and outside:
                raise _Busy from exc
            raise
        try:
            return cur.fetchall() if step.rows else cur.rowcount
        finally:
            cur.close()
    except sqlite3.IntegrityError as exc:
        raise _ours(exc) from exc


def _plan(conn: sqlite3.Connection, plan: Plan[T]) -> T:
    step, value = advance(plan)
    while step is not None:
        step, value = advance(plan, _statement(conn, step))
    return value


def _transaction(conn: sqlite3.Connection, plan: Plan[T]) -> T:
    """BEGIN IMMEDIATE, the plan, COMMIT, all in one call. Once BEGIN IMMEDIATE holds the write lock,
    WAL mode asks for no other lock up to COMMIT: only BEGIN can find the file locked, before the plan
    has run at all, so a plan is never run twice."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if _locked_out(exc):
            raise _Busy from exc
        raise
    try:
        value = _plan(conn, plan)
        try:
            conn.execute("COMMIT")  # may fail too (a deferred constraint, a full disk)
        except sqlite3.IntegrityError as exc:
            raise _ours(exc) from exc
    except BaseException:
        if conn.in_transaction:  # SQLite ends a transaction itself on some errors
            conn.execute("ROLLBACK")
        raise
    return value


def _backup(conn: sqlite3.Connection, target: Path) -> None:
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()


class _Connection(Queries):
    """Each call is one call on the connection (not one per cursor step): here, or on its thread."""

    def __init__(self, db: SQLiteDatabase):
        self._db = db

    async def fetchall(self, sql: str, *args: object) -> list[Row]:
        return await self._db._call(_statement, Statement(sql, args, True))

    async def execute(self, sql: str, *args: object) -> int:
        return await self._db._call(_statement, Statement(sql, args, False))

    async def run(self, plan: Plan[T]) -> T:
        return await self._db._call(_plan, plan)


class SQLiteDatabase(_Connection, Database):
    kind = "sqlite"

    def __init__(self, path: Path | str):
        super().__init__(self)
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        self._conn: aiosqlite.Connection | None = None
        # One connection cannot interleave two transactions, so writers queue here.
        self._write_lock = asyncio.Lock()
        # Held by whoever is using the connection: the loop (never waiting for it) or the thread.
        self._using = threading.Lock()

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("database is not open")
        return self._conn

    def _here(self, fn: Callable[..., T], *args: object) -> tuple[bool, T | None]:
        """(True, fn(connection, *args)) run here at once, or (False, None) with nothing done: the
        connection is in use on its thread, or another process holds the file's lock."""
        if not self._using.acquire(blocking=False):
            return False, None
        try:
            return True, fn(self.conn._conn, *args)
        except _Busy:
            return False, None
        finally:
            self._using.release()

    async def _call(self, fn: Callable[..., T], *args: object) -> T:
        done, value = self._here(fn, *args)
        return value if done else await self._on_thread(fn, *args)  # type: ignore[return-value]

    async def _on_thread(self, fn: Callable[..., T], *args: object) -> T:
        # aiosqlite runs every call as a function queued to its connection's thread; `_execute` is how
        # it queues one (its own execute/commit go through it), so a whole plan runs in one hand-off.
        conn = self.conn
        return await conn._execute(self._patiently, fn, conn._conn, *args)

    def _patiently(self, fn: Callable[..., T], raw: sqlite3.Connection, *args: object) -> T:
        """On the thread: fn with the busy timeout (the loop is not waiting), the connection ours meanwhile."""
        with self._using:
            raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            try:
                return fn(raw, *args)
            except _Busy as busy:  # locked for the whole timeout
                raise busy.__cause__ from None
            finally:
                raw.execute("PRAGMA busy_timeout=0")

    async def open(self) -> None:
        if str(self.path) != ":memory:":
            _create_private(self.path)
        # isolation_level=None: we issue BEGIN ourselves, so we choose IMMEDIATE where it matters.
        # check_same_thread=False: the loop's thread and aiosqlite's take turns (`_using`).
        self._conn = await aiosqlite.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            self._conn.row_factory = aiosqlite.Row
            await self.fetchall("PRAGMA journal_mode=WAL")
            await self._conn.execute("PRAGMA foreign_keys=ON")
            await self._conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # starting up: nothing to keep free
            await self._conn.execute("PRAGMA synchronous=NORMAL")
            # Deleted personal data is overwritten with zeros, not left in free pages.
            await self._conn.execute("PRAGMA secure_delete=ON")
            await self.migrate()
            await self._conn.execute("PRAGMA busy_timeout=0")  # from now on the loop never waits (`_here`)
        except BaseException:
            # aiosqlite's worker thread would keep the process alive: close it, then fail.
            await self.close()
            raise

    async def close(self) -> None:
        if self._conn is not None:
            # Forgotten before the await: a call made while the thread closes it would run on the
            # loop against a connection being closed under it (a crash in sqlite3, not an error).
            # Now it fails at once ("not open"); calls already queued to the thread run first.
            conn, self._conn = self._conn, None
            await conn.close()

    async def schema_version(self) -> int:
        return int(await self.fetchval("PRAGMA user_version"))

    async def migrate(self) -> int:
        """Apply every migration newer than PRAGMA user_version, each file whole in one transaction.

        SQLite parses the script itself (string literals, comments, trigger bodies): no splitter of ours.
        """
        current = await self.schema_version()
        scripts = migration_scripts()
        if current > len(scripts):
            raise SchemaError(f"database {self.path} is at schema version {current}, newer than this"
                              f" version of the bot knows ({len(scripts)}): upgrade the bot, or restore a backup")
        for version, sql in scripts:
            if version <= current:
                continue
            async with self._write_lock:
                try:
                    await self.conn.executescript(
                        f"BEGIN IMMEDIATE;\n{sql}\n;PRAGMA user_version={version};\nCOMMIT;"
                    )
                except BaseException:
                    if self.conn.in_transaction:
                        await self.conn.execute("ROLLBACK")
                    raise
            current = version
        return current

    async def tables(self) -> list[str]:
        rows = await self.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'"
                                   " AND name NOT LIKE 'sqlite_%' ORDER BY rowid")
        return [r["name"] for r in rows]

    async def execute(self, sql: str, *args: object) -> int:
        """A statement on its own. It waits for an open transaction() to end: on this one connection
        it would otherwise run inside it, and go with it if it rolled back."""
        async with self._write_lock:
            return await self._control(sql, *args)

    async def _control(self, sql: str, *args: object) -> int:
        return await self._call(_statement, Statement(sql, args, False))

    @contextlib.asynccontextmanager
    async def transaction(self, lock: str | None = None) -> AsyncIterator[Queries]:
        """BEGIN IMMEDIATE … COMMIT: takes the write lock up front, so read-then-write is atomic
        (whatever `lock` names: one writer at a time is already the strictest order)."""
        async with self._write_lock:
            begin = asyncio.ensure_future(self._control("BEGIN IMMEDIATE"))
            try:
                await asyncio.shield(begin)
            except asyncio.CancelledError:  # cancelled while BEGIN ran: never leave the connection inside it
                with contextlib.suppress(Exception):
                    await begin
                    await self._control("ROLLBACK")
                raise
            try:
                yield _Connection(self)
                await self._control("COMMIT")  # may fail too: never leave the connection inside it
            except BaseException:
                if self.conn.in_transaction:
                    await self._control("ROLLBACK")
                raise

    async def transact(self, plan: Plan[T], lock: str | None = None) -> T:
        """The plan in BEGIN IMMEDIATE … COMMIT, in one call: here, or on the thread if it must wait."""
        async with self._write_lock:
            done, value = self._here(_transaction, plan)
            if done:
                return value  # type: ignore[return-value]
            job = asyncio.ensure_future(self._on_thread(_transaction, plan))
            try:
                return await asyncio.shield(job)
            except asyncio.CancelledError:  # the thread finishes it anyway: hold the lock until it has
                with contextlib.suppress(Exception):
                    await job
                raise

    @contextlib.asynccontextmanager
    async def serialised(self, name: str) -> AsyncIterator[None]:
        yield

    async def checkpoint(self) -> None:
        """Fold the write-ahead log into the main file and empty it (after deleting personal data,
        so the deleted values do not linger in legalaid.sqlite3-wal)."""
        async with self._write_lock:  # on the thread: it waits for readers, with the loop free
            await self._on_thread(_statement, Statement("PRAGMA wal_checkpoint(TRUNCATE)", (), True))

    async def backup(self, target: Path | str) -> None:
        """Online backup with SQLite's backup API: consistent while the bot keeps running."""
        target = Path(target)
        _create_private(target)
        await self._on_thread(_backup, target)
