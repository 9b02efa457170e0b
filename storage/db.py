"""The storage interface: one `Database` over SQLite (the default) or PostgreSQL, chosen by URL.

The stores write SQL once, with `?` placeholders, and see rows as mappings (`row["col"]`); the two
backends differ only below this interface (storage/sqlite.py, storage/postgres.py).
"""

from __future__ import annotations

import contextlib
import hashlib
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Generator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

Row = Mapping[str, Any]
T = TypeVar("T")


@dataclass(frozen=True)
class Statement:
    """One statement of a plan: `rows` says whether the plan is sent back its rows or the number changed."""

    sql: str
    args: tuple[object, ...]
    rows: bool


def rows(sql: str, *args: object) -> Statement:
    return Statement(sql, args, True)


def changes(sql: str, *args: object) -> Statement:
    return Statement(sql, args, False)


# A plan: a generator that yields Statements, is sent each one's result (rows, or the number of rows
# changed) and returns its own. Written once, it runs whole on either backend in one trip: on SQLite as
# one call on the connection's thread, on PostgreSQL as one transaction on one connection. A turn's
# save costs one hand-off to the database instead of one per statement.
Plan = Generator[Statement, Any, T]


def single(step: Statement) -> Plan[Any]:
    """A plan of one statement (a write that needs no read first: one trip, in a transaction)."""
    return (yield step)


def advance(plan: Plan[T], result: Any = None) -> tuple[Statement | None, T | None]:
    """Send a plan the last statement's result: its next statement, or None and what it returned.
    A statement that fails ends the plan (its transaction rolls back)."""
    try:
        return plan.send(result), None
    except StopIteration as done:
        return None, done.value


def stored_time(at: datetime) -> str:
    """UTC ISO 8601 to the second: stored times compare correctly as text whatever zone the caller used."""
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"times must be timezone-aware, got {at!r}")
    return at.astimezone(timezone.utc).isoformat(timespec="seconds")


def _scripts(folder: str) -> dict[int, str]:
    scripts = {}
    for entry in (resources.files("storage") / folder).iterdir():
        if entry.name.endswith(".sql"):
            scripts[int(entry.name.split("_", 1)[0])] = entry.read_text(encoding="utf-8")
    return scripts


def migration_scripts(dialect: str | None = None) -> list[tuple[int, str]]:
    """(version, sql) for every file in storage/migrations, in version order. With `dialect`
    ("migrations_pg"), a file of the same number there replaces one that is not portable as written."""
    scripts = _scripts("migrations")
    versions = sorted(scripts)
    if versions != list(range(1, len(versions) + 1)):
        raise RuntimeError(f"migration versions must be 1..N without gaps: {versions}")
    if dialect is not None:
        replacing = _scripts(dialect)
        if not set(replacing) <= set(scripts):
            raise RuntimeError(f"{dialect} has versions with no migration to replace: {sorted(set(replacing) - set(scripts))}")
        scripts.update(replacing)
    return sorted(scripts.items())


def lock_key(name: str) -> int:
    """A stable signed 64-bit number for a lock's name (PostgreSQL advisory locks take a bigint)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


class SchemaError(RuntimeError):
    """The database was written by a newer version of the bot: refuse rather than guess."""


class IntegrityError(Exception):
    """A constraint refused the write (a check, a foreign key, the append-only ledger …), on either backend."""


class UniqueViolation(IntegrityError):
    """A unique constraint or index refused the write: the same thing on SQLite and PostgreSQL."""


class Queries(ABC):
    """What a store may do, outside a transaction (autocommit) or inside one."""

    @abstractmethod
    async def fetchall(self, sql: str, *args: object) -> list[Row]: ...

    @abstractmethod
    async def execute(self, sql: str, *args: object) -> int:
        """Run one statement; the number of rows it changed."""

    async def fetchone(self, sql: str, *args: object) -> Row | None:
        rows = await self.fetchall(sql, *args)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, *args: object) -> Any:
        row = await self.fetchone(sql, *args)
        return None if row is None else row[0]

    async def run(self, plan: Plan[T]) -> T:
        """A plan's statements, here (inside the caller's transaction, if any); its result."""
        step, value = advance(plan)
        while step is not None:
            step, value = advance(plan, await (self.fetchall if step.rows else self.execute)(step.sql, *step.args))
        return value


class Database(Queries):
    """Owns the connection(s). Reads run freely; read-modify-write goes through `transaction()`."""

    kind: str  # "sqlite" | "postgresql"
    url: str

    @abstractmethod
    async def open(self) -> None:
        """Connect and apply pending migrations."""

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def transaction(self, lock: str | None = None) -> contextlib.AbstractAsyncContextManager[Queries]:
        """All or nothing. `lock` names what the transaction reads before it writes (e.g. "bookings"):
        transactions with the same name run one after the other, in every process."""

    async def transact(self, plan: Plan[T], lock: str | None = None) -> T:
        """A plan in one transaction (`lock` as for `transaction`), in one trip to the database."""
        async with self.transaction(lock) as tx:
            return await tx.run(plan)

    @abstractmethod
    def serialised(self, name: str) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold `name` across several transactions (one person's turn): every process waits its turn.
        SQLite: a no-op, one process owns the file and its callers keep their own in-memory lock."""

    @abstractmethod
    async def schema_version(self) -> int: ...

    @abstractmethod
    async def migrate(self) -> int: ...

    @abstractmethod
    async def tables(self) -> list[str]:
        """The application's tables (not the migrations' bookkeeping), in creation order."""

    @abstractmethod
    async def backup(self, target: Path | str) -> None: ...

    async def checkpoint(self) -> None:
        """Make deleted personal data leave the disk's logs as well (SQLite's write-ahead log)."""

    async def copy_rows(self, table: str, columns: Sequence[str], rows: list[Sequence[object]]) -> None:
        """Insert rows as they are (ids included), for `legalaid db copy`."""
        marks = ", ".join("?" for _ in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        async with self.transaction() as tx:
            for row in rows:
                await tx.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', *row)

    async def after_copy(self) -> None:
        """Put id counters past the copied rows (PostgreSQL's identity columns)."""


def database_for(url: str) -> Database:
    """An unopened database for `sqlite:///path` or `postgresql://…`."""
    if url.startswith(("postgresql://", "postgres://")):
        from storage.postgres import PostgresDatabase

        return PostgresDatabase(url)
    if url.startswith("sqlite:///"):
        from storage.sqlite import SQLiteDatabase

        return SQLiteDatabase(url.removeprefix("sqlite:///"))
    raise ValueError("a database URL starts with sqlite:/// or postgresql://")


@contextlib.asynccontextmanager
async def opened(url: str) -> AsyncIterator[Database]:
    db = database_for(url)
    await db.open()
    try:
        yield db
    finally:
        await db.close()
