"""Home-visit bookings (衢市司发〔2020〕3号 三): seats, references, reminders, visit points.

Every write is one transaction named "bookings" (`Database.transaction`: BEGIN IMMEDIATE on
SQLite, an advisory lock on PostgreSQL), so the check "is a seat free?" and the insert that takes
it cannot be split by another booking, in this process or another. The partial unique index on
(county, visit_date, window, seat) makes overselling impossible even if this code were wrong; its
UniqueViolation is read as "full".

Times come from the caller (never the clock here) and must be timezone-aware;
they are stored as UTC ISO 8601 strings, so SQL can compare them as text, and
handed back in the centre's zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from policy.eligibility import County
from policy.slots import Window
from storage.booking_rows import (
    Booking,
    BookingDraft,
    BookingRows,
    BookingStatus,
    Change,
    Created,
    CreateResult,
    Outcome,
    _key,
)
from storage.db import Queries, UniqueViolation, stored_time
from storage.reminders import ReminderStore
from storage.visits import VisitStore

__all__ = ["Booking", "BookingDraft", "BookingStatus", "BookingStore", "Change", "Created", "Outcome", "forget_in"]

# Every booking write is serialised under this name, across processes too.
_LOCK = "bookings"


class BookingStore(VisitStore, ReminderStore):
    """The bookings interface the flows use; plain values in, dataclasses out."""

    # --- reading -----------------------------------------------------------------

    async def availability(
        self, county: County | str, dates: Iterable[date], windows: Iterable[Window | str], capacity: int
    ) -> dict[tuple[date, str], int]:
        """Free seats for every (date, window key): the county's places (`capacity` where staff set
        none; 0 on a closed day or half-day) less the live bookings. Never negative."""
        days = list(dates)
        keys = [_key(w) for w in windows]
        if not days or not keys:
            return {}
        county, day_marks = str(county), ",".join("?" * len(days))
        places = {r["window"]: r["places"] for r in await self.db.fetchall(
            'SELECT "window", places FROM visit_places WHERE county = ?', county)}
        free = {(d, k): places.get(k, capacity) for d in days for k in keys}
        closed = await self.db.fetchall(
            f'SELECT day, "window" FROM closed_days WHERE day IN ({day_marks}) AND reopened_at IS NULL'
            " AND county IN ('', ?)", *(d.isoformat() for d in days), county)
        for row in closed:
            day = date.fromisoformat(row["day"])
            for k in keys if row["window"] == "" else [row["window"]]:
                if (day, k) in free:
                    free[(day, k)] = 0
        sql = (
            'SELECT visit_date, "window", COUNT(*) AS taken FROM bookings'
            " WHERE county = ? AND status != 'cancelled'"
            f" AND visit_date IN ({day_marks})"
            f' AND "window" IN ({",".join("?" * len(keys))})'
            ' GROUP BY visit_date, "window"'
        )
        for row in await self.db.fetchall(sql, county, *(d.isoformat() for d in days), *keys):
            slot = (date.fromisoformat(row["visit_date"]), row["window"])
            free[slot] = max(0, free[slot] - row["taken"])
        return free

    async def get(self, ref: str) -> Booking | None:
        row = await self.db.fetchone("SELECT * FROM bookings WHERE ref = ?", ref)
        return self._booking(row) if row else None

    async def list_for_user(self, channel: str, user_id: str) -> list[Booking]:
        """Active bookings first, soonest first; then the rest, most recent first."""
        sql = (
            "SELECT * FROM bookings WHERE channel = ? AND user_id = ?"
            " ORDER BY status != 'active',"
            " CASE WHEN status = 'active' THEN visit_date END ASC,"
            ' visit_date DESC, "window", id DESC'
        )
        return await self._bookings(sql, (channel, user_id))

    # --- booking, cancelling, moving ---------------------------------------------

    async def create(
        self,
        draft: BookingDraft,
        capacity: int,
        request_key: str,
        now: datetime,
        reminder_times: Mapping[str, datetime],
        limit: int | None = None,
    ) -> CreateResult:
        """Book the lowest free seat of the draft's window, or say why not (FULL too when that day or
        half-day is closed, or the county offers no places then: `capacity` is only the default).

        `limit`: at most this many visits still to come per chat account and per phone number, so
        one account cannot take a county's places (checked in the same transaction as the seat).

        Same `request_key` again (a double tap on 确认) returns the first booking.
        Only the resident's reminder is armed here; the lawyer's comes with
        `assign_lawyer`. A reminder whose time has already passed is not armed:
        the confirmation the person is reading says the same thing.
        """
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        if not request_key:
            raise ValueError("request_key is empty")
        stamp = stored_time(now)
        try:
            async with self.db.transaction(_LOCK) as conn:
                existing = await conn.fetchone("SELECT * FROM bookings WHERE request_key = ?", request_key)
                if existing is not None:
                    if (existing["channel"], existing["user_id"]) != (draft.channel, draft.user_id):
                        raise ValueError("request_key already used by another user; keys must be per user")
                    return CreateResult(Created.DUPLICATE, self._booking(existing))
                if limit is not None and await self._active_for(conn, draft, now) >= limit:
                    return CreateResult(Created.LIMIT, None)
                seat = await self._free_seat(
                    conn, str(draft.county), draft.visit_date, draft.window, capacity, exclude_id=None
                )
                if seat is None:
                    return CreateResult(Created.FULL, None)
                ref = await self._next_ref(conn, now)
                row = await conn.fetchone(
                    'INSERT INTO bookings (ref, channel, user_id, county, visit_date, "window", seat, status,'
                    " elder_name, phone, phone_owner, township, address, access_needs, matter, consent_at,"
                    " request_key, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                    ref, draft.channel, draft.user_id, str(draft.county), draft.visit_date.isoformat(),
                    draft.window, seat, draft.elder_name.strip(), draft.phone.strip(), draft.phone_owner,
                    draft.township.strip(), draft.address.strip(), draft.access_needs.strip(),
                    draft.matter.strip(), stored_time(draft.consent_at), request_key, stamp, stamp,
                )
                assert row is not None
                await self._arm(conn, row["id"], "resident", reminder_times.get("resident"), now)
                return CreateResult(Created.CREATED, self._booking(row))
        except UniqueViolation:
            # Under the "bookings" lock the request key and the reference cannot clash: only a seat can.
            return CreateResult(Created.FULL, None)

    async def _active_for(self, conn: Queries, draft: BookingDraft, now: datetime) -> int:
        return await conn.fetchval(
            "SELECT COUNT(*) FROM bookings WHERE status = ? AND visit_date >= ?"
            " AND ((channel = ? AND user_id = ?) OR phone = ?)",
            BookingStatus.ACTIVE.value, self._today(now).isoformat(), draft.channel, draft.user_id,
            draft.phone.strip(),
        )

    async def cancel(self, ref: str, channel: str, user_id: str, now: datetime) -> Outcome:
        """The owner cancels: the seat is free at once and unsent reminders are dropped."""
        stamp = stored_time(now)
        async with self.db.transaction(_LOCK) as conn:
            row = await self._owned(conn, ref, channel, user_id)
            if row is None:
                return Outcome(Change.NOT_FOUND, None)
            if row["status"] == "cancelled":
                return Outcome(Change.ALREADY_CANCELLED, self._booking(row))
            if row["status"] != "active":
                return Outcome(Change.NOT_ACTIVE, self._booking(row))
            if date.fromisoformat(row["visit_date"]) < self._today(now):
                return Outcome(Change.PAST, self._booking(row))
            await conn.execute(
                "UPDATE bookings SET status = 'cancelled', updated_at = ? WHERE id = ?", stamp, row["id"]
            )
            await self._drop_unsent(conn, [row["id"]], now, "cancelled")
            return Outcome(Change.CANCELLED, await self._by_id(conn, row["id"]))

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
        stamp = stored_time(now)
        try:
            async with self.db.transaction(_LOCK) as conn:
                row = await self._owned(conn, ref, channel, user_id)
                if row is None:
                    return Outcome(Change.NOT_FOUND, None)
                if row["status"] != "active":
                    return Outcome(Change.NOT_ACTIVE, self._booking(row))
                if date.fromisoformat(row["visit_date"]) < self._today(now):
                    return Outcome(Change.PAST, self._booking(row))
                if (row["visit_date"], row["window"]) == (new_date.isoformat(), window):
                    return Outcome(Change.UNCHANGED, self._booking(row))
                seat = await self._free_seat(conn, row["county"], new_date, window, capacity, exclude_id=row["id"])
                if seat is None:
                    return Outcome(Change.FULL, self._booking(row))
                await conn.execute(
                    'UPDATE bookings SET visit_date = ?, "window" = ?, seat = ?, updated_at = ? WHERE id = ?',
                    new_date.isoformat(), window, seat, stamp, row["id"],
                )
                await self._arm(conn, row["id"], "resident", reminder_times.get("resident"), now)
                if row["lawyer_id"] is not None:
                    await self._arm(conn, row["id"], "lawyer", reminder_times.get("lawyer"), now)
                return Outcome(Change.MOVED, await self._by_id(conn, row["id"]))
        except UniqueViolation:
            return Outcome(Change.FULL, await self.get(ref))


async def forget_in(conn: Queries, channel: str, user_id: str, now: datetime) -> list[Booking]:
    """Erase one person inside the caller's transaction: cancel their active bookings from today on,
    drop unsent reminders and blank the personal details of all their bookings.

    Returns the upcoming bookings it cancelled, as they were before blanking, so the caller can
    tell their lawyers and staff. "Today" is the day in `now`'s zone (the centre's clock).
    """
    if not user_id:
        raise ValueError("user_id is empty")
    rows = BookingRows(None, now.tzinfo)  # row mapping only: the connection is the caller's
    found = await conn.fetchall("SELECT * FROM bookings WHERE channel = ? AND user_id = ?", channel, user_id)
    today, stamp = now.date().isoformat(), stored_time(now)
    upcoming = [r for r in found if r["status"] == BookingStatus.ACTIVE and r["visit_date"] >= today]
    for r in upcoming:
        await conn.execute("UPDATE bookings SET status = ?, updated_at = ? WHERE id = ?",
                           BookingStatus.CANCELLED.value, stamp, r["id"])
    ids = [r["id"] for r in found]
    await rows._drop_unsent(conn, ids, now, "forgotten")
    await rows._blank(conn, ids, stamp)
    return [rows._booking(r) for r in upcoming]
