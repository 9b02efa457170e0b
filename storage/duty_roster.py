"""The duty roster (值班表): which lawyers are on online duty on which non-working day.

Which days may be rostered is policy/duty_roster.py's; this keeps the entries, with who added each
and when. Days are the centre's local dates, stored as YYYY-MM-DD text so they compare as dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from policy.ledger import UnknownRecord
from storage.db import Database, Row, stored_time

_COLUMNS = ("r.day, r.lawyer_id, r.added_by, r.added_at, l.name, l.active, l.channel"
            " FROM duty_roster r JOIN lawyers l ON l.id = r.lawyer_id")


@dataclass(frozen=True)
class RosterEntry:
    day: date
    lawyer_id: int
    name: str
    active: bool  # a lawyer deactivated after being rostered keeps the entry but gets nothing
    bound: bool  # without a chat account the bot cannot reach them
    added_by: str
    added_at: datetime


class DutyRosterStore:
    def __init__(self, db: Database):
        self.db = db

    async def add(self, day: date, lawyer_id: int, added_by: str, now: datetime) -> bool:
        """Put an active lawyer on the roster for `day`; False when they already are (or not active)."""
        async with self.db.transaction() as conn:
            lawyer = await conn.fetchone("SELECT active FROM lawyers WHERE id = ?", lawyer_id)
            if lawyer is None:
                raise UnknownRecord("lawyer", lawyer_id)
            if not lawyer["active"] or await conn.fetchone(
                    "SELECT 1 FROM duty_roster WHERE day = ? AND lawyer_id = ?", day.isoformat(), lawyer_id):
                return False
            await conn.execute("INSERT INTO duty_roster (day, lawyer_id, added_by, added_at) VALUES (?, ?, ?, ?)",
                               day.isoformat(), lawyer_id, added_by, stored_time(now))
        return True

    async def remove(self, day: date, lawyer_id: int) -> bool:
        """Take a lawyer off `day`; False when they were not on it."""
        return bool(await self.db.execute("DELETE FROM duty_roster WHERE day = ? AND lawyer_id = ?",
                                          day.isoformat(), lawyer_id))

    async def between(self, first: date, last: date, lawyer_id: int | None = None) -> list[RosterEntry]:
        """Entries from `first` to `last` inclusive (one lawyer's, or everyone's), by day then when added."""
        where, args = "r.day BETWEEN ? AND ?", [first.isoformat(), last.isoformat()]
        if lawyer_id is not None:
            where, args = where + " AND r.lawyer_id = ?", [*args, lawyer_id]
        rows = await self.db.fetchall(f"SELECT {_COLUMNS} WHERE {where} ORDER BY r.day, r.added_at, r.lawyer_id",
                                      *args)
        return [_entry(r) for r in rows]


def _entry(r: Row) -> RosterEntry:
    return RosterEntry(
        day=date.fromisoformat(r["day"]), lawyer_id=r["lawyer_id"], name=r["name"], active=bool(r["active"]),
        bound=r["channel"] is not None, added_by=r["added_by"], added_at=datetime.fromisoformat(r["added_at"]),
    )
