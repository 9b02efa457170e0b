"""storage/migrations (SQLite) and storage/migrations_pg (PostgreSQL) build the same schema: the same
tables, columns (types normalised), primary keys, unique constraints and indexes."""

from __future__ import annotations

import pytest

from storage.db import migration_scripts, opened

# SQLite's declared types and PostgreSQL's, read as the one type the stores see.
_TYPES = {"integer": "integer", "bigint": "integer", "int": "integer", "text": "text", "": "text"}


def _type(declared: str) -> str:
    return _TYPES.get(declared.lower(), declared.lower())


async def sqlite_schema(db) -> dict:
    schema = {}
    for table in await db.tables():
        info = await db.fetchall(f'PRAGMA table_info("{table}")')
        columns = {r["name"]: (_type(r["type"]), bool(r["notnull"] or r["pk"])) for r in info}
        primary = tuple(r["name"] for r in sorted((r for r in info if r["pk"]), key=lambda r: r["pk"]))
        unique, indexes = set(), set()
        for index in await db.fetchall(f'PRAGMA index_list("{table}")'):
            if index["origin"] == "pk":
                continue
            cols = tuple(r["name"] for r in await db.fetchall(f'PRAGMA index_info("{index["name"]}")'))
            if index["origin"] == "u":
                unique.add(cols)
            else:
                indexes.add((index["name"], cols, bool(index["unique"]), bool(index["partial"])))
        schema[table] = {"columns": columns, "primary": primary, "unique": unique, "indexes": indexes}
    return schema


async def postgres_schema(db) -> dict:
    schema = {}
    for table in await db.tables():
        info = await db.fetchall(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position", table)
        columns = {r["column_name"]: (_type(r["data_type"]), r["is_nullable"] == "NO") for r in info}
        primary, unique, indexes = (), set(), set()
        rows = await db.fetchall(
            "SELECT i.relname AS name, x.indisunique AS is_unique, x.indisprimary AS is_primary,"
            " x.indpred IS NOT NULL AS partial, c.contype::text AS constraint_type,"
            " ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)"
            "       JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS cols"
            " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid"
            " WHERE x.indrelid = ?::regclass", table)
        for r in rows:
            cols = tuple(r["cols"])
            if r["is_primary"]:
                primary = cols
            elif r["constraint_type"] == "u":
                unique.add(cols)
            else:
                indexes.add((r["name"], cols, r["is_unique"], r["partial"]))
        schema[table] = {"columns": columns, "primary": primary, "unique": unique, "indexes": indexes}
    return schema


@pytest.fixture
async def both(tmp_path, postgres_server):
    async with opened(f"sqlite:///{tmp_path / 's.sqlite3'}") as lite:
        url = await postgres_server.empty_database()
        try:
            async with opened(url) as pg:  # from nothing: every PostgreSQL migration runs here
                yield lite, pg
        finally:
            await postgres_server.drop(url)


def test_postgresql_replaces_only_the_migrations_not_portable_as_written():
    portable, postgres = dict(migration_scripts()), dict(migration_scripts("migrations_pg"))
    assert sorted(postgres) == sorted(portable)
    assert [v for v in postgres if postgres[v] != portable[v]] == [1, 2, 3, 4, 5, 6, 13, 15]


async def test_the_two_migration_sets_build_the_same_schema(both):
    lite, pg = both
    assert await lite.schema_version() == await pg.schema_version()
    sqlite, postgres = await sqlite_schema(lite), await postgres_schema(pg)
    assert sorted(postgres) == sorted(sqlite)
    for table in sqlite:
        assert postgres[table] == sqlite[table], table
