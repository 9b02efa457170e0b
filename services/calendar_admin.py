"""日历与名额: what staff set for home visits (3号 三 预约提供上门服务) and for the work calendar.

- places per county and half-day (0: not offered there; unset: LEGALAID_VISIT_CAPACITY);
- closed days (培训, 台风 …), for every county or one, the whole day or one half-day. Bookings
  already made stay: the page lists them, to move or cancel each through 预约;
- the State Council's notice for a year the calendar package does not know: days off, make-up
  working days, and "entered", which ends the year's provisional status. Precedence: the
  database over LEGALAID_CALENDAR_OVERRIDES (the starting values) over chinese-calendar.

The process that made a change takes it at once; every other process within a minute (`refresh`,
a cheap version read, from the scheduler and the console). Staff only; every change is kept
with who and when (storage.calendar_admin).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from common.calendar import load_overrides, overrides_path
from policy.eligibility import County
from policy.ledger import required
from services.actor import Actor, Role, require
from services.calendar_status import provisional_years
from services.context import Services
from storage.bookings import Booking, BookingStatus
from storage.calendar_admin import ALL, CalendarChange, CalendarStore, Closure, EnteredDay

MAX_PLACES = 20  # a sanity bound on a typing slip (200 for 2), far above any county's need
DAY_KINDS = ("holiday", "workday", "unset")


@dataclass(frozen=True)
class Affected:
    """A closed day and the visits already booked in it, to move or cancel one by one."""

    closure: Closure
    bookings: list[Booking]


@dataclass(frozen=True)
class CalendarPage:
    default: int  # LEGALAID_VISIT_CAPACITY: places wherever staff set none
    windows: list[str]
    places: dict[tuple[str, str], int]  # (county, window) → what staff set
    closed: list[Affected]
    provisional: dict[int, list[date]]
    entered: dict[int, list[EnteredDay]]  # the notice's days staff entered, this year and the next
    unconfirmed: list[int]  # of those two years, the ones whose computed holidays still stand
    changes: list[CalendarChange]


def _store(services: Services) -> CalendarStore:
    return CalendarStore(services.store.db, services.settings.zone)


async def refresh(services: Services) -> bool:
    """Take the calendar staff keep in the database if it changed since this process last read it
    (one indexed MAX per call: the scheduler's tick and the console call it, never a chat turn)."""
    if await _store(services).version() == services.calendar.version:
        return False
    await load(services)
    return True


async def load(services: Services) -> None:
    stored = await _store(services).stored()
    merged = load_overrides(overrides_path(services.settings)).under(stored.days, stored.entered_years)
    services.calendar.reset(merged.days, merged.entered_years, stored.version)


async def places(services: Services, actor: Actor) -> dict[tuple[str, str], int]:
    """(county, window) → the places staff set; LEGALAID_VISIT_CAPACITY applies to the rest."""
    require(actor, "see places", Role.STAFF)
    return await _store(services).places()


async def page(services: Services, actor: Actor, today: date) -> CalendarPage:
    require(actor, "see the calendar", Role.STAFF)
    store = _store(services)
    closures = await store.closures(today)
    closed = [Affected(c, await _booked(services, c)) for c in closures]
    years = (today.year, today.year + 1)
    return CalendarPage(
        services.settings.visit_capacity, [w.key for w in services.settings.slot_rules.windows],
        await places(services, actor), closed, provisional_years(services, today),
        {year: await store.entered_days(year) for year in years},
        [year for year in years if services.calendar.provisional_holidays(year)], await store.changes())


async def _booked(services: Services, closure: Closure) -> list[Booking]:
    return [b for b in await services.bookings.list_for_date(closure.day)
            if b.status == BookingStatus.ACTIVE and closure.county in (ALL, b.county)
            and closure.window in (ALL, b.window)]


def _window(services: Services, key: str) -> str:
    if key not in {w.key for w in services.settings.slot_rules.windows}:
        raise ValueError(f"no visiting window {key!r}")
    return key


async def set_places(services: Services, actor: Actor, county: County, window: str, places: int,
                     now: datetime) -> None:
    """Lowering places never cancels a visit: seats above the new number stay taken until they end."""
    require(actor, "set places", Role.STAFF)
    if not 0 <= places <= MAX_PLACES:
        raise ValueError(f"places must be 0..{MAX_PLACES}, got {places}")
    await _store(services).set_places(County(county).value, _window(services, window), places, actor.name, now)
    await load(services)


async def close_day(services: Services, actor: Actor, day: date, county: County | None, window: str | None,
                    reason: str, now: datetime) -> Affected:
    """Close a day (or one half-day), in every county or one: never offered again, and a booking for it
    is refused inside the booking's own transaction. What is booked already stays, and is returned."""
    require(actor, "close a day", Role.STAFF)
    reason = required(reason, "reason", "ledger.error.reason_required")
    if day < services.today(now):
        raise ValueError(f"{day} is past")
    closure = await _store(services).close(day, County(county).value if county else ALL,
                                           _window(services, window) if window else ALL, reason, actor.name, now)
    await load(services)
    return Affected(closure, await _booked(services, closure))


async def reopen(services: Services, actor: Actor, closure_id: int, now: datetime) -> Closure | None:
    require(actor, "reopen a day", Role.STAFF)
    closure = await _store(services).reopen(closure_id, actor.name, now)
    await load(services)
    return closure


async def set_day(services: Services, actor: Actor, day: date, kind: str, now: datetime) -> None:
    """One day of the State Council's notice: 放假 (holiday), 调休上班 (workday), or take the entry away."""
    require(actor, "enter the holiday notice", Role.STAFF)
    if kind not in DAY_KINDS:
        raise ValueError(f"kind must be one of {DAY_KINDS}, got {kind!r}")
    worked = None if kind == "unset" else kind == "workday"
    await _store(services).set_day(day, worked, actor.name, now)
    await load(services)


async def enter_year(services: Services, actor: Actor, year: int, now: datetime) -> None:
    """The year's notice is entered in full: its computed holidays are no longer provisional."""
    require(actor, "enter the holiday notice", Role.STAFF)
    if not 2000 <= year <= 2100:
        raise ValueError(f"{year} is not a year such as 2027")
    await _store(services).enter_year(year, actor.name, now)
    await load(services)
