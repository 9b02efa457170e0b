"""Staff's side of home visits: the day's list, the export, assigning a lawyer, and closing a visit.

Marking a visit done awards the lawyer's +10 under 衢市司发〔2020〕4号 二(一)4 in the same
transaction, exactly once (the ledger's unique source key).
"""

from __future__ import annotations

from datetime import date, datetime

from policy.points import ITEMS_BY_KEY
from storage.booking_rows import Booking, BookingRows, Change, ExportRow, Outcome
from storage.db import stored_time
from storage.ledger import insert_award

# 二(一)4 配合市法律援助中心组织各类活动,提供法律咨询、上门服务的,每次得10分
VISIT_ITEM = ITEMS_BY_KEY["activity"]
VISIT_SOURCE_KIND = "visit"


_EXPORT = (
    "SELECT b.*, l.name AS lawyer_name, l.firm AS lawyer_firm, u.name AS staff_name FROM bookings b"
    " LEFT JOIN lawyers l ON l.id = b.lawyer_id LEFT JOIN users u ON u.id = b.staff_user_id"
    " WHERE b.visit_date BETWEEN ? AND ?"
    ' ORDER BY b.visit_date, b.county, b."window", b.seat, b.id'
)


class VisitStore(BookingRows):
    async def list_for_date(self, day: date, include_cancelled: bool = False) -> list[Booking]:
        sql = "SELECT * FROM bookings WHERE visit_date = ?"
        if not include_cancelled:
            sql += " AND status != 'cancelled'"
        sql += ' ORDER BY county, "window", seat, id'
        return await self._bookings(sql, (day.isoformat(),))

    async def export_rows(self, date_from: date, date_to: date) -> list[ExportRow]:
        """Every booking with a visit date in [date_from, date_to], its lawyer or member of staff
        joined; unformatted."""
        rows = await self.db.fetchall(_EXPORT, date_from.isoformat(), date_to.isoformat())
        return [ExportRow(self._booking(r), r["lawyer_name"], r["lawyer_firm"], r["staff_name"]) for r in rows]

    async def assign_lawyer(
        self, ref: str, lawyer_id: int, now: datetime, lawyer_reminder_at: datetime | None
    ) -> Outcome:
        """Assign (or replace) the lawyer and arm the lawyer's reminder."""
        return await self._assign(ref, now, lawyer_id, None, lawyer_reminder_at)

    async def assign_staff(self, ref: str, user_id: int, now: datetime) -> Outcome:
        """A member of staff (an active console account of role staff) goes instead of a lawyer: the
        lawyer, if any, is taken off the visit and their reminder dropped."""
        return await self._assign(ref, now, None, user_id, None)

    async def _assign(self, ref: str, now: datetime, lawyer_id: int | None, staff_user_id: int | None,
                      lawyer_reminder_at: datetime | None) -> Outcome:
        """One of `lawyer_id` and `staff_user_id` goes; the other is cleared."""
        async with self.db.transaction("bookings") as conn:
            row = await conn.fetchone("SELECT * FROM bookings WHERE ref = ?", ref)
            if row is None:
                return Outcome(Change.NOT_FOUND, None)
            if row["status"] != "active":
                return Outcome(Change.NOT_ACTIVE, self._booking(row))
            if lawyer_id is not None:
                found = await conn.fetchone("SELECT id FROM lawyers WHERE id = ? AND active = 1", lawyer_id)
                refused = Change.NO_SUCH_LAWYER
            else:
                found = await conn.fetchone("SELECT id FROM users WHERE id = ? AND role = 'staff' AND active = 1",
                                            staff_user_id)
                refused = Change.NO_SUCH_STAFF
            if found is None:
                return Outcome(refused, self._booking(row))
            if (row["lawyer_id"], row["staff_user_id"]) != (lawyer_id, staff_user_id):
                await conn.execute(
                    "UPDATE bookings SET lawyer_id = ?, staff_user_id = ?, updated_at = ? WHERE id = ?",
                    lawyer_id, staff_user_id, stored_time(now), row["id"],
                )
                # Staff have no chat account here: no reminder, and a lawyer taken off loses theirs.
                await self._arm(conn, row["id"], "lawyer", lawyer_reminder_at, now)
            return Outcome(Change.ASSIGNED, await self._by_id(conn, row["id"]))

    async def mark_visited(self, ref: str, staff: str, now: datetime) -> Outcome:
        """The visit took place: +10 for the lawyer under 二(一)4, in the same transaction, once
        (nothing when a member of staff went instead).

        `staff` is recorded as the ledger's entered_by ('staff:<id>'). A booking
        marked no_show by mistake may be corrected to visited; the reverse needs a
        ledger counter-entry and is refused here (not_active).
        """
        stamp = stored_time(now)
        async with self.db.transaction("bookings") as conn:
            row = await conn.fetchone("SELECT * FROM bookings WHERE ref = ?", ref)
            if row is None:
                return Outcome(Change.NOT_FOUND, None)
            if row["status"] == "cancelled":
                return Outcome(Change.NOT_ACTIVE, self._booking(row))
            if row["lawyer_id"] is None and row["staff_user_id"] is None:
                return Outcome(Change.NO_LAWYER, self._booking(row))
            if date.fromisoformat(row["visit_date"]) > self._today(now):
                return Outcome(Change.NOT_YET, self._booking(row))
            already = row["status"] == "visited"
            if not already:
                await conn.execute(
                    "UPDATE bookings SET status = 'visited', closed_by = ?, updated_at = ? WHERE id = ?",
                    staff, stamp, row["id"],
                )
            # The ledger's UNIQUE (source_kind, source_id, item_key) makes this happen once per visit.
            # 4号 is the points scheme of lawyers (律师参与法律援助工作积分管理办法): a visit a member of
            # staff made earns nobody points.
            if row["lawyer_id"] is not None:
                await insert_award(
                    conn, row["lawyer_id"], VISIT_ITEM.key, VISIT_SOURCE_KIND, row["ref"], row["visit_date"],
                    staff, now, note=f"上门服务 {row['ref']}",
                )
            return Outcome(Change.ALREADY_VISITED if already else Change.VISITED, await self._by_id(conn, row["id"]))

    async def mark_no_show(self, ref: str, staff: str, now: datetime) -> Outcome:
        stamp = stored_time(now)
        async with self.db.transaction("bookings") as conn:
            row = await conn.fetchone("SELECT * FROM bookings WHERE ref = ?", ref)
            if row is None:
                return Outcome(Change.NOT_FOUND, None)
            if row["status"] == "no_show":
                return Outcome(Change.ALREADY_NO_SHOW, self._booking(row))
            if row["status"] != "active":
                return Outcome(Change.NOT_ACTIVE, self._booking(row))
            if date.fromisoformat(row["visit_date"]) > self._today(now):
                return Outcome(Change.NOT_YET, self._booking(row))
            await conn.execute(
                "UPDATE bookings SET status = 'no_show', closed_by = ?, updated_at = ? WHERE id = ?",
                staff, stamp, row["id"],
            )
            await self._drop_unsent(conn, [row["id"]], now, "no_show")
            return Outcome(Change.NO_SHOW, await self._by_id(conn, row["id"]))

