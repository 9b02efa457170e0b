"""Home-visit bookings (衢市司发〔2020〕3号 三): seats, references, reminders, visit points.

Every write is one BEGIN IMMEDIATE transaction (`Database.transaction`), so the
check "is a seat free?" and the insert that takes it cannot be split by another
booking. The partial unique index on (county, visit_date, window, seat) makes
overselling impossible even if this code were wrong; its IntegrityError is read
as "full".

Times come from the caller (never the clock here) and must be timezone-aware;
they are stored as UTC ISO 8601 strings, so SQL can compare them as text, and
handed back in the centre's zone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Literal
from zoneinfo import ZoneInfo

import aiosqlite

from policy.eligibility import County
from policy.points import ITEMS_BY_KEY
from policy.slots import Window, make_reference
from storage.db import Database
from storage.ledger import insert_award

PhoneOwner = Literal["self", "family"]
Audience = Literal["resident", "lawyer"]
BookingStatus = Literal["active", "cancelled", "visited", "no_show"]

# 二(一)4 配合市法律援助中心组织各类活动,提供法律咨询、上门服务的,每次得10分
VISIT_ITEM = ITEMS_BY_KEY["activity"]
VISIT_SOURCE_KIND = "visit"

# The message SQLite gives when bookings_seat_taken rejects a row.
_SEAT_TAKEN = "bookings.county, bookings.visit_date, bookings.window, bookings.seat"
# What purging blanks. user_id is the chat account; the request key may embed it.
_BLANKED = (
    "elder_name = '', phone = '', address = '', access_needs = '', matter = '',"
    " user_id = '', request_key = 'purged:' || id"
)


@dataclass(frozen=True)
class BookingDraft:
    """What the booking dialogue collected, after the person confirmed (确认)."""

    channel: str
    user_id: str
    county: County
    visit_date: date
    window: str
    elder_name: str
    phone: str
    phone_owner: PhoneOwner
    township: str
    address: str
    matter: str
    consent_at: datetime
    access_needs: str = ""

    def __post_init__(self) -> None:
        for name in ("channel", "user_id", "window", "elder_name", "phone", "township", "address", "matter"):
            if not str(getattr(self, name)).strip():
                raise ValueError(f"booking draft: {name} is empty")
        if self.phone_owner not in ("self", "family"):
            raise ValueError(f"phone_owner must be 'self' or 'family', got {self.phone_owner!r}")
        County(self.county)  # raises for a county outside Quzhou
        _require_aware(self.consent_at, "consent_at")


@dataclass(frozen=True)
class Booking:
    id: int
    ref: str
    channel: str
    user_id: str
    county: County
    visit_date: date
    window: str
    seat: int
    status: BookingStatus
    elder_name: str
    phone: str
    phone_owner: PhoneOwner
    township: str
    address: str
    access_needs: str
    matter: str
    consent_at: datetime
    lawyer_id: int | None
    closed_by: str | None
    created_at: datetime
    updated_at: datetime
    personal_purged_at: datetime | None


@dataclass(frozen=True)
class CreateResult:
    status: Literal["created", "duplicate", "full"]
    booking: Booking | None  # None only when full


@dataclass(frozen=True)
class Outcome:
    """Result of a change to an existing booking.

    status, by method:
      cancel        cancelled | already_cancelled | not_active | past | not_found
      reschedule    moved | unchanged | full | not_active | past | not_found
      assign_lawyer assigned | not_active | no_such_lawyer | not_found
      mark_visited  visited | already_visited | no_lawyer | not_yet | not_active | not_found
      mark_no_show  no_show | already_no_show | not_yet | not_active | not_found
    `booking` is the row after the call (None for not_found). Someone else's
    booking is reported as not_found: references are sequential, hence guessable.
    """

    status: str
    booking: Booking | None


@dataclass(frozen=True)
class DueReminder:
    """A reminder whose time has come, with what the message needs: the booking and its lawyer."""

    id: int
    audience: Audience
    due_at: datetime
    booking: Booking
    lawyer_name: str | None
    lawyer_firm: str | None
    lawyer_channel: str | None  # None: the lawyer has not bound a chat account
    lawyer_user_id: str | None

    @property
    def ref(self) -> str:
        return self.booking.ref


@dataclass(frozen=True)
class PendingReminder:
    id: int
    booking_id: int
    ref: str
    audience: Audience
    due_at: datetime


@dataclass(frozen=True)
class ExportRow:
    """A booking for staff exports, with its lawyer's name and firm."""

    booking: Booking
    lawyer_name: str | None
    lawyer_firm: str | None


def _require_aware(at: datetime, name: str = "time") -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _utc(at: datetime) -> str:
    _require_aware(at)
    return at.astimezone(timezone.utc).isoformat(timespec="seconds")


def _key(window: Window | str) -> str:
    return window.key if isinstance(window, Window) else window


class BookingStore:
    """The bookings interface the flows use; plain values in, dataclasses out."""

    def __init__(self, db: Database, tz: ZoneInfo):
        self.db = db
        # The centre's zone: decides "today" (past bookings, reference day) and the zone of returned times.
        self.tz = tz

    # --- reading -----------------------------------------------------------------

    async def availability(
        self, county: County | str, dates: Iterable[date], windows: Iterable[Window | str], capacity: int
    ) -> dict[tuple[date, str], int]:
        """Free seats for every (date, window key), in one query. Never negative."""
        days = list(dates)
        keys = [_key(w) for w in windows]
        free = {(d, k): capacity for d in days for k in keys}
        if not free:
            return free
        sql = (
            "SELECT visit_date, window, COUNT(*) AS taken FROM bookings"
            " WHERE county = ? AND status != 'cancelled'"
            f" AND visit_date IN ({','.join('?' * len(days))})"
            f" AND window IN ({','.join('?' * len(keys))})"
            " GROUP BY visit_date, window"
        )
        params = [str(county), *(d.isoformat() for d in days), *keys]
        async with self.db.conn.execute(sql, params) as cur:
            for row in await cur.fetchall():
                slot = (date.fromisoformat(row["visit_date"]), row["window"])
                free[slot] = max(0, capacity - row["taken"])
        return free

    async def get(self, ref: str) -> Booking | None:
        row = await self._fetch_one(self.db.conn, "SELECT * FROM bookings WHERE ref = ?", (ref,))
        return self._booking(row) if row else None

    async def list_for_user(self, channel: str, user_id: str) -> list[Booking]:
        """Active bookings first, soonest first; then the rest, most recent first."""
        sql = (
            "SELECT * FROM bookings WHERE channel = ? AND user_id = ?"
            " ORDER BY status != 'active',"
            " CASE WHEN status = 'active' THEN visit_date END ASC,"
            " visit_date DESC, window, id DESC"
        )
        return [self._booking(r) for r in await self._fetch_all(self.db.conn, sql, (channel, user_id))]

    async def list_for_date(self, day: date, include_cancelled: bool = False) -> list[Booking]:
        sql = "SELECT * FROM bookings WHERE visit_date = ?"
        if not include_cancelled:
            sql += " AND status != 'cancelled'"
        sql += " ORDER BY county, window, seat, id"
        return [self._booking(r) for r in await self._fetch_all(self.db.conn, sql, (day.isoformat(),))]

    async def export_rows(self, date_from: date, date_to: date) -> list[ExportRow]:
        """Every booking with a visit date in [date_from, date_to], lawyer joined; unformatted."""
        sql = (
            "SELECT b.*, l.name AS lawyer_name, l.firm AS lawyer_firm"
            " FROM bookings b LEFT JOIN lawyers l ON l.id = b.lawyer_id"
            " WHERE b.visit_date BETWEEN ? AND ?"
            " ORDER BY b.visit_date, b.county, b.window, b.seat, b.id"
        )
        rows = await self._fetch_all(self.db.conn, sql, (date_from.isoformat(), date_to.isoformat()))
        return [
            ExportRow(self._booking(r), r["lawyer_name"], r["lawyer_firm"])
            for r in rows
        ]

    # --- booking, cancelling, moving ---------------------------------------------

    async def create(
        self,
        draft: BookingDraft,
        capacity: int,
        request_key: str,
        now: datetime,
        reminder_times: Mapping[str, datetime],
    ) -> CreateResult:
        """Book the lowest free seat of the draft's window, or say why not.

        Same `request_key` again (a double tap on 确认) returns the first booking.
        Only the resident's reminder is armed here; the lawyer's comes with
        `assign_lawyer`. A reminder whose time has already passed is not armed:
        the confirmation the person is reading says the same thing.
        """
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        if not request_key:
            raise ValueError("request_key is empty")
        stamp = _utc(now)
        try:
            async with self.db.transaction() as conn:
                existing = await self._fetch_one(
                    conn, "SELECT * FROM bookings WHERE request_key = ?", (request_key,)
                )
                if existing is not None:
                    if (existing["channel"], existing["user_id"]) != (draft.channel, draft.user_id):
                        raise ValueError("request_key already used by another user; keys must be per user")
                    return CreateResult("duplicate", self._booking(existing))
                seat = await self._free_seat(
                    conn, str(draft.county), draft.visit_date, draft.window, capacity, exclude_id=None
                )
                if seat is None:
                    return CreateResult("full", None)
                ref = await self._next_ref(conn, now)
                row = await self._fetch_one(
                    conn,
                    "INSERT INTO bookings (ref, channel, user_id, county, visit_date, window, seat, status,"
                    " elder_name, phone, phone_owner, township, address, access_needs, matter, consent_at,"
                    " request_key, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                    (
                        ref, draft.channel, draft.user_id, str(draft.county), draft.visit_date.isoformat(),
                        draft.window, seat, draft.elder_name.strip(), draft.phone.strip(), draft.phone_owner,
                        draft.township.strip(), draft.address.strip(), draft.access_needs.strip(),
                        draft.matter.strip(), _utc(draft.consent_at), request_key, stamp, stamp,
                    ),
                )
                assert row is not None
                await self._arm(conn, row["id"], "resident", reminder_times.get("resident"), now)
                return CreateResult("created", self._booking(row))
        except sqlite3.IntegrityError as exc:
            if _SEAT_TAKEN in str(exc):
                return CreateResult("full", None)
            raise

    async def cancel(self, ref: str, channel: str, user_id: str, now: datetime) -> Outcome:
        """The owner cancels: the seat is free at once and unsent reminders are dropped."""
        stamp = _utc(now)
        async with self.db.transaction() as conn:
            row = await self._owned(conn, ref, channel, user_id)
            if row is None:
                return Outcome("not_found", None)
            if row["status"] == "cancelled":
                return Outcome("already_cancelled", self._booking(row))
            if row["status"] != "active":
                return Outcome("not_active", self._booking(row))
            if date.fromisoformat(row["visit_date"]) < self._today(now):
                return Outcome("past", self._booking(row))
            await conn.execute(
                "UPDATE bookings SET status = 'cancelled', updated_at = ? WHERE id = ?", (stamp, row["id"])
            )
            await self._drop_unsent(conn, [row["id"]], now, "cancelled")
            return Outcome("cancelled", await self._by_id(conn, row["id"]))

    async def reschedule(
        self,
        ref: str,
        channel: str,
        user_id: str,
        new_date: date,
        new_window: Window | str,
        capacity: int,
        now: datetime,
        reminder_times: Mapping[str, datetime],
    ) -> Outcome:
        """Move the owner's booking to another slot, keeping its reference.

        Seat and slot change in one UPDATE inside one transaction: if the new
        window is full the booking is left exactly as it was. Reminders are
        re-armed from `reminder_times` ('resident', and 'lawyer' when a lawyer is
        assigned; the lawyer stays assigned and must be told by the caller).
        """
        window = _key(new_window)
        stamp = _utc(now)
        try:
            async with self.db.transaction() as conn:
                row = await self._owned(conn, ref, channel, user_id)
                if row is None:
                    return Outcome("not_found", None)
                if row["status"] != "active":
                    return Outcome("not_active", self._booking(row))
                if date.fromisoformat(row["visit_date"]) < self._today(now):
                    return Outcome("past", self._booking(row))
                if (row["visit_date"], row["window"]) == (new_date.isoformat(), window):
                    return Outcome("unchanged", self._booking(row))
                seat = await self._free_seat(conn, row["county"], new_date, window, capacity, exclude_id=row["id"])
                if seat is None:
                    return Outcome("full", self._booking(row))
                await conn.execute(
                    "UPDATE bookings SET visit_date = ?, window = ?, seat = ?, updated_at = ? WHERE id = ?",
                    (new_date.isoformat(), window, seat, stamp, row["id"]),
                )
                await self._arm(conn, row["id"], "resident", reminder_times.get("resident"), now)
                if row["lawyer_id"] is not None:
                    await self._arm(conn, row["id"], "lawyer", reminder_times.get("lawyer"), now)
                return Outcome("moved", await self._by_id(conn, row["id"]))
        except sqlite3.IntegrityError as exc:
            if _SEAT_TAKEN in str(exc):
                return Outcome("full", await self.get(ref))
            raise

    # --- staff ---------------------------------------------------------------------

    async def assign_lawyer(
        self, ref: str, lawyer_id: int, now: datetime, lawyer_reminder_at: datetime | None
    ) -> Outcome:
        """Assign (or replace) the lawyer and arm the lawyer's reminder."""
        stamp = _utc(now)
        async with self.db.transaction() as conn:
            row = await self._fetch_one(conn, "SELECT * FROM bookings WHERE ref = ?", (ref,))
            if row is None:
                return Outcome("not_found", None)
            if row["status"] != "active":
                return Outcome("not_active", self._booking(row))
            lawyer = await self._fetch_one(conn, "SELECT id FROM lawyers WHERE id = ? AND active = 1", (lawyer_id,))
            if lawyer is None:
                return Outcome("no_such_lawyer", self._booking(row))
            if row["lawyer_id"] != lawyer_id:
                await conn.execute(
                    "UPDATE bookings SET lawyer_id = ?, updated_at = ? WHERE id = ?", (lawyer_id, stamp, row["id"])
                )
                await self._arm(conn, row["id"], "lawyer", lawyer_reminder_at, now)
            return Outcome("assigned", await self._by_id(conn, row["id"]))

    async def mark_visited(self, ref: str, staff: str, now: datetime) -> Outcome:
        """The visit took place: +10 for the lawyer under 二(一)4, in the same transaction, once.

        `staff` is recorded as the ledger's entered_by ('staff:<id>'). A booking
        marked no_show by mistake may be corrected to visited; the reverse needs a
        ledger counter-entry and is refused here (not_active).
        """
        stamp = _utc(now)
        async with self.db.transaction() as conn:
            row = await self._fetch_one(conn, "SELECT * FROM bookings WHERE ref = ?", (ref,))
            if row is None:
                return Outcome("not_found", None)
            if row["status"] == "cancelled":
                return Outcome("not_active", self._booking(row))
            if row["lawyer_id"] is None:
                return Outcome("no_lawyer", self._booking(row))
            if date.fromisoformat(row["visit_date"]) > self._today(now):
                return Outcome("not_yet", self._booking(row))
            already = row["status"] == "visited"
            if not already:
                await conn.execute(
                    "UPDATE bookings SET status = 'visited', closed_by = ?, updated_at = ? WHERE id = ?",
                    (staff, stamp, row["id"]),
                )
            # The ledger's UNIQUE (source_kind, source_id, item_key) makes this happen once per visit.
            await insert_award(
                conn, row["lawyer_id"], VISIT_ITEM.key, VISIT_SOURCE_KIND, row["ref"], row["visit_date"],
                staff, now, note=f"上门服务 {row['ref']}",
            )
            return Outcome("already_visited" if already else "visited", await self._by_id(conn, row["id"]))

    async def mark_no_show(self, ref: str, staff: str, now: datetime) -> Outcome:
        stamp = _utc(now)
        async with self.db.transaction() as conn:
            row = await self._fetch_one(conn, "SELECT * FROM bookings WHERE ref = ?", (ref,))
            if row is None:
                return Outcome("not_found", None)
            if row["status"] == "no_show":
                return Outcome("already_no_show", self._booking(row))
            if row["status"] != "active":
                return Outcome("not_active", self._booking(row))
            if date.fromisoformat(row["visit_date"]) > self._today(now):
                return Outcome("not_yet", self._booking(row))
            await conn.execute(
                "UPDATE bookings SET status = 'no_show', closed_by = ?, updated_at = ? WHERE id = ?",
                (staff, stamp, row["id"]),
            )
            await self._drop_unsent(conn, [row["id"]], now, "no_show")
            return Outcome("no_show", await self._by_id(conn, row["id"]))

    # --- reminders -------------------------------------------------------------------

    async def due_reminders(self, now: datetime) -> list[DueReminder]:
        """Reminders due by `now`, not sent or dropped, of bookings still active; oldest first.

        Claim each with `mark_reminder_sent` before sending it: only the caller
        that gets True sends, so two senders never both send.
        """
        sql = (
            "SELECT r.id AS reminder_id, r.audience, r.due_at, b.*,"
            " l.name AS lawyer_name, l.firm AS lawyer_firm,"
            " l.channel AS lawyer_channel, l.user_id AS lawyer_user_id"
            " FROM reminders r JOIN bookings b ON b.id = r.booking_id"
            " LEFT JOIN lawyers l ON l.id = b.lawyer_id"
            " WHERE r.sent_at IS NULL AND r.dropped_at IS NULL AND r.due_at <= ? AND b.status = 'active'"
            " ORDER BY r.due_at, r.id"
        )
        rows = await self._fetch_all(self.db.conn, sql, (_utc(now),))
        return [
            DueReminder(
                id=r["reminder_id"],
                audience=r["audience"],
                due_at=self._time(r["due_at"]),
                booking=self._booking(r),
                lawyer_name=r["lawyer_name"],
                lawyer_firm=r["lawyer_firm"],
                lawyer_channel=r["lawyer_channel"],
                lawyer_user_id=r["lawyer_user_id"],
            )
            for r in rows
        ]

    async def mark_reminder_sent(self, reminder_id: int, now: datetime) -> bool:
        """Claim a due reminder. True for exactly one caller; False if already sent,
        dropped, re-armed to a later time, or its booking is no longer active."""
        stamp = _utc(now)
        async with self.db.transaction() as conn:
            row = await self._fetch_one(
                conn,
                "UPDATE reminders SET sent_at = ?"
                " WHERE id = ? AND sent_at IS NULL AND dropped_at IS NULL AND due_at <= ?"
                " AND booking_id IN (SELECT id FROM bookings WHERE status = 'active')"
                " RETURNING id",
                (stamp, reminder_id, stamp),
            )
        return row is not None

    async def drop_reminder(self, reminder_id: int, now: datetime, reason: str) -> bool:
        """Give up on a reminder (e.g. the lawyer has no chat account). True if this call dropped it."""
        async with self.db.transaction() as conn:
            row = await self._fetch_one(
                conn,
                "UPDATE reminders SET dropped_at = ?, dropped_reason = ?"
                " WHERE id = ? AND sent_at IS NULL AND dropped_at IS NULL RETURNING id",
                (_utc(now), reason, reminder_id),
            )
        return row is not None

    async def pending_reminders(self) -> list[PendingReminder]:
        """Every reminder not yet sent or dropped (overdue ones included), to re-arm jobs at start-up."""
        sql = (
            "SELECT r.id, r.booking_id, b.ref, r.audience, r.due_at"
            " FROM reminders r JOIN bookings b ON b.id = r.booking_id"
            " WHERE r.sent_at IS NULL AND r.dropped_at IS NULL AND b.status = 'active'"
            " ORDER BY r.due_at, r.id"
        )
        return [
            PendingReminder(r["id"], r["booking_id"], r["ref"], r["audience"], self._time(r["due_at"]))
            for r in await self._fetch_all(self.db.conn, sql, ())
        ]

    # --- personal data -------------------------------------------------------------

    async def purge_personal(self, before: date, now: datetime) -> int:
        """Blank the personal details of bookings whose visit date is before `before`.

        Whatever the status: a visit staff never marked done is over all the same once its day
        is this far behind, and its details must not stay for ever.
        Kept for anonymous counts: county, township, date, window, seat, status,
        lawyer, consent time. The chat account (user_id) and the request key,
        which may embed it, go too.
        """
        stamp = _utc(now)
        finished = "visit_date < ? AND personal_purged_at IS NULL"
        params = (before.isoformat(),)
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE reminders SET dropped_at = ?, dropped_reason = 'purged'"
                " WHERE sent_at IS NULL AND dropped_at IS NULL"
                f" AND booking_id IN (SELECT id FROM bookings WHERE {finished})",
                (stamp, *params),
            )
            purged = await self._fetch_all(
                conn,
                f"UPDATE bookings SET {_BLANKED}, personal_purged_at = ?, updated_at = ?"
                f" WHERE {finished} RETURNING id",
                (stamp, stamp, *params),
            )
            return len(purged)

    async def forget_user(self, channel: str, user_id: str, now: datetime) -> int:
        """Erase one person on request: cancel their active bookings from today on and blank
        the personal details of all their bookings. Returns how many bookings were blanked.

        Cancelled visits may have a lawyer assigned who must be told: read
        `list_for_user` before calling this, since afterwards the rows no longer
        name the person.
        """
        if not user_id:
            raise ValueError("user_id is empty")
        stamp = _utc(now)
        async with self.db.transaction() as conn:
            rows = await self._fetch_all(
                conn, "SELECT id, status, visit_date FROM bookings WHERE channel = ? AND user_id = ?",
                (channel, user_id),
            )
            today = self._today(now).isoformat()
            upcoming = [r["id"] for r in rows if r["status"] == "active" and r["visit_date"] >= today]
            for booking_id in upcoming:
                await conn.execute(
                    "UPDATE bookings SET status = 'cancelled', updated_at = ? WHERE id = ?", (stamp, booking_id)
                )
            ids = [r["id"] for r in rows]
            await self._drop_unsent(conn, ids, now, "forgotten")
            await self._blank(conn, ids, stamp)
            return len(ids)

    # --- helpers ---------------------------------------------------------------------

    def _today(self, now: datetime) -> date:
        _require_aware(now, "now")
        return now.astimezone(self.tz).date()

    def _time(self, text: str | None) -> datetime | None:
        return datetime.fromisoformat(text).astimezone(self.tz) if text else None

    def _booking(self, r: aiosqlite.Row) -> Booking:
        return Booking(
            id=r["id"],
            ref=r["ref"],
            channel=r["channel"],
            user_id=r["user_id"],
            county=County(r["county"]),
            visit_date=date.fromisoformat(r["visit_date"]),
            window=r["window"],
            seat=r["seat"],
            status=r["status"],
            elder_name=r["elder_name"],
            phone=r["phone"],
            phone_owner=r["phone_owner"],
            township=r["township"],
            address=r["address"],
            access_needs=r["access_needs"],
            matter=r["matter"],
            consent_at=self._time(r["consent_at"]),
            lawyer_id=r["lawyer_id"],
            closed_by=r["closed_by"],
            created_at=self._time(r["created_at"]),
            updated_at=self._time(r["updated_at"]),
            personal_purged_at=self._time(r["personal_purged_at"]),
        )

    @staticmethod
    async def _fetch_one(conn: aiosqlite.Connection, sql: str, params: Sequence[object]) -> aiosqlite.Row | None:
        async with conn.execute(sql, params) as cur:
            return await cur.fetchone()

    @staticmethod
    async def _fetch_all(conn: aiosqlite.Connection, sql: str, params: Sequence[object]) -> list[aiosqlite.Row]:
        async with conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def _by_id(self, conn: aiosqlite.Connection, booking_id: int) -> Booking:
        row = await self._fetch_one(conn, "SELECT * FROM bookings WHERE id = ?", (booking_id,))
        assert row is not None
        return self._booking(row)

    async def _owned(self, conn: aiosqlite.Connection, ref: str, channel: str, user_id: str) -> aiosqlite.Row | None:
        return await self._fetch_one(
            conn, "SELECT * FROM bookings WHERE ref = ? AND channel = ? AND user_id = ?", (ref, channel, user_id)
        )

    async def _free_seat(
        self, conn: aiosqlite.Connection, county: str, day: date, window: str, capacity: int, exclude_id: int | None
    ) -> int | None:
        """The lowest seat number in 1..capacity not held by a live booking, or None when full."""
        rows = await self._fetch_all(
            conn,
            "SELECT seat FROM bookings WHERE county = ? AND visit_date = ? AND window = ?"
            " AND status != 'cancelled' AND id IS NOT ?",
            (county, day.isoformat(), window, exclude_id),
        )
        taken = {r["seat"] for r in rows}
        # Counting too: after capacity is lowered, seats above it still occupy the window.
        if len(taken) >= capacity:
            return None
        return next((s for s in range(1, capacity + 1) if s not in taken), None)

    async def _next_ref(self, conn: aiosqlite.Connection, now: datetime) -> str:
        day = self._today(now)
        row = await self._fetch_one(
            conn,
            "INSERT INTO booking_ref_counters (day, last) VALUES (?, 1)"
            " ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last",
            (day.strftime("%Y%m%d"),),
        )
        assert row is not None
        return make_reference(day, row["last"])

    async def _arm(
        self, conn: aiosqlite.Connection, booking_id: int, audience: Audience, due_at: datetime | None, now: datetime
    ) -> None:
        """Set (or reset) the booking's reminder for `audience`; without a future time, drop any unsent one."""
        if due_at is None or due_at <= now:
            await conn.execute(
                "UPDATE reminders SET dropped_at = ?, dropped_reason = ?"
                " WHERE booking_id = ? AND audience = ? AND sent_at IS NULL AND dropped_at IS NULL",
                (_utc(now), "too_late" if due_at is not None else "no_time", booking_id, audience),
            )
            return
        await conn.execute(
            "INSERT INTO reminders (booking_id, audience, due_at) VALUES (?, ?, ?)"
            " ON CONFLICT (booking_id, audience) DO UPDATE SET due_at = excluded.due_at,"
            " sent_at = NULL, dropped_at = NULL, dropped_reason = NULL",
            (booking_id, audience, _utc(due_at)),
        )

    async def _drop_unsent(
        self, conn: aiosqlite.Connection, booking_ids: list[int], now: datetime, reason: str
    ) -> None:
        if not booking_ids:
            return
        await conn.execute(
            "UPDATE reminders SET dropped_at = ?, dropped_reason = ?"
            f" WHERE booking_id IN ({','.join('?' * len(booking_ids))})"
            " AND sent_at IS NULL AND dropped_at IS NULL",
            (_utc(now), reason, *booking_ids),
        )

    async def _blank(self, conn: aiosqlite.Connection, booking_ids: list[int], stamp: str) -> None:
        if not booking_ids:
            return
        await conn.execute(
            f"UPDATE bookings SET {_BLANKED}, personal_purged_at = ?, updated_at = ?"
            f" WHERE id IN ({','.join('?' * len(booking_ids))})",
            (stamp, stamp, *booking_ids),
        )
