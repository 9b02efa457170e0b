"""The centre's work on home visits: the day's list, a visit's details, assigning a lawyer or staff,
closing a visit (done: +10 under 4号 二(一)4, exactly once; or no-show), and the export.

Staff only. Every read of a resident's personal details is written to the access log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from common.messages import Address, Document, Notice, Reply
from policy.ledger import required
from policy.slots import lawyer_reminder_at, resident_reminder_at
from services.actor import Actor, Done, Role, require
from services.consultations import CLOSING_TIME
from services.context import Services
from services.notices import to_lawyer
from services.reports import bookings_file
from services.wording import day_label, window_label
from storage.bookings import Booking, Change, Outcome
from storage.lawyers import Lawyer
from storage.outbox import Topic, outbox_key

EXPORT_FORMATS = ("csv", "xlsx")


def call_by(services: Services, visit_date: date, now: datetime) -> date | None:
    """The day by which the centre phones before a visit: the last working day before it (README, rules
    decided) that the centre can still keep, today only while the office is open (CLOSING_TIME).
    None: no such day is left (booked on a Saturday for Monday, or on Friday evening): the centre
    phones on the day of the visit, before going out (visits are only on working days)."""
    local = services.local(now)
    day = visit_date - timedelta(days=1)
    while day >= local.date():
        if services.calendar.is_workday(day) and (day > local.date() or local.time() < CLOSING_TIME):
            return day
        day -= timedelta(days=1)
    return None


@dataclass(frozen=True)
class Export:
    """The file, and how many visits it lists (the chat says so)."""

    document: Document
    count: int


async def day_list(services: Services, actor: Actor, day: date) -> list[Booking]:
    require(actor, "list visits", Role.STAFF)
    return await services.bookings.list_for_date(day)


async def detail(services: Services, actor: Actor, ref: str, now: datetime) -> tuple[Booking, Lawyer | None] | None:
    """A visit with the resident's details, and its lawyer; the read is logged."""
    require(actor, "read a visit", Role.STAFF)
    booking = await services.bookings.get(ref)
    if booking is None:
        return None
    await services.store.log_access(actor.name, "booking.details", ref, now)
    lawyer = await services.ledger.get_lawyer(booking.lawyer_id) if booking.lawyer_id else None
    return booking, lawyer


async def assign_lawyer(services: Services, actor: Actor, ref: str, lawyer_id: int, now: datetime) -> Done[Outcome]:
    """Assign (or replace) the visit's lawyer, who is told the details and reminded the day before."""
    require(actor, "assign a lawyer", Role.STAFF)
    booking = await services.bookings.get(ref)
    if booking is None:
        return Done(Outcome(Change.NOT_FOUND, None))
    outcome = await services.bookings.assign_lawyer(
        ref, lawyer_id, now, lawyer_reminder_at(booking.visit_date, services.settings.zone))
    lawyer = await services.ledger.get_lawyer(lawyer_id)
    if outcome.status != Change.ASSIGNED or lawyer is None or not lawyer.bound:
        return Done(outcome)
    t, b = services.texts, outcome.booking
    text = t("lawyer.visit_assigned", ref=ref, day=day_label(t, b.visit_date),
             window=window_label(t, services.settings.slot_rules, b.window), county=b.county, township=b.township,
             address=b.address, name=b.elder_name, phone=b.phone, access=b.access_needs or t("eq.none"),
             matter=b.matter)
    key = outbox_key(Topic.ASSIGNED, ref, lawyer.id)
    return Done(outcome, [Notice(lawyer.channel, lawyer.user_id, Reply(text), key, Address(b.channel, b.user_id))])


async def assign_staff(services: Services, actor: Actor, ref: str, user_id: int, now: datetime) -> Done[Outcome]:
    """A member of staff (a console account) goes instead of a lawyer. A lawyer taken off the visit
    is told not to go; the visit then earns no points (4号 scores lawyers only)."""
    require(actor, "assign a visit", Role.STAFF)
    before = await services.bookings.get(ref)
    outcome = await services.bookings.assign_staff(ref, user_id, now)
    if outcome.status != Change.ASSIGNED or before is None or before.lawyer_id is None:
        return Done(outcome)
    t, b = services.texts, outcome.booking
    lawyer = await services.ledger.get_lawyer(before.lawyer_id)
    text = t("staff.visit_taken_by_staff", ref=ref, day=day_label(t, b.visit_date), county=b.county,
             window=window_label(t, services.settings.slot_rules, b.window))
    return Done(outcome, to_lawyer(lawyer, Reply(text), outbox_key(Topic.VISIT_CHANGED, "staff", ref, user_id,
                                                                   now.isoformat()), Address(b.channel, b.user_id)))


async def complete(services: Services, actor: Actor, ref: str, now: datetime) -> Outcome:
    """The visit took place: the lawyer's +10 (二(一)4) is recorded with it, once however often it is pressed
    (none when a member of staff went)."""
    require(actor, "complete a visit", Role.STAFF)
    return await services.bookings.mark_visited(ref, actor.name, now)


async def no_show(services: Services, actor: Actor, ref: str, now: datetime) -> Outcome:
    require(actor, "close a visit", Role.STAFF)
    return await services.bookings.mark_no_show(ref, actor.name, now)


async def cancel(services: Services, actor: Actor, ref: str, reason: str, now: datetime) -> Done[Outcome]:
    """The centre cancels a visit (the resident asked by phone, the lawyer fell ill …): the seat is free
    at once, and the resident is told why on their own channel, the lawyer that the visit is off."""
    require(actor, "cancel a visit", Role.STAFF)
    reason = required(reason, "reason", "ledger.error.reason_required")
    booking = await services.bookings.get(ref)
    if booking is None:
        return Done(Outcome(Change.NOT_FOUND, None))
    outcome = await services.bookings.cancel(ref, booking.channel, booking.user_id, now)
    if outcome.status != Change.CANCELLED:
        return Done(outcome)
    return Done(outcome, await _tell(services, outcome.booking, "staff.visit_cancelled_resident",
                                     "staff.visit_cancelled_lawyer", now, reason=reason))


async def move(services: Services, actor: Actor, ref: str, day: date, window: str, now: datetime) -> Done[Outcome]:
    """The centre moves a visit to another half-day (same seat rules as a resident's own move)."""
    require(actor, "move a visit", Role.STAFF)
    booking = await services.bookings.get(ref)
    rules, zone = services.settings.slot_rules, services.settings.zone
    if booking is None or window not in {w.key for w in rules.windows}:
        return Done(Outcome(Change.NOT_FOUND, booking))
    outcome = await services.bookings.reschedule(
        ref, booking.channel, booking.user_id, day, window, rules.capacity, now,
        {"resident": resident_reminder_at(day, zone), "lawyer": lawyer_reminder_at(day, zone)})
    if outcome.status != Change.MOVED:
        return Done(outcome)
    return Done(outcome, await _tell(services, outcome.booking, "staff.visit_moved_resident", "book.notice_moved", now))


async def _tell(services: Services, b: Booking, resident_text: str, lawyer_text: str, now: datetime,
                **extra: str) -> list[Notice]:
    t = services.texts
    fields = dict(ref=b.ref, day=day_label(t, b.visit_date), county=b.county,
                  window=window_label(t, services.settings.slot_rules, b.window), **extra)
    resident = Address(b.channel, b.user_id)
    parts = (b.ref, b.visit_date, b.window, now.isoformat())
    notices = [Notice(b.channel, b.user_id, Reply(t(resident_text, **fields)),
                      outbox_key(Topic.VISIT_CHANGED, "resident", *parts), resident)]
    lawyer = await services.ledger.get_lawyer(b.lawyer_id) if b.lawyer_id else None
    return notices + to_lawyer(lawyer, Reply(t(lawyer_text, **fields)),
                               outbox_key(Topic.VISIT_CHANGED, "lawyer", *parts), resident)


async def export(services: Services, actor: Actor, start: date, end: date, fmt: str, now: datetime) -> Export:
    """Visits from `start` to `end` as a file for Excel; it holds personal data, so the export is logged."""
    require(actor, "export visits", Role.STAFF)
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"export format must be one of {EXPORT_FORMATS}, got {fmt!r}")
    rows = await services.bookings.export_rows(start, end)
    await services.store.log_access(actor.name, "bookings.export", f"{start}..{end}", now)
    content = bookings_file(rows, fmt, services.texts)
    return Export(Document(f"bookings-{start}-{end}.{fmt}", content), len(rows))
