"""Read-only lists the web console shows: bookings over a range of days, questions by status.

Plain values out, like every store; writes stay with the stores that own the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from storage.booking_rows import Booking, BookingRows
from storage.consultations import Consultation, ConsultationStore
from storage.db import stored_time


@dataclass(frozen=True)
class QuestionRow:
    """A question as listed: its state and age, not yet its words."""

    consultation: Consultation
    lawyer_name: str | None
    claimed_at: datetime | None
    answered_at: datetime | None


class Listings(BookingRows):
    async def bookings(self, start: date, end: date, county: str | None, limit: int) -> list[Booking]:
        """Visits from `start` to `end` (all statuses), optionally in one county, in visiting order."""
        sql = "SELECT * FROM bookings WHERE visit_date BETWEEN ? AND ?"
        params: list[object] = [start.isoformat(), end.isoformat()]
        if county:
            sql += " AND county = ?"
            params.append(county)
        sql += " ORDER BY visit_date, county, window, seat, id LIMIT ?"
        return await self._bookings(sql, [*params, limit])

    async def questions(self, lawyer_id: int | None, limit: int) -> list[QuestionRow]:
        """Newest first. With `lawyer_id`: the open ones anyone may claim, and that lawyer's own."""
        sql = ("SELECT c.*, l.name AS lawyer_name FROM consultations c LEFT JOIN lawyers l ON l.id = c.lawyer_id"
               " WHERE c.forgotten_at IS NULL")
        params: list[object] = []
        if lawyer_id is not None:
            sql += " AND (c.status = 'open' OR c.lawyer_id = ?)"
            params.append(lawyer_id)
        sql += " ORDER BY c.id DESC LIMIT ?"
        rows = await self.db.fetchall(sql, *params, limit)
        return [QuestionRow(ConsultationStore._row(r), r["lawyer_name"], self._time(r["claimed_at"]),
                            self._time(r["answered_at"])) for r in rows]

    async def waiting_since(self, created_before: datetime) -> int:
        """How many questions nobody has claimed since before `created_before`."""
        return await self.db.fetchval(
            "SELECT COUNT(*) FROM consultations WHERE status = 'open' AND forgotten_at IS NULL AND created_at <= ?",
            stored_time(created_before),
        )
