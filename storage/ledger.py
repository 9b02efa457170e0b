"""The points ledger's rows: entries, corrections, and the ranking.

The ledger is append-only (0002's triggers, on either backend, refuse UPDATE and DELETE): a mistake is undone by a
counter-entry that names the entry it reverses, so every statement can be explained line by
line. Automatic awards are exactly-once through the ledger's UNIQUE (source_kind, source_id,
item_key), not through a read-then-write here. The rules themselves live in policy/ledger.py;
lawyers and their chat accounts in storage/lawyers.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from policy.ledger import (
    VETO_KEYS,
    Decision,
    LedgerError,
    UnknownRecord,
    check_day,
    check_item_day,
    check_reversible,
    correction_window,
    live_veto,
    period,
    quantity_of,
    required,
    value_entry,
)
from policy.points import ITEMS_BY_KEY, Bands, Rating, rate, signed_points
from policy.workdays import WorkCalendar
from storage.db import Database, Queries, Row, UniqueViolation, stored_time
from storage.lawyers import Lawyer, LawyerStore, name_key, require_lawyer, utc

__all__ = ["Decision", "Entry", "Lawyer", "LedgerError", "LedgerStore", "UnknownRecord", "insert_award"]

_VETO_KEYS = tuple(sorted(VETO_KEYS))


@dataclass(frozen=True)
class Entry:
    id: int
    lawyer_id: int
    item_key: str
    clause: str
    points: int  # signed; 0 for a veto
    occurred_on: date
    source_kind: str | None
    source_id: str | None
    reverses_id: int | None  # set on a counter-entry: the entry it cancels
    note: str
    entered_by: str
    entered_at: datetime

    @property
    def title(self) -> str:
        return ITEMS_BY_KEY[self.item_key].title

    @property
    def quantity(self) -> int:
        return quantity_of(self.item_key, self.points)


@dataclass(frozen=True)
class Statement:
    lawyer_id: int
    year: int
    quarter: int | None  # None: the whole year
    items: list[Entry]
    total: int
    vetoed: bool  # a veto in this period that has not been reversed


@dataclass(frozen=True)
class Correction:
    id: int
    lawyer_id: int
    year: int
    quarter: int
    text: str
    discovered_on: date  # 二(四) 发现之日, as the lawyer states it
    deadline: date
    filed_at: datetime
    status: Decision
    reason: str
    decided_by: str | None
    decided_at: datetime | None


@dataclass(frozen=True)
class ReportRow:
    rank: int
    lawyer_id: int
    name: str
    firm: str
    total: int
    rating: Rating | None  # None in a quarterly report: 一(一) rates a year
    vetoed: bool  # the year has a veto (二(三) 当年年度考核为不合格)


class LedgerStore(LawyerStore):
    """Lawyers (inherited) and their points. `zone` decides which day "today" is."""

    def __init__(self, db: Database, zone: ZoneInfo):
        super().__init__(db)
        self.zone = zone

    def today(self, now: datetime) -> date:
        return utc(now).astimezone(self.zone).date()

    async def add_entry(
        self, lawyer_id: int, item_key: str, occurred_on: date, entered_by: str, now: datetime,
        note: str = "", points: int | None = None, quantity: int = 1, people: int | None = None,
        cal: WorkCalendar | None = None,
    ) -> Entry:
        """A manual entry by staff; policy.ledger decides what it is worth and which days it may fall on."""
        note = (note or "").strip()
        valued = value_entry(item_key, note, points, quantity, people)
        entered_by = required(entered_by, "entered_by")
        day = check_day(occurred_on, self.today(now))
        check_item_day(item_key, occurred_on, cal or WorkCalendar())
        async with self.db.transaction() as conn:
            await require_lawyer(conn, lawyer_id)
            entry_id = await conn.fetchval(
                "INSERT INTO ledger (lawyer_id, item_key, clause, points, occurred_on, note,"
                " entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                lawyer_id, item_key, valued.item.clause, valued.points, day, note, entered_by, stored_time(now),
            )
            return await _entry_by_id(conn, entry_id)

    async def reverse(self, entry_id: int, entered_by: str, now: datetime, note: str) -> Entry:
        """Cancel an entry with a counter-entry on the same day (so the same period nets to zero)."""
        entered_by = required(entered_by, "entered_by")
        note = required(note, "note", "ledger.error.note_required")
        async with self.db.transaction() as conn:
            original = await _entry_by_id(conn, entry_id)
            existing = await conn.fetchval("SELECT id FROM ledger WHERE reverses_id = ?", entry_id)
            check_reversible(entry_id, original.reverses_id, existing)
            try:
                counter_id = await conn.fetchval(
                    "INSERT INTO ledger (lawyer_id, item_key, clause, points, occurred_on,"
                    " reverses_id, note, entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    original.lawyer_id, original.item_key, original.clause, -original.points,
                    original.occurred_on.isoformat(), entry_id, note, entered_by, stored_time(now),
                )
            except UniqueViolation:  # another process reversed it first
                raise LedgerError("ledger.error.already_reversed", f"entry {entry_id} was already reversed",
                                  entry_id=entry_id) from None
            return await _entry_by_id(conn, counter_id)

    async def statement(self, lawyer_id: int, year: int, quarter: int | None = None) -> Statement:
        """Every entry of a lawyer in a year or quarter, by day, counter-entries included."""
        first, last = period(year, quarter)
        entries = [_entry(r) for r in await self.db.fetchall(
            "SELECT * FROM ledger WHERE lawyer_id = ? AND occurred_on BETWEEN ? AND ? ORDER BY occurred_on, id",
            lawyer_id, first, last,
        )]
        vetoed = live_veto([(e.id, e.item_key, e.reverses_id) for e in entries])
        return Statement(lawyer_id, year, quarter, entries, sum(e.points for e in entries), vetoed)

    async def report(self, year: int, quarter: int | None = None, bands: Bands = Bands()) -> list[ReportRow]:
        """The ranking: active lawyers and anyone with entries in the period, highest total first.

        Vetoed lawyers come last; equal totals share a rank (1, 1, 3) and are listed in 拼音 order of name. A yearly report
        rates each lawyer; a quarterly one leaves the rating empty, since 一(一) rates a year, but
        still flags a veto anywhere in the year.
        """
        first, last = period(year, quarter)
        year_first, year_last = period(year, None)
        rows = await self.db.fetchall(
            "SELECT l.id, l.name, l.firm,"
            " (SELECT COALESCE(SUM(e.points), 0) FROM ledger e"
            "   WHERE e.lawyer_id = l.id AND e.occurred_on BETWEEN ? AND ?) AS total,"
            f" EXISTS ({_LIVE_VETO} AND e.lawyer_id = l.id) AS vetoed"
            " FROM lawyers l"
            " WHERE l.active = 1 OR EXISTS (SELECT 1 FROM ledger e"
            "   WHERE e.lawyer_id = l.id AND e.occurred_on BETWEEN ? AND ?)",
            first, last, *_VETO_KEYS, year_first, year_last, first, last,
        )
        # 二(三) 一票否决: a vetoed year is 不合格 whatever its points, so it ranks below every lawyer not vetoed.
        ordered = sorted(rows, key=lambda r: (bool(r["vetoed"]), -r["total"], name_key(r["name"]), r["id"]))
        out: list[ReportRow] = []
        for position, r in enumerate(ordered, start=1):
            vetoed = bool(r["vetoed"])
            tied = out and (out[-1].total, out[-1].vetoed) == (r["total"], vetoed)
            rank = out[-1].rank if tied else position
            rating = rate(r["total"], vetoed, bands) if quarter is None else None
            out.append(ReportRow(rank, r["id"], r["name"], r["firm"], r["total"], rating, vetoed))
        return out

    # --- corrections (二(四)) -----------------------------------------------------------------
    async def file_correction(
        self, lawyer_id: int, year: int, quarter: int, text: str, discovered_on: date,
        now: datetime, cal: WorkCalendar | None = None,
    ) -> Correction:
        """A lawyer reports an omission, within 二(四)'s 5 days of the day they discovered it."""
        period(year, quarter)
        text = required(text, "text")
        deadline = correction_window(quarter, discovered_on, self.today(now), cal)
        async with self.db.transaction() as conn:
            await require_lawyer(conn, lawyer_id)
            return _correction(await conn.fetchone(
                "INSERT INTO corrections (lawyer_id, year, quarter, text, discovered_on,"
                " deadline, filed_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
                lawyer_id, year, quarter, text, discovered_on.isoformat(), deadline.isoformat(), stored_time(now),
            ))

    async def decide_correction(
        self, correction_id: int, accept: bool, reason: str, staff: str, now: datetime
    ) -> Correction:
        """Staff accept or reject a correction, always with a reason the lawyer will see.

        Accepting does not add points: staff add the missing entry with `add_entry`.
        """
        reason = required(reason, "reason", "ledger.error.reason_required")
        staff = required(staff, "staff")
        status = Decision.ACCEPTED if accept else Decision.REJECTED
        async with self.db.transaction(f"correction:{correction_id}") as conn:
            row = await conn.fetchone("SELECT status FROM corrections WHERE id = ?", correction_id)
            if row is None:
                raise UnknownRecord("correction", correction_id)
            if row["status"] != Decision.PENDING:
                raise LedgerError("ledger.error.already_decided",
                                  f"correction {correction_id} is already {row['status']}", record_id=correction_id)
            return _correction(await conn.fetchone(
                "UPDATE corrections SET status = ?, reason = ?, decided_by = ?, decided_at = ?"
                " WHERE id = ? RETURNING *",
                status.value, reason, staff, stored_time(now), correction_id,
            ))

    async def list_corrections(self, status: Decision | None = None) -> list[Correction]:
        """Corrections, oldest first; only those with `status` when given."""
        sql, params = "SELECT * FROM corrections", []
        if status is not None:
            sql += " WHERE status = ?"
            params.append(Decision(status).value)
        return [_correction(r) for r in await self.db.fetchall(sql + " ORDER BY filed_at, id", *params)]


# A veto entry in [?, ?] (after the veto keys) that no counter-entry cancels.
_LIVE_VETO = (
    "SELECT 1 FROM ledger e WHERE e.item_key IN ("
    + ", ".join("?" for _ in _VETO_KEYS)
    + ") AND e.reverses_id IS NULL AND e.occurred_on BETWEEN ? AND ?"
    " AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses_id = e.id)"
)


async def insert_award(
    conn: Queries, lawyer_id: int, item_key: str, source_kind: str, source_id: str,
    day: str, entered_by: str, entered_at: datetime, note: str = "",
) -> int | None:
    """Insert a fixed-points award keyed by its source, inside the caller's transaction.

    The new id, or None if it was already there: the ledger's UNIQUE (source_kind, source_id,
    item_key) makes it exactly once, so other stores (a visit marked done, an answer given)
    can award in the same transaction as the change that earns it.
    """
    item = ITEMS_BY_KEY[item_key]
    return await conn.fetchval(
        "INSERT INTO ledger (lawyer_id, item_key, clause, points, occurred_on, source_kind,"
        " source_id, note, entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (source_kind, source_id, item_key) DO NOTHING RETURNING id",
        lawyer_id, item_key, item.clause, signed_points(item_key), day, source_kind, source_id,
        note, entered_by, stored_time(entered_at),
    )


async def _entry_by_id(conn: Queries, entry_id: int) -> Entry:
    row = await conn.fetchone("SELECT * FROM ledger WHERE id = ?", entry_id)
    if row is None:
        raise UnknownRecord("entry", entry_id)
    return _entry(row)


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _entry(r: Row) -> Entry:
    return Entry(
        id=r["id"], lawyer_id=r["lawyer_id"], item_key=r["item_key"], clause=r["clause"], points=r["points"],
        occurred_on=date.fromisoformat(r["occurred_on"]), source_kind=r["source_kind"], source_id=r["source_id"],
        reverses_id=r["reverses_id"], note=r["note"], entered_by=r["entered_by"],
        entered_at=datetime.fromisoformat(r["entered_at"]),
    )


def _correction(r: Row) -> Correction:
    return Correction(
        id=r["id"], lawyer_id=r["lawyer_id"], year=r["year"], quarter=r["quarter"], text=r["text"],
        discovered_on=date.fromisoformat(r["discovered_on"]),
        deadline=date.fromisoformat(r["deadline"]), filed_at=datetime.fromisoformat(r["filed_at"]),
        status=Decision(r["status"]), reason=r["reason"], decided_by=r["decided_by"],
        decided_at=_when(r["decided_at"]),
    )
