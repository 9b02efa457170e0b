"""`legalaid db copy`: every row of one database into another, empty one, checked table by table.

Rows keep their ids (references, ledger reversals and outbox keys point at them). At the end both
sides are read again and compared: the number of rows and a checksum per table.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from storage.db import Database, Row


@dataclass(frozen=True)
class Tally:
    table: str
    rows: int
    checksum: str

    @property
    def line(self) -> str:
        return f"{self.table}: {self.rows} rows, sha256 {self.checksum[:16]}"


class NotEmpty(Exception):
    """The target already holds data: a copy would mix two deployments."""


class Mismatch(Exception):
    """What arrived differs from what was sent."""


async def tally(db: Database, table: str) -> Tally:
    """Rows and an order-independent checksum of one table (values as the stores read them)."""
    rows = await db.fetchall(f'SELECT * FROM "{table}"')
    lines = sorted(_line(r) for r in rows)
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return Tally(table, len(rows), digest)


async def copy_database(source: Database, target: Database) -> list[Tally]:
    """Copy every table of `source` into `target` (both open, so both at the newest schema)."""
    tables = await source.tables()
    missing = set(tables) - set(await target.tables())
    if missing:
        raise Mismatch(f"the target has no table {', '.join(sorted(missing))}")
    for table in tables:
        if await target.fetchval(f'SELECT COUNT(*) FROM "{table}"'):
            raise NotEmpty(f"the target's table {table} is not empty: copy only into a new database")
    for table in tables:  # creation order: a table comes after those it refers to
        rows = await source.fetchall(f'SELECT * FROM "{table}" ORDER BY 1')
        if rows:
            await target.copy_rows(table, list(rows[0].keys()), [tuple(r) for r in rows])
    await target.after_copy()
    tallies = []
    for table in tables:
        sent, arrived = await tally(source, table), await tally(target, table)
        if sent != arrived:
            raise Mismatch(f"{table}: sent {sent.rows} rows ({sent.checksum[:16]}),"
                           f" found {arrived.rows} ({arrived.checksum[:16]})")
        tallies.append(sent)
    return tallies


def _line(row: Row) -> str:
    return repr([(key, row[key]) for key in sorted(row.keys())])
