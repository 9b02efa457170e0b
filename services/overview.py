"""What the web console lists: the day's work at a glance (with who is on duty), visits over a
range with the places left, and questions by status. Staff see everything; a lawyer the questions
open to anyone and their own. Reading a question's words is a read of personal data, so staff
reads are logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from policy.county_status import County
from services.actor import Actor, PermissionDenied, Role, require, require_lawyer
from services.context import Services
from services.duty import DutyNow, now_on_duty
from services.points import Waiting, waiting_corrections
from storage.bookings import Booking
from storage.consultations import Consultation, Status
from storage.lawyers import Lawyer
from storage.listings import Listings, QuestionRow
from storage.store import Miss
from storage.users import UserStore

MAX_LISTED = 1000


@dataclass(frozen=True)
class Today:
    today: list[Booking]
    tomorrow: list[Booking]
    unclaimed: int  # questions nobody claimed within LEGALAID_CLAIM_TIMEOUT_MINUTES
    corrections: list[Waiting]
    misses: list[Miss]  # this week's, most frequent first
    duty: DutyNow  # who gets a new question now, and the next non-working day's 值班表


def _listings(services: Services) -> Listings:
    return Listings(services.store.db, services.settings.zone)


async def today(services: Services, actor: Actor, now: datetime) -> Today:
    require(actor, "see the day", Role.STAFF)
    day = services.today(now)
    bookings = services.bookings
    timeout = timedelta(minutes=services.settings.claim_timeout_minutes)
    return Today(
        await bookings.list_for_date(day), await bookings.list_for_date(day + timedelta(days=1)),
        await _listings(services).waiting_since(now - timeout), await waiting_corrections(services, actor),
        await services.store.misses(now - timedelta(days=7), 10), await now_on_duty(services, actor, now),
    )


async def bookings(services: Services, actor: Actor, start: date, end: date, county: County | None,
                   limit: int = MAX_LISTED) -> list[Booking]:
    require(actor, "list visits", Role.STAFF)
    return await _listings(services).bookings(start, end, county, limit)


async def free_places(services: Services, actor: Actor, days: list[date]) -> dict[tuple[County, date, str], int]:
    """Places left per county, day and half-day (non-working days have none to give)."""
    require(actor, "see free places", Role.STAFF)
    rules = services.settings.slot_rules
    free: dict[tuple[County, date, str], int] = {}
    for county in County:
        found = await services.bookings.availability(county, days, rules.windows, rules.capacity)
        for (day, window), n in found.items():
            free[(county, day, window)] = n if services.calendar.is_workday(day) else 0
    return free


async def who_goes(services: Services, actor: Actor, bookings: list[Booking]) -> dict[int, str]:
    """Booking id → who goes: the lawyer's name, or the member of staff's account name."""
    require(actor, "see who goes", Role.STAFF)
    lawyers = {x.id: x.name for x in await services.ledger.list_lawyers()}
    staff = {u.id: u.name for u in await UserStore(services.store.db).all()}
    who = {}
    for b in bookings:
        if b.lawyer_id is not None:
            who[b.id] = lawyers.get(b.lawyer_id, "")
        elif b.staff_user_id is not None:
            who[b.id] = services.texts("web.booking.staff_goes", name=staff.get(b.staff_user_id, ""))
    return who


async def questions(services: Services, actor: Actor, limit: int = 200) -> list[QuestionRow]:
    """Every question with its status (staff), or the open ones and one's own (a lawyer)."""
    if actor.role == Role.LAWYER:
        return await _listings(services).questions(require_lawyer(actor, "list questions").id, limit)
    require(actor, "list questions", Role.STAFF)
    return await _listings(services).questions(None, limit)


async def question(services: Services, actor: Actor, consultation_id: int, now: datetime) -> Consultation | None:
    """One question with its answer and follow-up. A lawyer reads an open one or their own."""
    c = await services.consultations.get(consultation_id)
    if c is None:
        return None
    if actor.role == Role.LAWYER:
        lawyer = require_lawyer(actor, "read a question")
        if c.status != Status.OPEN and c.lawyer_id != lawyer.id:
            raise PermissionDenied(actor, "read another lawyer's question")
    else:
        require(actor, "read a question", Role.STAFF)
    await services.store.log_access(actor.name, "consultation.read", c.ref, now)  # lawyers' reads too
    return c


async def visit(services: Services, actor: Actor, ref: str) -> tuple[Booking, Lawyer | None] | None:
    """A visit as the console first shows it: contact details masked on the page, so not logged
    (pressing 显示 goes through services.visits.detail, which logs the read)."""
    require(actor, "see a visit", Role.STAFF)
    booking = await services.bookings.get(ref)
    if booking is None:
        return None
    return booking, await services.ledger.get_lawyer(booking.lawyer_id) if booking.lawyer_id else None


async def day_sheet(services: Services, actor: Actor, day: date, county: County, now: datetime
                    ) -> list[tuple[Booking, Lawyer | None]]:
    """The printed sheet for the people who go out: every visit of the day in one county, with the
    contact details they need; printing it is a read of personal data, logged once per visit."""
    require(actor, "print a day sheet", Role.STAFF)
    visits = [b for b in await services.bookings.list_for_date(day) if b.county == county and b.status == "active"]
    sheet = []
    for b in visits:
        await services.store.log_access(actor.name, "booking.sheet", b.ref, now)
        sheet.append((b, await services.ledger.get_lawyer(b.lawyer_id) if b.lawyer_id else None))
    return sheet
