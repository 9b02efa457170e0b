"""The database: migrations, pragmas, private file mode, backups, atomic writes (on both backends
where the behaviour is shared; SQLite's own file, pragmas and backup API on SQLite)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from datetime import datetime, timezone

import pytest

from storage.db import IntegrityError, UniqueViolation, changes, database_for, migration_scripts, opened, single
from storage.sqlite import SQLiteDatabase
from storage.store import Store

AT = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
async def sqlite_db(tmp_path):
    async with opened(f"sqlite:///{tmp_path / 't.sqlite3'}") as database:
        yield database


async def test_open_applies_every_migration_and_records_the_version(db):
    assert await db.schema_version() == len(migration_scripts())
    assert {"conversations", "faq_misses", "bookings", "outbox"} <= set(await db.tables())


async def test_reopening_does_not_reapply_migrations(database_url):
    for _ in range(2):
        async with opened(database_url) as database:  # a second CREATE TABLE would raise
            assert await database.schema_version() == len(migration_scripts())


async def test_a_unique_violation_is_the_same_exception_on_both_backends(db):
    insert = "INSERT INTO county_status (county, status, updated_by, updated_at) VALUES (?, 'applies', 's', 't')"
    await db.execute(insert, "柯城区")
    with pytest.raises(UniqueViolation):
        await db.execute(insert, "柯城区")
    with pytest.raises(IntegrityError) as refused:
        await db.execute(insert.replace("'applies'", "'maybe'"), "衢江区")  # a CHECK, not a unique key
    assert not isinstance(refused.value, UniqueViolation)


async def test_the_ledger_refuses_edits_and_deletions_on_both_backends(db):
    lawyer = await db.fetchval("INSERT INTO lawyers (name, firm, created_at) VALUES ('a', 'b', 't') RETURNING id")
    await db.execute("INSERT INTO ledger (lawyer_id, item_key, clause, points, occurred_on, entered_by, entered_at)"
                     " VALUES (?, 'case', '二(一)1', 5, '2026-01-05', 'staff', 't')", lawyer)
    with pytest.raises(IntegrityError):
        await db.execute("UPDATE ledger SET points = 50")
    with pytest.raises(IntegrityError):
        await db.execute("DELETE FROM ledger")
    assert await db.fetchval("SELECT points FROM ledger") == 5


def test_a_database_url_names_its_backend():
    assert isinstance(database_for("sqlite:////tmp/x.sqlite3"), SQLiteDatabase)
    assert database_for("postgresql://u@h/db").kind == "postgresql"
    with pytest.raises(ValueError):
        database_for("mysql://u@h/db")


async def test_wal_and_foreign_keys_are_on(sqlite_db):
    db = sqlite_db

    async def pragma(name):
        return await db.fetchval(f"PRAGMA {name}")

    assert await pragma("journal_mode") == "wal"
    assert await pragma("foreign_keys") == 1


@pytest.mark.parametrize("how", ["transact", "transaction", "execute"])
async def test_a_write_waits_for_another_process_without_holding_up_the_event_loop(sqlite_db, how):
    """Statements run on the event loop; one that finds the file locked waits on the connection's
    thread instead (up to the busy timeout), and is run once, not twice, when the lock is let go."""
    from storage.db import changes, single

    db = sqlite_db
    other = sqlite3.connect(db.path, isolation_level=None)  # another process, holding the write lock
    other.execute("BEGIN IMMEDIATE")
    insert = "INSERT INTO county_status (county, status, updated_by, updated_at) VALUES (?, 'applies', 's', 't')"
    runs = []

    def plan():
        runs.append(1)
        return (yield changes(insert, "柯城区"))

    async def write():
        if how == "transact":
            return await db.transact(plan())
        if how == "transaction":
            async with db.transaction() as tx:
                return await tx.execute(insert, "柯城区")
        return await db.execute(insert, "柯城区")

    waiting = asyncio.create_task(write())
    ticks = 0
    for _ in range(20):  # the loop keeps turning while the write waits
        await asyncio.sleep(0.01)
        ticks += 1
    assert not waiting.done() and ticks == 20
    other.execute("COMMIT")
    other.close()
    assert await asyncio.wait_for(waiting, 5) == 1
    assert await db.fetchval("SELECT COUNT(*) FROM county_status WHERE county = '柯城区'") == 1
    assert runs == ([1] if how == "transact" else [])  # the plan began once, after the lock was let go
    # The connection is the loop's again, still without a busy timeout of its own there.
    assert await db.fetchval("PRAGMA busy_timeout") == 0


async def test_database_file_is_readable_by_its_owner_only(sqlite_db):
    mode = stat.S_IMODE(os.stat(sqlite_db.path).st_mode)
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


async def test_a_commit_that_fails_leaves_the_connection_usable(sqlite_db):
    """A COMMIT can fail (here a deferred foreign key; in life a full disk): the transaction is
    rolled back, the error raised, and the next write works (the bot is not silenced)."""
    await sqlite_db.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    await sqlite_db.execute("CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)")
    orphan = "INSERT INTO child VALUES (7)"
    with pytest.raises(IntegrityError):
        await sqlite_db.transact(single(changes(orphan)))
    with pytest.raises(IntegrityError):
        async with sqlite_db.transaction() as conn:
            await conn.execute(orphan)
    await Store(sqlite_db).save_state("c", "u", "{}", AT)
    assert await sqlite_db.fetchval("SELECT COUNT(*) FROM child") == 0
    assert await Store(sqlite_db).load_state("c", "u") == "{}"


async def test_calls_made_while_the_database_closes_fail_politely_instead_of_crashing(sqlite_db):
    """A call made while aiosqlite's thread closes the connection used to run on the loop against the
    connection being closed (sqlite3 crashed the process, SIGSEGV); now it is refused at once."""
    store = Store(sqlite_db)
    closing = asyncio.ensure_future(sqlite_db.close())
    late = []
    for i in range(30):
        await asyncio.sleep(0)
        late.append(asyncio.ensure_future(store.save_state("c", str(i), "{}", AT)))
        late.append(asyncio.ensure_future(sqlite_db.fetchall("SELECT * FROM conversations")))
    results = await asyncio.gather(closing, *late, return_exceptions=True)
    assert results[0] is None
    assert all(isinstance(r, RuntimeError) for r in results[1:]), {type(r).__name__ for r in results[1:]}


async def test_concurrent_writers_queue_instead_of_failing(db):
    store = Store(db)
    await asyncio.gather(*(store.save_state("c", str(i), "{}", AT) for i in range(50)))
    assert await db.fetchval("SELECT COUNT(*) FROM conversations") == 50


async def test_backup_is_a_consistent_private_copy(sqlite_db, tmp_path):
    store = Store(sqlite_db)
    await store.save_state("console", "u1", '{"flow": "menu"}', AT)
    target = tmp_path / "backup.sqlite3"
    await sqlite_db.backup(target)
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
    monkeypatch.setattr("storage.sqlite.migration_scripts", lambda: [(1, script)])
    db = SQLiteDatabase(tmp_path / "m.sqlite3")
    await db.open()
    assert await db.fetchval("SELECT x FROM a") == "--not a comment;--;"
    assert await db.schema_version() == 1
    await db.close()


async def test_a_failing_migration_leaves_nothing_half_applied(tmp_path, monkeypatch):
    broken = "CREATE TABLE b (x); INSERT INTO no_such_table VALUES (1);"
    monkeypatch.setattr("storage.sqlite.migration_scripts", lambda: [(1, broken)])
    db = SQLiteDatabase(tmp_path / "m.sqlite3")
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


async def test_a_write_made_while_another_task_holds_a_transaction_is_not_rolled_back_with_it(sqlite_db):
    """SQLite has one connection: a statement run while another task's transaction() is open waits
    for it, rather than joining it and being rolled back with it."""
    await sqlite_db.execute("CREATE TABLE t (v TEXT)")
    opened, write = asyncio.Event(), None

    async def failing_transaction() -> None:
        async with sqlite_db.transaction() as conn:
            await conn.execute("INSERT INTO t VALUES ('theirs')")
            opened.set()
            await asyncio.sleep(0.05)  # the other task writes meanwhile
            raise RuntimeError("rolled back")

    task = asyncio.ensure_future(failing_transaction())
    await opened.wait()
    write = asyncio.ensure_future(sqlite_db.execute("INSERT INTO t VALUES ('mine')"))
    with pytest.raises(RuntimeError):
        await task
    assert await write == 1
    assert [r["v"] for r in await sqlite_db.fetchall("SELECT v FROM t")] == ["mine"]
