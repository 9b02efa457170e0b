"""Home-visit bookings as values: the rows, the typed statuses, and the SQL helpers every booking store shares.

Times come from the caller (never the clock here) and must be timezone-aware; they are stored
as UTC ISO 8601 strings, so SQL can compare them as text, and handed back in the centre's zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from policy.eligibility import County
from policy.slots import Window, make_reference
from storage.db import Database, Queries, Row, stored_time

PhoneOwner = Literal["self", "family"]
Audience = Literal["resident", "lawyer"]


class BookingStatus(StrEnum):
    """A booking's life, as stored in bookings.status."""

    ACTIVE = "active"
    CANCELLED = "cancelled"
    VISITED = "visited"
    NO_SHOW = "no_show"


class Created(StrEnum):
    """What came of booking a seat (see CreateResult)."""

    CREATED = "created"
    DUPLICATE = "duplicate"  # the same request key again (a double tap on 确认)
    FULL = "full"
    LIMIT = "limit"  # this person, or this phone number, already has the most visits to come allowed


class Change(StrEnum):
    """What came of a change to an existing booking (see Outcome)."""

    CANCELLED = "cancelled"
    ALREADY_CANCELLED = "already_cancelled"
    MOVED = "moved"
    UNCHANGED = "unchanged"
    FULL = "full"
    ASSIGNED = "assigned"
    NO_SUCH_LAWYER = "no_such_lawyer"
    NO_SUCH_STAFF = "no_such_staff"
    VISITED = "visited"
    ALREADY_VISITED = "already_visited"
    NO_LAWYER = "no_lawyer"
    NOT_YET = "not_yet"
    NO_SHOW = "no_show"
    ALREADY_NO_SHOW = "already_no_show"
    NOT_ACTIVE = "not_active"
    PAST = "past"
    NOT_FOUND = "not_found"


# Booking fields read from their column as they are, and those stored as UTC text.
_PLAIN_COLUMNS = (
    "id", "ref", "channel", "user_id", "window", "seat", "elder_name", "phone", "phone_owner", "township",
    "address", "access_needs", "matter", "lawyer_id", "staff_user_id", "closed_by",
)
_TIME_COLUMNS = ("consent_at", "created_at", "updated_at", "personal_purged_at")

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
    staff_user_id: int | None  # a member of staff goes instead of a lawyer (no points: 4号 is for lawyers)
    closed_by: str | None
    created_at: datetime
    updated_at: datetime
    personal_purged_at: datetime | None


@dataclass(frozen=True)
class CreateResult:
    status: Created
    booking: Booking | None  # None only when full


@dataclass(frozen=True)
class Outcome:
    """Result of a change to an existing booking.

    status, by method:
      cancel        cancelled | already_cancelled | not_active | past | not_found
      reschedule    moved | unchanged | full | not_active | past | not_found
      assign_lawyer assigned | not_active | no_such_lawyer | not_found
      assign_staff  assigned | not_active | no_such_staff | not_found
      mark_visited  visited | already_visited | no_lawyer | not_yet | not_active | not_found
      mark_no_show  no_show | already_no_show | not_yet | not_active | not_found
    (all members of `Change`). `booking` is the row after the call (None for not_found). Someone else's
    booking is reported as not_found: references are sequential, hence guessable.
    """

    status: Change
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
class ExportRow:
    """A booking for staff exports, with its lawyer's name and firm, or the staff account's name
    when a member of staff goes instead."""

    booking: Booking
    lawyer_name: str | None
    lawyer_firm: str | None
    staff_name: str | None = None


def _require_aware(at: datetime, name: str = "time") -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")




def _key(window: Window | str) -> str:
    return window.key if isinstance(window, Window) else window




class BookingRows:
    """The database and the centre's zone, with the row helpers the booking stores share."""

    def __init__(self, db: Database, tz: ZoneInfo):
        self.db = db
        # The centre's zone: decides "today" (past bookings, reference day) and the zone of returned times.
        self.tz = tz

    def _today(self, now: datetime) -> date:
        _require_aware(now, "now")
        return now.astimezone(self.tz).date()

    def _time(self, text: str | None) -> datetime | None:
        return datetime.fromisoformat(text).astimezone(self.tz) if text else None

    def _booking(self, r: Row) -> Booking:
        return Booking(
            **{name: r[name] for name in _PLAIN_COLUMNS},
            county=County(r["county"]),
            visit_date=date.fromisoformat(r["visit_date"]),
            status=BookingStatus(r["status"]),
            **{name: self._time(r[name]) for name in _TIME_COLUMNS},
        )

    async def _bookings(self, sql: str, params: Sequence[object]) -> list[Booking]:
        return [self._booking(r) for r in await self.db.fetchall(sql, *params)]

    async def _by_id(self, conn: Queries, booking_id: int) -> Booking:
        row = await conn.fetchone("SELECT * FROM bookings WHERE id = ?", booking_id)
        assert row is not None
        return self._booking(row)

    async def _owned(self, conn: Queries, ref: str, channel: str, user_id: str) -> Row | None:
        return await conn.fetchone(
            "SELECT * FROM bookings WHERE ref = ? AND channel = ? AND user_id = ?", ref, channel, user_id
        )

    async def _places(self, conn: Queries, county: str, day: date, window: str, default: int) -> int:
        """The half-day's places in the county: 0 when the day or the half-day is closed there, else
        what staff set on 日历与名额, else `default` (LEGALAID_VISIT_CAPACITY)."""
        closed = await conn.fetchval(
            "SELECT COUNT(*) FROM closed_days WHERE day = ? AND reopened_at IS NULL"
            " AND county IN ('', ?) AND \"window\" IN ('', ?)", day.isoformat(), county, window)
        if closed:
            return 0
        places = await conn.fetchval('SELECT places FROM visit_places WHERE county = ? AND "window" = ?',
                                     county, window)
        return default if places is None else places

    async def _free_seat(
        self, conn: Queries, county: str, day: date, window: str, default: int, exclude_id: int | None
    ) -> int | None:
        """The lowest seat number in 1..places not held by a live booking, or None when full or closed.

        Read inside the booking's transaction, so a day closed or places lowered a moment ago count."""
        capacity = await self._places(conn, county, day, window, default)
        if capacity < 1:
            return None
        sql = ('SELECT seat FROM bookings WHERE county = ? AND visit_date = ? AND "window" = ?'
               " AND status != 'cancelled'")
        params: list[object] = [county, day.isoformat(), window]
        if exclude_id is not None:
            sql += " AND id <> ?"
            params.append(exclude_id)
        rows = await conn.fetchall(sql, *params)
        taken = {r["seat"] for r in rows}
        # Counting too: after capacity is lowered, seats above it still occupy the window.
        if len(taken) >= capacity:
            return None
        return next((s for s in range(1, capacity + 1) if s not in taken), None)

    async def _next_ref(self, conn: Queries, now: datetime) -> str:
        day = self._today(now)
        row = await conn.fetchone(
            "INSERT INTO booking_ref_counters (day, last) VALUES (?, 1)"
            " ON CONFLICT (day) DO UPDATE SET last = booking_ref_counters.last + 1 RETURNING last",
            day.strftime("%Y%m%d"),
        )
        assert row is not None
        return make_reference(day, row["last"])

    async def _arm(
        self, conn: Queries, booking_id: int, audience: Audience, due_at: datetime | None, now: datetime
    ) -> None:
        """Set (or reset) the booking's reminder for `audience`; without a future time, drop any unsent one."""
        if due_at is None or due_at <= now:
            await conn.execute(
                "UPDATE reminders SET dropped_at = ?, dropped_reason = ?"
                " WHERE booking_id = ? AND audience = ? AND sent_at IS NULL AND dropped_at IS NULL",
                stored_time(now), "too_late" if due_at is not None else "no_time", booking_id, audience,
            )
            return
        await conn.execute(
            "INSERT INTO reminders (booking_id, audience, due_at) VALUES (?, ?, ?)"
            " ON CONFLICT (booking_id, audience) DO UPDATE SET due_at = excluded.due_at,"
            " sent_at = NULL, dropped_at = NULL, dropped_reason = NULL",
            booking_id, audience, stored_time(due_at),
        )

    async def _drop_unsent(
        self, conn: Queries, booking_ids: list[int], now: datetime, reason: str
    ) -> None:
        if not booking_ids:
            return
        await conn.execute(
            "UPDATE reminders SET dropped_at = ?, dropped_reason = ?"
            f" WHERE booking_id IN ({','.join('?' * len(booking_ids))})"
            " AND sent_at IS NULL AND dropped_at IS NULL",
            stored_time(now), reason, *booking_ids,
        )

    async def _blank(self, conn: Queries, booking_ids: list[int], stamp: str) -> None:
        if not booking_ids:
            return
        await conn.execute(
            f"UPDATE bookings SET {_BLANKED}, personal_purged_at = ?, updated_at = ?"
            f" WHERE id IN ({','.join('?' * len(booking_ids))})",
            stamp, stamp, *booking_ids,
        )
