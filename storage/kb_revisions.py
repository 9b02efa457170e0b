"""Staff revisions of knowledge-base entries: each save is the whole entry, with who, when and a note.

Saves are serialised by the transaction lock "knowledge", so the merged set a save was validated
against is the one it lands on, and each save numbers its revision the newest + 1 under that lock:
ids are committed in order, so the highest is a version every process can compare cheaply.

Retiring an entry is a revision too (the whole entry as it was, marked RETIRED, the reason as its
note), so the history keeps who, when and why, and a later save of the entry brings it back.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storage.db import Database, Row, stored_time

# The key a revision's body carries when it retires its entry (never a field of an entry itself).
RETIRED = "retired"


@dataclass(frozen=True)
class Revision:
    id: int
    entry_id: str
    body: dict
    note: str
    created_by: str
    created_at: datetime

    @property
    def retired(self) -> bool:
        return self.body.get(RETIRED) is True


_COLUMNS = "id, entry_id, body, note, created_by, created_at"
_LATEST = (f"SELECT {_COLUMNS} FROM kb_revisions"
           " WHERE id IN (SELECT MAX(id) FROM kb_revisions GROUP BY entry_id) ORDER BY id")


class RevisionStore:
    def __init__(self, db: Database):
        self.db = db

    async def version(self) -> int:
        """The newest revision's id, 0 before any: one indexed read, for the minute-by-minute check."""
        return await self.db.fetchval("SELECT COALESCE(MAX(id), 0) FROM kb_revisions")

    async def latest(self) -> list[Revision]:
        """The newest revision of each entry, oldest first (new entries keep the order they were added)."""
        rows = await self.db.fetchall(_LATEST)
        return [_revision(r) for r in rows]

    async def history(self, entry_id: str) -> list[Revision]:
        """Every revision of one entry, newest first."""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM kb_revisions WHERE entry_id = ? ORDER BY id DESC", entry_id
        )
        return [_revision(r) for r in rows]

    async def add(self, entry_id: str, prepare: Callable[[list[Revision]], dict], note: str, by: str,
                  now: datetime) -> Revision:
        """Save the entry `prepare` makes from the newest revision of every entry as they are now
        (it raises to refuse): validation and save are one step, whoever else saves meanwhile."""
        async with self.db.transaction(lock="knowledge") as tx:
            body = prepare([_revision(r) for r in await tx.fetchall(_LATEST)])
            new_id = await tx.fetchval(
                "INSERT INTO kb_revisions (id, entry_id, body, note, created_by, created_at)"
                " VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM kb_revisions), ?, ?, ?, ?, ?) RETURNING id",
                entry_id, json.dumps(body, ensure_ascii=False), note.strip(), by, stored_time(now),
            )
        return Revision(new_id, entry_id, body, note.strip(), by, now)


# `legalaid ask` and `legalaid health` read the newest revisions without the Database class: it
# applies pending migrations when it opens (a health check must not write), and on SQLite the
# standard library's read costs ~4 ms of CPU against ~18 ms for aiosqlite + Database (measured
# 2026-11-28, cold processes, load 7 on 2 cores), where a cold `ask` must stay under a second.
# A database from before migration 0016 has no revisions yet.


def latest_in_file(path: Path) -> list[Revision]:
    """RevisionStore.latest() read straight from a SQLite file, read-only."""
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)) as conn:
        conn.row_factory = sqlite3.Row
        try:
            rows = conn.execute(_LATEST).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                raise
            return []
    return [_revision(r) for r in rows]


async def latest_on_server(url: str) -> list[Revision]:
    """RevisionStore.latest() read from PostgreSQL over one connection, without migrating."""
    import asyncpg

    conn = await asyncpg.connect(url, timeout=5)
    try:
        rows = await conn.fetch(_LATEST)
    except asyncpg.UndefinedTableError:
        return []
    finally:
        await conn.close()
    return [_revision(r) for r in rows]


def _revision(row: Row) -> Revision:
    return Revision(row["id"], row["entry_id"], json.loads(row["body"]), row["note"], row["created_by"],
                    datetime.fromisoformat(row["created_at"]))
