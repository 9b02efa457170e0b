"""The lawyer points ledger of 衢市司发〔2020〕4号 二: lawyers, entries, praise, corrections, reports.

The ledger is append-only (0002's triggers refuse UPDATE and DELETE): a mistake is
undone by a counter-entry that names the entry it reverses, so every statement can
be explained line by line. Automatic awards are exactly-once through the ledger's
UNIQUE (source_kind, source_id, item_key), not through a read-then-write here.

Plain values in and out. Every time is an aware datetime passed in by the caller;
every `occurred_on` is a date in Asia/Shanghai that the caller has already chosen
(it decides the year and quarter an entry counts in).

Errors a person can cause (a wrong code, a late correction, reversing twice) are
`LedgerError` (a ValueError) or `UnknownRecord` (a LookupError); each carries a
`text_id` for the catalog (see storage/_ledger_texts_draft.yaml) and English
words for the log.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite
from pypinyin import Style, lazy_pinyin

from policy.points import (
    AWARDS,
    ITEMS_BY_KEY,
    VETOES,
    Bands,
    Rating,
    correction_deadline,
    rate,
    signed_points,
)
from policy.workdays import WorkCalendar
from storage.db import Database

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Typed by older lawyers from a message: no 0/O, 1/I/L look-alikes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
DEFAULT_CODE_TTL = timedelta(days=7)

SYSTEM = "system"
DISCRETIONARY_KEY = "other_award"  # 二(一)12 视情况得分
PRAISE_KEY = "praise"  # 二(一)10
PRAISE_SOURCE_KIND = "praise"

_AWARD_KEYS = frozenset(i.key for i in AWARDS)
_VETO_KEYS = tuple(sorted(i.key for i in VETOES))


# --- errors -------------------------------------------------------------------------------------


class LedgerError(ValueError):
    """A request the rules refuse. `text_id` names the catalog text to show; `fields` fill it."""

    def __init__(self, text_id: str, message: str, **fields: Any):
        super().__init__(message)
        self.text_id = text_id
        self.fields = fields


class UnknownRecord(LookupError):
    """No lawyer, entry, praise or correction with that id."""

    def __init__(self, kind: str, record_id: object):
        super().__init__(f"no {kind} with id {record_id!r}")
        self.text_id = f"ledger.error.unknown_{kind}"
        self.kind = kind
        self.record_id = record_id


# --- values -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lawyer:
    id: int
    name: str
    firm: str
    channel: str | None
    user_id: str | None
    on_duty: bool
    active: bool
    created_at: datetime

    @property
    def bound(self) -> bool:
        """Whether a chat account is linked, so the bot can reach this lawyer."""
        return self.channel is not None


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
    reverses_id: int | None
    note: str
    entered_by: str
    entered_at: datetime

    @property
    def title(self) -> str:
        return ITEMS_BY_KEY[self.item_key].title

    @property
    def is_veto(self) -> bool:
        return self.item_key in _VETO_KEYS

    @property
    def quantity(self) -> int:
        return _quantity(self.item_key, self.points)


@dataclass(frozen=True)
class StatementLine:
    entry_id: int
    clause: str
    item_key: str
    title: str
    points: int
    quantity: int
    occurred_on: date
    note: str
    reverses_id: int | None  # set on a counter-entry: the line it cancels
    is_veto: bool


@dataclass(frozen=True)
class Statement:
    lawyer_id: int
    year: int
    quarter: int | None  # None: the whole year
    items: list[StatementLine]
    total: int
    vetoed: bool  # a veto in this period that has not been reversed


class Decision(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"  # praise
    REJECTED = "rejected"
    ACCEPTED = "accepted"  # correction


@dataclass(frozen=True)
class PendingPraise:
    id: int
    lawyer_id: int
    source_id: str
    occurred_on: date
    created_at: datetime
    status: Decision
    decided_by: str | None
    decided_at: datetime | None
    reason: str
    ledger_id: int | None


@dataclass(frozen=True)
class Correction:
    id: int
    lawyer_id: int
    year: int
    quarter: int
    text: str
    statement_delivered_on: date
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


# --- the store ----------------------------------------------------------------------------------


class LedgerStore:
    def __init__(self, db: Database):
        self.db = db

    # --- lawyers ------------------------------------------------------------------------------
    async def add_lawyer(
        self, name: str, firm: str, now: datetime, code_ttl: timedelta = DEFAULT_CODE_TTL
    ) -> tuple[Lawyer, str]:
        """Register a lawyer; returns the one-time code they send the bot to bind their account."""
        name, firm = _required(name, "name"), _required(firm, "firm")
        created = _utc(now)
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO lawyers (name, firm, created_at) VALUES (?, ?, ?)",
                (name, firm, _iso(created)),
            )
            lawyer_id = cur.lastrowid
            code = await _set_new_code(conn, lawyer_id, created, code_ttl)
        lawyer = await self.get_lawyer(lawyer_id)
        assert lawyer is not None
        return lawyer, code

    async def reissue_code(
        self, lawyer_id: int, now: datetime, code_ttl: timedelta = DEFAULT_CODE_TTL
    ) -> str:
        """A fresh code (the old one stops working), e.g. after expiry or a change of phone."""
        async with self.db.transaction() as conn:
            await _require_lawyer(conn, lawyer_id)
            return await _set_new_code(conn, lawyer_id, _utc(now), code_ttl)

    async def bind(self, code: str, channel: str, user_id: str, now: datetime) -> Lawyer | None:
        """Link the chat account that sent `code` to its lawyer. None for an unknown, used or expired code.

        A chat account already linked to a different lawyer is a LedgerError: one phone, one lawyer.
        """
        channel = _required(channel, "channel")
        user_id = _required("" if user_id is None else str(user_id), "user_id")
        digest = _hash_code(code)
        at = _utc(now)
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT id, code_expires_at FROM lawyers"
                " WHERE register_code_hash = ? AND active = 1",
                (digest,),
            ) as cur:
                row = await cur.fetchone()
            if row is None or at >= _parse_dt(row["code_expires_at"]):
                return None
            async with conn.execute(
                "SELECT id FROM lawyers WHERE channel = ? AND user_id = ? AND id <> ?",
                (channel, user_id, row["id"]),
            ) as cur:
                other = await cur.fetchone()
            if other is not None:
                raise LedgerError(
                    "ledger.error.account_already_bound",
                    f"{channel} account {user_id} is already bound to lawyer {other['id']}",
                )
            await conn.execute(
                "UPDATE lawyers SET channel = ?, user_id = ?, register_code_hash = NULL,"
                " code_expires_at = NULL WHERE id = ?",
                (channel, user_id, row["id"]),
            )
            lawyer_id = row["id"]
        return await self.get_lawyer(lawyer_id)

    async def lawyer_for(self, channel: str, user_id: str) -> Lawyer | None:
        """The active lawyer bound to this chat account, if any."""
        return await self._one_lawyer(
            "WHERE channel = ? AND user_id = ? AND active = 1", (channel, str(user_id))
        )

    async def get_lawyer(self, lawyer_id: int) -> Lawyer | None:
        return await self._one_lawyer("WHERE id = ?", (lawyer_id,))

    async def list_lawyers(self) -> list[Lawyer]:
        """Every lawyer, active or not, in 拼音 order of name."""
        async with self.db.conn.execute(f"SELECT {_LAWYER_COLUMNS} FROM lawyers") as cur:
            rows = await cur.fetchall()
        return sorted((_lawyer(r) for r in rows), key=lambda l: (_name_key(l.name), l.id))

    async def set_on_duty(self, lawyer_id: int, on_duty: bool) -> Lawyer:
        """Put a lawyer on or off the duty roster; only a bound lawyer can be reached on duty."""
        async with self.db.transaction() as conn:
            row = await _require_lawyer(conn, lawyer_id)
            if on_duty and row["channel"] is None:
                raise LedgerError(
                    "ledger.error.duty_needs_binding",
                    f"lawyer {lawyer_id} has not bound a chat account and cannot be put on duty",
                )
            await conn.execute(
                "UPDATE lawyers SET on_duty = ? WHERE id = ?", (int(bool(on_duty)), lawyer_id)
            )
        lawyer = await self.get_lawyer(lawyer_id)
        assert lawyer is not None
        return lawyer

    async def on_duty_lawyers(self) -> list[Lawyer]:
        """Active, bound lawyers on duty: the ones the bot may hand a question to."""
        async with self.db.conn.execute(
            f"SELECT {_LAWYER_COLUMNS} FROM lawyers"
            " WHERE on_duty = 1 AND active = 1 AND channel IS NOT NULL"
        ) as cur:
            rows = await cur.fetchall()
        return sorted((_lawyer(r) for r in rows), key=lambda l: (_name_key(l.name), l.id))

    async def _one_lawyer(self, where: str, params: tuple[object, ...]) -> Lawyer | None:
        async with self.db.conn.execute(f"SELECT {_LAWYER_COLUMNS} FROM lawyers {where}", params) as cur:
            row = await cur.fetchone()
        return _lawyer(row) if row else None

    # --- entries ------------------------------------------------------------------------------
    async def add_entry(
        self,
        lawyer_id: int,
        item_key: str,
        occurred_on: date,
        entered_by: str,
        now: datetime,
        note: str = "",
        points: int | None = None,
        quantity: int = 1,
    ) -> Entry:
        """A manual entry by staff, for `quantity` occurrences of one catalogue item.

        Points come from the catalogue (awards +, deductions −) times `quantity`. 二(一)12
        (视情况) takes explicit positive `points` and a note saying why; a veto (二(三))
        is recorded with 0 points, needs a note, and makes its year 不合格.
        """
        item = ITEMS_BY_KEY.get(item_key)
        if item is None:
            raise LedgerError("ledger.error.unknown_item", f"unknown points item {item_key!r}", key=item_key)
        note = (note or "").strip()
        entered_by = _required(entered_by, "entered_by")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise LedgerError(
                "ledger.error.bad_quantity", f"quantity must be a whole number >= 1, got {quantity!r}"
            )
        if item_key in _VETO_KEYS:
            if points is not None or quantity != 1:
                raise LedgerError(
                    "ledger.error.veto_has_no_points",
                    f"{item.clause} is a veto: it carries no points and is recorded once",
                )
            if not note:
                raise LedgerError(
                    "ledger.error.note_required", f"a veto ({item.clause}) needs a note saying why"
                )
            value = 0
        elif item.points is None:
            if points is None or isinstance(points, bool) or not isinstance(points, int) or points <= 0:
                raise LedgerError(
                    "ledger.error.discretionary_needs_points",
                    f"{item.clause} is scored case by case: give positive whole points, got {points!r}",
                )
            if quantity != 1:
                raise LedgerError(
                    "ledger.error.bad_quantity", f"{item.clause}: give the total as points, quantity 1"
                )
            if not note:
                raise LedgerError(
                    "ledger.error.note_required", f"{item.clause} needs a note saying what is rewarded"
                )
            value = points
        else:
            if points is not None:
                raise LedgerError(
                    "ledger.error.points_fixed",
                    f"{item.clause} has fixed points ({item.points} each); pass quantity, not points",
                )
            unit = signed_points(item_key)
            assert unit is not None
            value = unit * quantity
        day = _day(occurred_on)
        _not_in_future(occurred_on, now)
        entered_at = _utc(now)
        async with self.db.transaction() as conn:
            await _require_lawyer(conn, lawyer_id)
            cur = await conn.execute(
                "INSERT INTO ledger (lawyer_id, item_key, clause, points, occurred_on, note,"
                " entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (lawyer_id, item_key, item.clause, value, day, note, entered_by, _iso(entered_at)),
            )
            entry_id = cur.lastrowid
            return await _entry_by_id(conn, entry_id)

    async def reverse(self, entry_id: int, entered_by: str, now: datetime, note: str) -> Entry:
        """Cancel an entry with a counter-entry on the same day (so the same period nets to zero).

        An entry is reversed at most once, and a counter-entry is never itself reversed:
        to restore a reversed entry, add it again.
        """
        entered_by = _required(entered_by, "entered_by")
        note = (note or "").strip()
        if not note:
            raise LedgerError("ledger.error.note_required", "a reversal needs a note saying why")
        entered_at = _utc(now)
        async with self.db.transaction() as conn:
            original = await _entry_by_id(conn, entry_id)
            if original.reverses_id is not None:
                raise LedgerError(
                    "ledger.error.reversal_not_reversible",
                    f"entry {entry_id} is itself a reversal of entry {original.reverses_id};"
                    " add the original entry again instead",
                    entry_id=entry_id,
                )
            async with conn.execute("SELECT id FROM ledger WHERE reverses_id = ?", (entry_id,)) as cur:
                existing = await cur.fetchone()
            if existing is not None:
                raise LedgerError(
                    "ledger.error.already_reversed",
                    f"entry {entry_id} was already reversed by entry {existing['id']}",
                    entry_id=entry_id,
                    reversal_id=existing["id"],
                )
            try:
                cur = await conn.execute(
                    "INSERT INTO ledger (lawyer_id, item_key, clause, points, occurred_on,"
                    " reverses_id, note, entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        original.lawyer_id,
                        original.item_key,
                        original.clause,
                        -original.points,
                        original.occurred_on.isoformat(),
                        entry_id,
                        note,
                        entered_by,
                        _iso(entered_at),
                    ),
                )
            except sqlite3.IntegrityError:  # another process reversed it first
                raise LedgerError(
                    "ledger.error.already_reversed",
                    f"entry {entry_id} was already reversed",
                    entry_id=entry_id,
                ) from None
            return await _entry_by_id(conn, cur.lastrowid)

    async def get_entry(self, entry_id: int) -> Entry | None:
        try:
            return await _entry_by_id(self.db.conn, entry_id)
        except UnknownRecord:
            return None

    async def auto_award(
        self,
        lawyer_id: int,
        item_key: str,
        source_kind: str,
        source_id: str,
        occurred_on: date,
        now: datetime,
    ) -> bool:
        """Award a fixed-points item once per source event; True if this call added it.

        Exactly-once comes from the ledger's UNIQUE key and ON CONFLICT DO NOTHING, so it
        holds for racing coroutines, other processes and retries alike.
        """
        item = ITEMS_BY_KEY.get(item_key)
        if item is None or item_key not in _AWARD_KEYS or item.points is None:
            # Deductions, vetoes and 视情况 need a person's judgement.
            raise LedgerError(
                "ledger.error.not_automatic", f"{item_key!r} is not a fixed-points award", key=item_key
            )
        # NULLs never collide under UNIQUE, so an empty source would defeat exactly-once.
        source_kind = _required(source_kind, "source_kind")
        source_id = _required(str(source_id), "source_id")
        day = _day(occurred_on)
        _not_in_future(occurred_on, now)
        entered_at = _utc(now)
        async with self.db.transaction() as conn:
            await _require_lawyer(conn, lawyer_id)
            return await insert_award(
                conn, lawyer_id, item_key, source_kind, source_id, day, SYSTEM, entered_at
            ) is not None

    # --- praise (二(一)10) --------------------------------------------------------------------
    async def add_pending_praise(
        self, lawyer_id: int, source_id: str, occurred_on: date, now: datetime
    ) -> PendingPraise | None:
        """Queue praise for staff; None if the event (`source_id`, e.g. 'visit:12') already has some."""
        source_id = _required(str(source_id), "source_id")
        day = _day(occurred_on)
        _not_in_future(occurred_on, now)
        async with self.db.transaction() as conn:
            await _require_lawyer(conn, lawyer_id)
            async with conn.execute(
                "INSERT INTO pending_praise (lawyer_id, source_id, occurred_on, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (source_id) DO NOTHING RETURNING *",
                (lawyer_id, source_id, day, _iso(_utc(now))),
            ) as cur:
                row = await cur.fetchone()
        return _praise(row) if row else None

    async def confirm_pending(self, pending_id: int, staff: str, now: datetime) -> Entry:
        """Staff confirm praise: the +10 entry, keyed like an automatic award so it exists once."""
        staff = _required(staff, "staff")
        at = _utc(now)
        async with self.db.transaction() as conn:
            pending = await _undecided_praise(conn, pending_id)
            entry_id = await insert_award(
                conn,
                pending.lawyer_id,
                PRAISE_KEY,
                PRAISE_SOURCE_KIND,
                pending.source_id,
                pending.occurred_on.isoformat(),
                staff,
                at,
            )
            if entry_id is None:  # already in the ledger under the same key
                async with conn.execute(
                    "SELECT id FROM ledger WHERE source_kind = ? AND source_id = ? AND item_key = ?",
                    (PRAISE_SOURCE_KIND, pending.source_id, PRAISE_KEY),
                ) as cur:
                    entry_id = (await cur.fetchone())["id"]
            await conn.execute(
                "UPDATE pending_praise SET status = 'confirmed', decided_by = ?, decided_at = ?,"
                " ledger_id = ? WHERE id = ?",
                (staff, _iso(at), entry_id, pending_id),
            )
            return await _entry_by_id(conn, entry_id)

    async def reject_pending(self, pending_id: int, staff: str, reason: str, now: datetime) -> PendingPraise:
        staff = _required(staff, "staff")
        reason = _reason(reason)
        async with self.db.transaction() as conn:
            await _undecided_praise(conn, pending_id)
            async with conn.execute(
                "UPDATE pending_praise SET status = 'rejected', decided_by = ?, decided_at = ?,"
                " reason = ? WHERE id = ? RETURNING *",
                (staff, _iso(_utc(now)), reason, pending_id),
            ) as cur:
                row = await cur.fetchone()
        return _praise(row)

    async def list_pending(self) -> list[PendingPraise]:
        """Praise still waiting for staff, oldest first."""
        async with self.db.conn.execute(
            "SELECT * FROM pending_praise WHERE status = 'pending' ORDER BY created_at, id"
        ) as cur:
            return [_praise(r) for r in await cur.fetchall()]

    # --- statements and ratings ---------------------------------------------------------------
    async def statement(self, lawyer_id: int, year: int, quarter: int | None = None) -> Statement:
        """Every entry of a lawyer in a year or quarter, by day, counter-entries included."""
        first, last = _period(year, quarter)
        async with self.db.conn.execute(
            "SELECT * FROM ledger WHERE lawyer_id = ? AND occurred_on BETWEEN ? AND ?"
            " ORDER BY occurred_on, id",
            (lawyer_id, first, last),
        ) as cur:
            entries = [_entry(r) for r in await cur.fetchall()]
        reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}
        lines = [
            StatementLine(
                entry_id=e.id,
                clause=e.clause,
                item_key=e.item_key,
                title=e.title,
                points=e.points,
                quantity=e.quantity,
                occurred_on=e.occurred_on,
                note=e.note,
                reverses_id=e.reverses_id,
                is_veto=e.is_veto,
            )
            for e in entries
        ]
        vetoed = any(e.is_veto and e.reverses_id is None and e.id not in reversed_ids for e in entries)
        return Statement(lawyer_id, year, quarter, lines, sum(e.points for e in entries), vetoed)

    async def year_total(self, lawyer_id: int, year: int) -> int:
        first, last = _period(year, None)
        async with self.db.conn.execute(
            "SELECT COALESCE(SUM(points), 0) FROM ledger"
            " WHERE lawyer_id = ? AND occurred_on BETWEEN ? AND ?",
            (lawyer_id, first, last),
        ) as cur:
            return int((await cur.fetchone())[0])

    async def vetoed(self, lawyer_id: int, year: int) -> bool:
        """Whether the year has a veto (二(三)) that has not been reversed."""
        first, last = _period(year, None)
        async with self.db.conn.execute(
            f"SELECT EXISTS ({_LIVE_VETO} AND e.lawyer_id = ?)", (*_VETO_KEYS, first, last, lawyer_id)
        ) as cur:
            return bool((await cur.fetchone())[0])

    async def rating(self, lawyer_id: int, year: int, bands: Bands = Bands()) -> Rating:
        """The year's grade (一(一)); a live veto makes it 不合格 whatever the total."""
        return rate(await self.year_total(lawyer_id, year), await self.vetoed(lawyer_id, year), bands)

    # --- corrections (二(四)) -----------------------------------------------------------------
    async def file_correction(
        self,
        lawyer_id: int,
        year: int,
        quarter: int,
        text: str,
        statement_delivered_on: date,
        now: datetime,
        cal: WorkCalendar | None = None,
    ) -> Correction:
        """A lawyer reports an omission from a quarterly statement, within 二(四)'s 5 days.

        Late requests raise LedgerError 'ledger.error.correction_too_late' with the deadline.
        """
        _period(year, quarter)
        if quarter is None:
            raise LedgerError("ledger.error.bad_period", "a correction concerns one quarter (1-4)")
        text = _required(text, "text")
        delivered = _day(statement_delivered_on)
        today = _local_day(now)
        if statement_delivered_on > today:
            raise LedgerError(
                "ledger.error.future_date", f"statement delivery {delivered} is after today {today}"
            )
        deadline = correction_deadline(statement_delivered_on, cal)
        if today > deadline:
            raise LedgerError(
                "ledger.error.correction_too_late",
                f"the statement was delivered on {delivered}; corrections closed at the end of {deadline}",
                deadline=deadline,
            )
        async with self.db.transaction() as conn:
            await _require_lawyer(conn, lawyer_id)
            async with conn.execute(
                "INSERT INTO corrections (lawyer_id, year, quarter, text, statement_delivered_on,"
                " deadline, filed_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
                (lawyer_id, year, quarter, text, delivered, deadline.isoformat(), _iso(_utc(now))),
            ) as cur:
                return _correction(await cur.fetchone())

    async def decide_correction(
        self, correction_id: int, accept: bool, reason: str, staff: str, now: datetime
    ) -> Correction:
        """Staff accept or reject a correction, always with a reason the lawyer will see.

        Accepting does not add points: staff add the missing entry with `add_entry`.
        """
        reason = _reason(reason)
        staff = _required(staff, "staff")
        status = Decision.ACCEPTED if accept else Decision.REJECTED
        async with self.db.transaction() as conn:
            async with conn.execute("SELECT status FROM corrections WHERE id = ?", (correction_id,)) as cur:
                row = await cur.fetchone()
            if row is None:
                raise UnknownRecord("correction", correction_id)
            if row["status"] != Decision.PENDING:
                raise LedgerError(
                    "ledger.error.already_decided",
                    f"correction {correction_id} is already {row['status']}",
                    record_id=correction_id,
                )
            async with conn.execute(
                "UPDATE corrections SET status = ?, reason = ?, decided_by = ?, decided_at = ?"
                " WHERE id = ? RETURNING *",
                (status.value, reason, staff, _iso(_utc(now)), correction_id),
            ) as cur:
                return _correction(await cur.fetchone())

    async def list_corrections(self, status: Decision | str | None = None) -> list[Correction]:
        """Corrections, oldest first; `status` 'pending', 'accepted' or 'rejected', or None for all."""
        sql, params = "SELECT * FROM corrections", []
        if status is not None:
            if status not in (Decision.PENDING, Decision.ACCEPTED, Decision.REJECTED):
                raise ValueError(f"correction status is pending, accepted or rejected, not {status!r}")
            sql += " WHERE status = ?"
            params.append(str(status))
        async with self.db.conn.execute(sql + " ORDER BY filed_at, id", params) as cur:
            return [_correction(r) for r in await cur.fetchall()]

    # --- report (二(五)) ----------------------------------------------------------------------
    async def report(self, year: int, quarter: int | None = None, bands: Bands = Bands()) -> list[ReportRow]:
        """The ranking: active lawyers and anyone with entries in the period, highest total first.

        Equal totals share a rank (1, 1, 3) and are listed in 拼音 order of name. A
        yearly report rates each lawyer; a quarterly one leaves the rating empty, since
        一(一) rates a year, but still flags a veto anywhere in the year.
        """
        first, last = _period(year, quarter)
        year_first, year_last = _period(year, None)
        async with self.db.conn.execute(
            "SELECT l.id, l.name, l.firm,"
            " (SELECT COALESCE(SUM(e.points), 0) FROM ledger e"
            "   WHERE e.lawyer_id = l.id AND e.occurred_on BETWEEN ? AND ?) AS total,"
            f" EXISTS ({_LIVE_VETO} AND e.lawyer_id = l.id) AS vetoed"
            " FROM lawyers l"
            " WHERE l.active = 1 OR EXISTS (SELECT 1 FROM ledger e"
            "   WHERE e.lawyer_id = l.id AND e.occurred_on BETWEEN ? AND ?)",
            (first, last, *_VETO_KEYS, year_first, year_last, first, last),
        ) as cur:
            rows = await cur.fetchall()
        ordered = sorted(rows, key=lambda r: (-r["total"], _name_key(r["name"]), r["id"]))
        out: list[ReportRow] = []
        for position, r in enumerate(ordered, start=1):
            rank = out[-1].rank if out and out[-1].total == r["total"] else position
            vetoed = bool(r["vetoed"])
            rating = rate(r["total"], vetoed, bands) if quarter is None else None
            out.append(ReportRow(rank, r["id"], r["name"], r["firm"], r["total"], rating, vetoed))
        return out


# --- helpers ------------------------------------------------------------------------------------

_LAWYER_COLUMNS = "id, name, firm, channel, user_id, on_duty, active, created_at"

# A veto entry in [?, ?] (after the veto keys) that no counter-entry cancels.
_LIVE_VETO = (
    "SELECT 1 FROM ledger e WHERE e.item_key IN ("
    + ", ".join("?" for _ in _VETO_KEYS)
    + ") AND e.reverses_id IS NULL AND e.occurred_on BETWEEN ? AND ?"
    " AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses_id = e.id)"
)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(typed: str) -> str:
    """What the person meant: full-width input (中文输入法) folded, case and spaces ignored."""
    folded = unicodedata.normalize("NFKC", typed or "").upper()
    return "".join(ch for ch in folded if ch not in " -_\t\r\n")


def _hash_code(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode("ascii", "ignore")).hexdigest()


async def _set_new_code(conn: aiosqlite.Connection, lawyer_id: int, now: datetime, ttl: timedelta) -> str:
    if ttl <= timedelta(0):
        raise ValueError(f"code_ttl must be positive, got {ttl}")
    for _ in range(5):
        code = new_code()
        try:
            await conn.execute(
                "UPDATE lawyers SET register_code_hash = ?, code_expires_at = ? WHERE id = ?",
                (_hash_code(code), _iso(now + ttl), lawyer_id),
            )
        except sqlite3.IntegrityError:  # the same code is live for someone else: draw again
            continue
        return code
    raise RuntimeError("could not draw an unused registration code")


async def _require_lawyer(conn: aiosqlite.Connection, lawyer_id: int) -> aiosqlite.Row:
    async with conn.execute("SELECT id, channel FROM lawyers WHERE id = ?", (lawyer_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        raise UnknownRecord("lawyer", lawyer_id)
    return row


async def insert_award(
    conn: aiosqlite.Connection,
    lawyer_id: int,
    item_key: str,
    source_kind: str,
    source_id: str,
    day: str,
    entered_by: str,
    entered_at: datetime,
    note: str = "",
) -> int | None:
    """Insert a fixed-points award keyed by its source, inside the caller's transaction.

    The new id, or None if it was already there: the ledger's UNIQUE (source_kind, source_id,
    item_key) makes it exactly once, so other stores (a visit marked done, an answer given)
    can award in the same transaction as the change that earns it.
    """
    item = ITEMS_BY_KEY[item_key]
    async with conn.execute(
        "INSERT INTO ledger (lawyer_id, item_key, clause, points, occurred_on, source_kind,"
        " source_id, note, entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (source_kind, source_id, item_key) DO NOTHING RETURNING id",
        (lawyer_id, item_key, item.clause, signed_points(item_key), day, source_kind, source_id,
         note, entered_by, _iso(entered_at)),
    ) as cur:
        row = await cur.fetchone()
    return row["id"] if row else None


async def _entry_by_id(conn: aiosqlite.Connection, entry_id: int) -> Entry:
    async with conn.execute("SELECT * FROM ledger WHERE id = ?", (entry_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        raise UnknownRecord("entry", entry_id)
    return _entry(row)


async def _undecided_praise(conn: aiosqlite.Connection, pending_id: int) -> PendingPraise:
    async with conn.execute("SELECT * FROM pending_praise WHERE id = ?", (pending_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        raise UnknownRecord("praise", pending_id)
    pending = _praise(row)
    if pending.status != Decision.PENDING:
        raise LedgerError(
            "ledger.error.already_decided",
            f"praise {pending_id} is already {pending.status}",
            record_id=pending_id,
        )
    return pending


def _lawyer(r: aiosqlite.Row) -> Lawyer:
    return Lawyer(
        id=r["id"],
        name=r["name"],
        firm=r["firm"],
        channel=r["channel"],
        user_id=r["user_id"],
        on_duty=bool(r["on_duty"]),
        active=bool(r["active"]),
        created_at=_parse_dt(r["created_at"]),
    )


def _entry(r: aiosqlite.Row) -> Entry:
    return Entry(
        id=r["id"],
        lawyer_id=r["lawyer_id"],
        item_key=r["item_key"],
        clause=r["clause"],
        points=r["points"],
        occurred_on=date.fromisoformat(r["occurred_on"]),
        source_kind=r["source_kind"],
        source_id=r["source_id"],
        reverses_id=r["reverses_id"],
        note=r["note"],
        entered_by=r["entered_by"],
        entered_at=_parse_dt(r["entered_at"]),
    )


def _praise(r: aiosqlite.Row) -> PendingPraise:
    return PendingPraise(
        id=r["id"],
        lawyer_id=r["lawyer_id"],
        source_id=r["source_id"],
        occurred_on=date.fromisoformat(r["occurred_on"]),
        created_at=_parse_dt(r["created_at"]),
        status=Decision(r["status"]),
        decided_by=r["decided_by"],
        decided_at=_parse_dt(r["decided_at"]) if r["decided_at"] else None,
        reason=r["reason"],
        ledger_id=r["ledger_id"],
    )


def _correction(r: aiosqlite.Row) -> Correction:
    return Correction(
        id=r["id"],
        lawyer_id=r["lawyer_id"],
        year=r["year"],
        quarter=r["quarter"],
        text=r["text"],
        statement_delivered_on=date.fromisoformat(r["statement_delivered_on"]),
        deadline=date.fromisoformat(r["deadline"]),
        filed_at=_parse_dt(r["filed_at"]),
        status=Decision(r["status"]),
        reason=r["reason"],
        decided_by=r["decided_by"],
        decided_at=_parse_dt(r["decided_at"]) if r["decided_at"] else None,
    )


def _quantity(item_key: str, points: int) -> int:
    unit = ITEMS_BY_KEY[item_key].points
    return abs(points) // unit if unit else 1


def _name_key(name: str) -> tuple[list[str], str]:
    # Chinese readers expect names in 拼音 order; code-point order looks random to them.
    return lazy_pinyin(name, style=Style.TONE3), name


def _period(year: int, quarter: int | None) -> tuple[str, str]:
    """First and last day (YYYY-MM-DD, both inclusive) of a year or one of its quarters."""
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise LedgerError("ledger.error.bad_period", f"year must be a whole number, got {year!r}")
    if quarter is None:
        return date(year, 1, 1).isoformat(), date(year, 12, 31).isoformat()
    if quarter not in (1, 2, 3, 4) or isinstance(quarter, bool):
        raise LedgerError("ledger.error.bad_period", f"quarter must be 1-4, got {quarter!r}")
    first = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first.isoformat(), (after - timedelta(days=1)).isoformat()


def _utc(at: datetime) -> datetime:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"a time must be a timezone-aware datetime, got {at!r}")
    return at.astimezone(timezone.utc)


def _iso(at: datetime) -> str:
    # UTC, so stored times compare correctly as text too.
    return _utc(at).isoformat(timespec="seconds")


def _parse_dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _local_day(now: datetime) -> date:
    return _utc(now).astimezone(SHANGHAI).date()


def _day(d: date) -> str:
    if isinstance(d, datetime) or not isinstance(d, date):
        # A datetime would silently drop its zone; the caller picks the Asia/Shanghai day.
        raise TypeError(f"expected a date (YYYY-MM-DD in Asia/Shanghai), got {d!r}")
    return d.isoformat()


def _not_in_future(d: date, now: datetime) -> None:
    today = _local_day(now)
    if d > today:
        raise LedgerError(
            "ledger.error.future_date", f"{d.isoformat()} is after today ({today.isoformat()})"
        )


def _required(value: str, what: str) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise LedgerError("ledger.error.required", f"{what} must not be empty", field=what)
    return text


def _reason(reason: str) -> str:
    text = (reason or "").strip() if isinstance(reason, str) else ""
    if not text:
        raise LedgerError("ledger.error.reason_required", "a decision needs a reason the lawyer can read")
    return text
