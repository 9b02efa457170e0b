"""Reminders of home visits (the evening before) and the end of a visit's personal details.

The database is the schedule: a reminder row is armed with its booking and claimed when sent,
so two senders never both send and nothing is lost across a restart.
"""

from __future__ import annotations

from datetime import date, datetime

from storage.booking_rows import _BLANKED, BookingRows, DueReminder
from storage.db import stored_time


class ReminderStore(BookingRows):
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
        rows = await self.db.fetchall(sql, stored_time(now))
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
        stamp = stored_time(now)
        async with self.db.transaction() as conn:
            row = await conn.fetchone(
                "UPDATE reminders SET sent_at = ?"
                " WHERE id = ? AND sent_at IS NULL AND dropped_at IS NULL AND due_at <= ?"
                " AND booking_id IN (SELECT id FROM bookings WHERE status = 'active')"
                " RETURNING id",
                stamp, reminder_id, stamp,
            )
        return row is not None

    async def drop_reminder(self, reminder_id: int, now: datetime, reason: str) -> bool:
        """Give up on a reminder (e.g. the lawyer has no chat account). True if this call dropped it."""
        async with self.db.transaction() as conn:
            row = await conn.fetchone(
                "UPDATE reminders SET dropped_at = ?, dropped_reason = ?"
                " WHERE id = ? AND sent_at IS NULL AND dropped_at IS NULL RETURNING id",
                stored_time(now), reason, reminder_id,
            )
        return row is not None

    async def purge_personal(self, before: date, now: datetime) -> int:
        """Blank the personal details of bookings whose visit date is before `before`.

        Whatever the status: a visit staff never marked done is over all the same once its day
        is this far behind, and its details must not stay for ever.
        Kept for anonymous counts: county, township, date, window, seat, status,
        lawyer, consent time. The chat account (user_id) and the request key,
        which may embed it, go too.
        """
        stamp = stored_time(now)
        finished = "visit_date < ? AND personal_purged_at IS NULL"
        params = (before.isoformat(),)
        async with self.db.transaction("bookings") as conn:
            await conn.execute(
                "UPDATE reminders SET dropped_at = ?, dropped_reason = 'purged'"
                " WHERE sent_at IS NULL AND dropped_at IS NULL"
                f" AND booking_id IN (SELECT id FROM bookings WHERE {finished})",
                stamp, *params,
            )
            purged = await conn.fetchall(
                f"UPDATE bookings SET {_BLANKED}, personal_purged_at = ?, updated_at = ?"
                f" WHERE {finished} RETURNING id",
                stamp, stamp, *params,
            )
            return len(purged)

