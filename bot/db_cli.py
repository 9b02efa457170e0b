"""`legalaid db migrate | backup | copy` and the database part of `legalaid health`."""

from __future__ import annotations

import argparse
import sqlite3
import sys

from common.config import Settings
from storage.copy import Mismatch, NotEmpty, copy_database
from storage.db import SchemaError, database_for, migration_scripts, opened


def add_parser(sub) -> None:
    db = sub.add_parser("db", help="database tools")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("migrate", help="apply pending migrations")
    backup = db_sub.add_parser("backup", help="online backup to PATH (pg_dump's custom format on PostgreSQL)")
    backup.add_argument("path")
    copy = db_sub.add_parser("copy", help="copy every row into a new, empty database, then compare both")
    copy.add_argument("--from", dest="source", metavar="URL", help="default: LEGALAID_DATABASE_URL or the data folder")
    copy.add_argument("--to", dest="target", metavar="URL", required=True)
    db_sub.add_parser("purge", help="blank or delete what its retention period has run out on")


def where(url: str) -> str:
    """A database named for a log line or a message: never its password."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    host = url.split("@", 1)[-1] if "@" in url else url.split("://", 1)[-1]
    return f"postgresql://{host}"


async def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.db_command == "copy":
        source_url = args.source or settings.database
        async with opened(source_url) as source, opened(args.target) as target:
            for tally in await copy_database(source, target):
                print(tally.line)
        print(f"copied {where(source_url)} -> {where(args.target)}: every table's rows and checksum match")
        return 0
    async with opened(settings.database) as db:  # opening applies pending migrations
        if args.db_command == "migrate":
            print(f"schema version {await db.schema_version()}: {where(settings.database)}")
        else:
            await db.backup(args.path)
            print(f"backup written: {args.path}")
    return 0


def failures() -> tuple[type[BaseException], ...]:
    """What a database command may fail with, said in one line: asyncpg's errors only once it is
    loaded (only PostgreSQL loads it; the other commands start without its import time)."""
    found: tuple[type[BaseException], ...] = (SchemaError, sqlite3.DatabaseError, NotEmpty, Mismatch)
    asyncpg = sys.modules.get("asyncpg")
    return found if asyncpg is None else (*found, asyncpg.PostgresError)


async def check(settings: Settings) -> str:
    """'ok', or what is wrong with the database; reads only (SQLite: quick_check)."""
    url = settings.database
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
    else:
        import asyncpg

        from storage.postgres import VERSION_TABLE

        database_for(url)  # the same URL check as at start-up
        conn = await asyncpg.connect(url, timeout=5)
        try:
            verdict = "ok" if await conn.fetchval("SELECT 1") == 1 else "no answer"
            version = await conn.fetchval(f"SELECT COALESCE(MAX(version), 0) FROM {VERSION_TABLE}")
        finally:
            await conn.close()
    if version > len(migration_scripts()):
        return f"schema version {version} is newer than this bot knows"
    return verdict
