"""PostgreSQL (asyncpg): a pool, advisory locks for what must happen one at a time in every
process, and migrations from storage/migrations_pg that mirror SQLite's (tests/storage/test_schema.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Sequence
from contextvars import ContextVar
from pathlib import Path

import asyncpg

from storage.db import (
    Database,
    IntegrityError,
    Queries,
    Row,
    SchemaError,
    UniqueViolation,
    lock_key,
    migration_scripts,
)
from storage.sql import numbered, rowcount

POOL_SIZE = 10
# The migrations' own bookkeeping: not an application table (left out of copies and comparisons).
VERSION_TABLE = "legalaid_schema"


@contextlib.contextmanager
def _our_errors():
    try:
        yield
    except asyncpg.UniqueViolationError as exc:
        raise UniqueViolation(str(exc)) from exc
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise IntegrityError(str(exc)) from exc


class _Connection(Queries):
    def __init__(self, conn: asyncpg.Connection):
        self._conn = conn

    async def fetchall(self, sql: str, *args: object) -> list[Row]:
        with _our_errors():
            return await self._conn.fetch(numbered(sql), *args)

    async def execute(self, sql: str, *args: object) -> int:
        with _our_errors():
            return rowcount(await self._conn.execute(numbered(sql), *args))


class PostgresDatabase(Database):
    kind = "postgresql"

    def __init__(self, url: str):
        self.url = url
        self._pool: asyncpg.Pool | None = None
        # The connection holding this task's `serialised` lock: the turn's queries run on it, so a
        # turn never needs a second connection while it holds one (no pool deadlock).
        self._held: ContextVar[asyncpg.Connection | None] = ContextVar(f"held-{id(self)}", default=None)

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("database is not open")
        return self._pool

    async def open(self) -> None:
        self._pool = await asyncpg.create_pool(self.url, min_size=1, max_size=POOL_SIZE)
        try:
            await self.migrate()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        held = self._held.get()
        if held is not None:
            yield held
            return
        async with self.pool.acquire() as conn:
            yield conn

    async def fetchall(self, sql: str, *args: object) -> list[Row]:
        async with self._connection() as conn:
            return await _Connection(conn).fetchall(sql, *args)

    async def execute(self, sql: str, *args: object) -> int:
        async with self._connection() as conn:
            return await _Connection(conn).execute(sql, *args)

    @contextlib.asynccontextmanager
    async def transaction(self, lock: str | None = None) -> AsyncIterator[Queries]:
        async with self._connection() as conn:
            with _our_errors():
                async with conn.transaction():
                    if lock is not None:
                        # Released at COMMIT or ROLLBACK, whatever happens to this process.
                        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(lock))
                    yield _Connection(conn)

    @contextlib.asynccontextmanager
    async def serialised(self, name: str) -> AsyncIterator[None]:
        if self._held.get() is not None:
            yield  # already inside a serialised section of this task
            return
        async with self.pool.acquire() as conn:
            key = lock_key(name)
            await conn.execute("SELECT pg_advisory_lock($1)", key)
            token = self._held.set(conn)
            try:
                yield
            finally:
                self._held.reset(token)
                try:
                    await conn.execute("SELECT pg_advisory_unlock($1)", key)
                except BaseException:
                    conn.terminate()  # a dead session releases its locks; never pool a held one
                    raise

    async def schema_version(self) -> int:
        async with self._connection() as conn:
            return await _version(conn)

    async def migrate(self) -> int:
        """Each file in one transaction, under an advisory lock: processes starting together
        apply every migration once."""
        scripts = migration_scripts("migrations_pg")
        current = 0
        for version, sql in [(0, ""), *scripts]:
            async with self.pool.acquire() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key("migrate"))
                await conn.execute(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version integer NOT NULL)")
                current = await _version(conn)
                if current > len(scripts):
                    raise SchemaError(f"database is at schema version {current}, newer than this version of"
                                      f" the bot knows ({len(scripts)}): upgrade the bot, or restore a backup")
                if 0 < version and current < version:
                    await conn.execute(sql)
                    await conn.execute(f"INSERT INTO {VERSION_TABLE} (version) VALUES ($1)", version)
                    current = version
        return current

    async def tables(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind = 'r' AND n.nspname = current_schema() AND c.relname <> ? ORDER BY c.oid",
            VERSION_TABLE,
        )
        return [r["name"] for r in rows]

    async def backup(self, target: Path | str) -> None:
        """pg_dump's custom format (restore with pg_restore): consistent while the bots keep running."""
        target = Path(target)
        fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        os.close(fd)
        proc = await asyncio.create_subprocess_exec(
            "pg_dump", "--format=custom", f"--file={target}", f"--dbname={self.url}",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        _, err = await proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"pg_dump failed: {err.decode(errors='replace').strip()[:300]}")

    async def copy_rows(self, table: str, columns: Sequence[str], rows: list[Sequence[object]]) -> None:
        async with self.pool.acquire() as conn:
            await conn.copy_records_to_table(table, records=[tuple(r) for r in rows], columns=list(columns))

    async def after_copy(self) -> None:
        identities = await self.fetchall(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND column_name = 'id' AND is_identity = 'YES'")
        for row in identities:
            table = row["table_name"]
            await self.fetchval(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'),"
                                f" COALESCE(MAX(id), 0) + 1, false) FROM \"{table}\"")


async def _version(conn: asyncpg.Connection) -> int:
    exists = await conn.fetchval("SELECT to_regclass($1)", VERSION_TABLE)
    if exists is None:
        return 0
    return int(await conn.fetchval(f"SELECT COALESCE(MAX(version), 0) FROM {VERSION_TABLE}"))
