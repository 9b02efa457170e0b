"""`legalaid db copy`: a SQLite deployment moved to PostgreSQL with nothing lost, checked table by table;
`legalaid db migrate|backup|copy` and `legalaid health` against PostgreSQL."""

from __future__ import annotations

import os
import subprocess
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from common.messages import Notice, Reply
from policy.eligibility import County
from storage.bookings import BookingDraft, BookingStore
from storage.copy import Mismatch, NotEmpty, copy_database, tally
from storage.db import opened
from storage.ledger import LedgerStore
from storage.outbox import Topic, outbox_key
from storage.store import Store
from tests.bot.test_cli import legalaid

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)


async def fill(db) -> None:
    """Some of everything a running deployment holds: state, bookings and reminders, the ledger, the outbox."""
    store, bookings, ledger = Store(db), BookingStore(db, SHANGHAI), LedgerStore(db, SHANGHAI)
    await store.save_state("wechat", "o-1", '{"flow": "book", "data": {"名字": "张三"}}', NOW)
    for i in range(3):
        draft = BookingDraft("wechat", f"o-{i}", County.LONGYOU, date(2026, 11, 30), "am", f"张{i}", f"1380000000{i}",
                             "self", "东华街道", "某路1号", "赡养费", NOW)
        await bookings.create(draft, 5, f"k-{i}", NOW, {"resident": datetime(2026, 11, 29, 18, tzinfo=SHANGHAI)})
    lawyer, _ = await ledger.add_lawyer("王律师", "某所", NOW)
    entry = await ledger.add_entry(lawyer.id, "activity", date(2026, 11, 2), "staff:1", NOW)
    await ledger.reverse(entry.id, "staff:1", NOW, "录错")
    await store.enqueue(Notice("wechat", "o-1", Reply("您好"), outbox_key(Topic.REMINDER, 1)), NOW)
    await store.record_miss("fallback", "明天天气", ["x"], [1.0], NOW)


@pytest.fixture
async def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'data' / 'legalaid.sqlite3'}"
    async with opened(url) as db:
        await fill(db)
    return url


@pytest.fixture
async def target(postgres_server):
    """A new PostgreSQL database with the schema and no rows."""
    url = await postgres_server.new_database()
    yield url
    await postgres_server.drop(url)


async def test_a_copy_to_postgresql_has_every_row_and_ids_continue_after_them(sqlite_url, target):
    async with opened(sqlite_url) as source, opened(target) as pg:
        tallies = await copy_database(source, pg)
        counts = {t.table: t.rows for t in tallies}
        assert (counts["bookings"], counts["reminders"], counts["ledger"], counts["outbox"]) == (3, 3, 2, 1)
        assert tallies == [await tally(pg, t.table) for t in tallies]
        # The copy works as the deployment: a new booking takes the next seat and the next id.
        draft = BookingDraft("wechat", "o-9", County.LONGYOU, date(2026, 11, 30), "am", "李四", "13900000000",
                             "self", "东华街道", "某路2号", "赡养费", NOW)
        made = await BookingStore(pg, SHANGHAI).create(draft, 5, "k-9", NOW, {})
        assert (made.booking.seat, made.booking.id, made.booking.ref) == (4, 4, "SM-20261126-0004")
        with pytest.raises(NotEmpty):
            await copy_database(source, pg)


async def test_a_difference_after_the_copy_is_reported(sqlite_url, target, monkeypatch):
    async with opened(sqlite_url) as source, opened(target) as pg:
        real = type(pg).copy_rows

        async def drop_one(self, table, columns, rows):
            await real(self, table, columns, rows[1:] if table == "outbox" else rows)

        monkeypatch.setattr(type(pg), "copy_rows", drop_one)
        with pytest.raises(Mismatch, match="outbox: sent 1 rows"):
            await copy_database(source, pg)


async def test_the_db_commands_and_health_on_postgresql(sqlite_url, postgres_server, tmp_path):
    target = await postgres_server.empty_database()
    try:
        on_pg = {"LEGALAID_DATABASE_URL": target}
        assert legalaid("health", env_extra=on_pg).returncode == 1  # reachable, but no schema yet
        migrated = legalaid("db", "migrate", env_extra=on_pg)
        assert migrated.returncode == 0 and "postgresql://" in migrated.stdout and "@" not in migrated.stdout
        assert legalaid("health", env_extra=on_pg).returncode == 0
        copied = legalaid("db", "copy", "--from", sqlite_url, "--to", target)
        assert copied.returncode == 0, copied.stderr
        assert "bookings: 3 rows" in copied.stdout
        again = legalaid("db", "copy", "--from", sqlite_url, "--to", target)
        assert again.returncode == 1 and "not empty" in again.stderr and again.stderr.count("\n") == 1
        backup = tmp_path / "pg.dump"
        pg_bin = str(postgres_server.bin)
        done = legalaid("db", "backup", str(backup),
                        env_extra={**on_pg, "PATH": f"{pg_bin}:{os.environ.get('PATH', '')}"})
        assert done.returncode == 0, done.stderr
        listing = subprocess.run([f"{pg_bin}/pg_restore", "--list", str(backup)], capture_output=True, text=True)
        assert "TABLE DATA public bookings" in listing.stdout
        assert oct(os.stat(backup).st_mode & 0o777) == "0o600"
    finally:
        await postgres_server.drop(target)
