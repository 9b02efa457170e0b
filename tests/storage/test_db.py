"""The database: migrations, pragmas, private file mode, backups, atomic writes."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from datetime import datetime, timezone

import pytest

from storage.db import Database, migration_scripts
from storage.store import Store

AT = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
async def db(tmp_path):
    database = Database(tmp_path / "t.sqlite3")
    await database.open()
    yield database
    await database.close()


async def test_open_applies_every_migration_and_records_the_version(db):
    assert await db.schema_version() == len(migration_scripts())
    async with db.conn.execute("SELECT name FROM sqlite_master WHERE type='table'") as cur:
        tables = {row[0] for row in await cur.fetchall()}
    assert {"conversations", "faq_misses"} <= tables


async def test_reopening_does_not_reapply_migrations(tmp_path):
    path = tmp_path / "t.sqlite3"
    for _ in range(2):
        database = Database(path)
        await database.open()  # a second CREATE TABLE would raise
        await database.close()


async def test_wal_foreign_keys_and_busy_timeout_are_on(db):
    async def pragma(name):
        async with db.conn.execute(f"PRAGMA {name}") as cur:
            return (await cur.fetchone())[0]

    assert await pragma("journal_mode") == "wal"
    assert await pragma("foreign_keys") == 1
    assert await pragma("busy_timeout") >= 1000


async def test_database_file_is_readable_by_its_owner_only(db):
    mode = stat.S_IMODE(os.stat(db.path).st_mode)
    assert mode == 0o600


async def test_a_failed_transaction_leaves_nothing_behind(db):
    store = Store(db)
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO conversations VALUES ('c', 'u', '{}', '2026-01-01T00:00:00')"
            )
            raise RuntimeError("boom")
    assert await store.load_state("c", "u") is None


async def test_concurrent_writers_queue_instead_of_failing(db):
    store = Store(db)
    await asyncio.gather(*(store.save_state("c", str(i), "{}", AT) for i in range(50)))
    async with db.conn.execute("SELECT COUNT(*) FROM conversations") as cur:
        assert (await cur.fetchone())[0] == 50


async def test_backup_is_a_consistent_private_copy(db, tmp_path):
    store = Store(db)
    await store.save_state("console", "u1", '{"flow": "menu"}', AT)
    target = tmp_path / "backup.sqlite3"
    await db.backup(target)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT state FROM conversations").fetchone()[0] == '{"flow": "menu"}'


async def test_a_migration_runs_whole_with_dashes_in_strings_and_trigger_bodies(tmp_path, monkeypatch):
    script = """CREATE TABLE a (x TEXT DEFAULT '--not a comment;');  -- a comment
CREATE TRIGGER t AFTER INSERT ON a BEGIN
  UPDATE a SET x = x || '--'; UPDATE a SET x = x || ';';
END;
INSERT INTO a DEFAULT VALUES;
"""
    monkeypatch.setattr("storage.db.migration_scripts", lambda: [(1, script)])
    db = Database(tmp_path / "m.sqlite3")
    await db.open()
    async with db.conn.execute("SELECT x FROM a") as cur:
        assert (await cur.fetchone())[0] == "--not a comment;--;"
    assert await db.schema_version() == 1
    await db.close()


async def test_a_failing_migration_leaves_nothing_half_applied(tmp_path, monkeypatch):
    broken = "CREATE TABLE b (x); INSERT INTO no_such_table VALUES (1);"
    monkeypatch.setattr("storage.db.migration_scripts", lambda: [(1, broken)])
    db = Database(tmp_path / "m.sqlite3")
    with pytest.raises(sqlite3.OperationalError):
        await db.open()
    with sqlite3.connect(tmp_path / "m.sqlite3") as raw:
        assert raw.execute("SELECT name FROM sqlite_master WHERE name = 'b'").fetchone() is None
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 0


async def test_misses_are_listed_most_frequent_first(db):
    store = Store(db)
    for question, times in (("天气", 1), ("公正", 3), ("离婚", 2)):
        for _ in range(times):
            await store.record_miss("fallback", question, ["x"], [12.0], AT)
    assert [m.question for m in await store.misses()] == ["公正", "离婚", "天气"]
    assert [m.count for m in await store.misses()] == [3, 2, 1]
