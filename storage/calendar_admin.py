"""日历与名额 as staff keep it (migration 0015): places per county and half-day, closed days, and
the State Council's holiday notice. Every change writes a row of calendar_changes in the same
transaction; its highest id is the calendar's version, which other processes compare cheaply.

Changes take the "bookings" lock, like every booking: a day closed while someone confirms a visit
for it is either closed first (the booking is refused) or booked first (the page lists it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from storage.db import Database, Queries, Row, stored_time

_LOCK = "bookings"
ALL = ""  # closed_days.county / "window": every county, the whole day


@dataclass(frozen=True)
class Closure:
    id: int
    day: date
    county: str  # ALL: every county
    window: str  # ALL: the whole day
    reason: str
    closed_by: str
    closed_at: datetime
    reopened_by: str | None
    reopened_at: datetime | None


@dataclass(frozen=True)
class CalendarChange:
    at: datetime
    actor: str
    action: str  # places | close | reopen | holiday | workday | unset | entered
    subject: str


@dataclass(frozen=True)
class EnteredDay:
    day: date
    worked: bool  # True: 调休上班; False: 放假
    set_by: str
    set_at: datetime


@dataclass(frozen=True)
class StoredCalendar:
    """What staff entered of the State Council's notice, and the version it was read at."""

    days: dict[date, bool]
    entered_years: frozenset[int]
    version: int


class CalendarStore:
    def __init__(self, db: Database, tz: ZoneInfo):
        self.db = db
        self.tz = tz

    def _time(self, text: str | None) -> datetime | None:
        return datetime.fromisoformat(text).astimezone(self.tz) if text else None

    # --- reading -----------------------------------------------------------------------
    async def version(self) -> int:
        return await self.db.fetchval("SELECT COALESCE(MAX(id), 0) FROM calendar_changes")

    async def stored(self) -> StoredCalendar:
        version = await self.version()
        days = {date.fromisoformat(r["day"]): bool(r["worked"])
                for r in await self.db.fetchall("SELECT day, worked FROM calendar_days")}
        years = frozenset(r["year"] for r in await self.db.fetchall("SELECT year FROM calendar_years"))
        return StoredCalendar(days, years, version)

    async def places(self) -> dict[tuple[str, str], int]:
        """(county, window key) → places, for the pairs staff set; the rest use the default."""
        rows = await self.db.fetchall('SELECT county, "window", places FROM visit_places')
        return {(r["county"], r["window"]): r["places"] for r in rows}

    async def closures(self, since: date, reopened: bool = False) -> list[Closure]:
        """Closed days from `since` on, soonest first (with `reopened`, the reopened ones too)."""
        sql = "SELECT * FROM closed_days WHERE day >= ?"
        if not reopened:
            sql += " AND reopened_at IS NULL"
        rows = await self.db.fetchall(sql + ' ORDER BY day, county, "window", id', since.isoformat())
        return [self._closure(r) for r in rows]

    async def entered_days(self, year: int) -> list[EnteredDay]:
        rows = await self.db.fetchall("SELECT * FROM calendar_days WHERE day BETWEEN ? AND ? ORDER BY day",
                                      f"{year}-01-01", f"{year}-12-31")
        return [EnteredDay(date.fromisoformat(r["day"]), bool(r["worked"]), r["set_by"], self._time(r["set_at"]))
                for r in rows]

    async def changes(self, limit: int = 100) -> list[CalendarChange]:
        rows = await self.db.fetchall("SELECT * FROM calendar_changes ORDER BY id DESC LIMIT ?", limit)
        return [CalendarChange(self._time(r["at"]), r["actor"], r["action"], r["subject"]) for r in rows]

    # --- changes -------------------------------------------------------------------------
    async def set_places(self, county: str, window: str, places: int, by: str, now: datetime) -> None:
        if places < 0:
            raise ValueError(f"places must not be negative, got {places}")
        async with self.db.transaction(_LOCK) as conn:
            await conn.execute(
                'INSERT INTO visit_places (county, "window", places, set_by, set_at) VALUES (?, ?, ?, ?, ?)'
                ' ON CONFLICT (county, "window") DO UPDATE SET places = excluded.places,'
                " set_by = excluded.set_by, set_at = excluded.set_at",
                county, window, places, by, stored_time(now))
            await _log(conn, by, now, "places", f"{county} {window} {places}")

    async def close(self, day: date, county: str, window: str, reason: str, by: str, now: datetime) -> Closure:
        async with self.db.transaction(_LOCK) as conn:
            row = await conn.fetchone(
                'INSERT INTO closed_days (day, county, "window", reason, closed_by, closed_at)'
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
                day.isoformat(), county, window, reason, by, stored_time(now))
            await _log(conn, by, now, "close", _where(day, county, window, reason))
        assert row is not None
        return self._closure(row)

    async def reopen(self, closure_id: int, by: str, now: datetime) -> Closure | None:
        """None when there is no such closed day, or it is open already."""
        async with self.db.transaction(_LOCK) as conn:
            row = await conn.fetchone(
                "UPDATE closed_days SET reopened_by = ?, reopened_at = ? WHERE id = ? AND reopened_at IS NULL"
                " RETURNING *", by, stored_time(now), closure_id)
            if row is None:
                return None
            await _log(conn, by, now, "reopen",
                       _where(date.fromisoformat(row["day"]), row["county"], row["window"], row["reason"]))
        return self._closure(row)

    async def set_day(self, day: date, worked: bool | None, by: str, now: datetime) -> None:
        """A day off (False) or a make-up working day (True) of the notice; None takes the entry away."""
        async with self.db.transaction(_LOCK) as conn:
            if worked is None:
                await conn.execute("DELETE FROM calendar_days WHERE day = ?", day.isoformat())
            else:
                await conn.execute(
                    "INSERT INTO calendar_days (day, worked, set_by, set_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (day) DO UPDATE SET worked = excluded.worked, set_by = excluded.set_by,"
                    " set_at = excluded.set_at", day.isoformat(), int(worked), by, stored_time(now))
            action = "unset" if worked is None else "workday" if worked else "holiday"
            await _log(conn, by, now, action, day.isoformat())

    async def enter_year(self, year: int, by: str, now: datetime) -> None:
        async with self.db.transaction(_LOCK) as conn:
            await conn.execute(
                "INSERT INTO calendar_years (year, entered_by, entered_at) VALUES (?, ?, ?)"
                " ON CONFLICT (year) DO NOTHING", year, by, stored_time(now))
            await _log(conn, by, now, "entered", str(year))

    def _closure(self, r: Row) -> Closure:
        return Closure(r["id"], date.fromisoformat(r["day"]), r["county"], r["window"], r["reason"], r["closed_by"],
                       self._time(r["closed_at"]), r["reopened_by"], self._time(r["reopened_at"]))


def _where(day: date, county: str, window: str, reason: str) -> str:
    return " ".join(part for part in (day.isoformat(), county, window, reason) if part)


async def _log(conn: Queries, by: str, now: datetime, action: str, subject: str) -> None:
    await conn.execute("INSERT INTO calendar_changes (at, actor, action, subject) VALUES (?, ?, ?, ?)",
                       stored_time(now), by, action, subject)
