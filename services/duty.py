"""值班表 as a service: who answers online questions on a non-working day, and whom a new question
goes to now.

4号 一(三): 值班 is 律师自主报名、法律援助机构统一安排. So a lawyer may put themself down for a
non-working day and take themself off, and staff may do either for anyone. Being on the roster
earns no points by itself: the answers given that day earn 二(一)9's +5 each (二(一)3's 10 a day is
for duty at a window or 工作站, not online).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from common.messages import Notice, Reply
from policy.duty_roster import add_refusal, holiday_name, non_working_days, remove_refusal
from policy.ledger import LedgerError, UnknownRecord
from services.actor import Actor, Done, PermissionDenied, Role, require
from services.context import Services
from services.notices import to_lawyer
from services.wording import day_label
from storage.duty_roster import RosterEntry
from storage.lawyers import Lawyer
from storage.outbox import Topic, outbox_key

# How far ahead the console's 值班表 looks.
ROSTER_WEEKS = 8


@dataclass(frozen=True)
class RosterDay:
    day: date
    holiday: str | None  # 国庆节, 春节 …; None for a plain weekend
    entries: list[RosterEntry]

    @property
    def reachable(self) -> list[RosterEntry]:
        """The entries the bot can send questions to: active lawyers with a chat account."""
        return [e for e in self.entries if e.active and e.bound]


@dataclass(frozen=True)
class DutyNow:
    """今天's duty line: who gets a new question now, and the next non-working day's roster."""

    lawyers: list[Lawyer]
    rostered: bool  # True: today's roster; False: the on-duty switch (or nobody: staff are told)
    next_day: RosterDay | None


async def recipients(services: Services, now: datetime) -> list[Lawyer]:
    """Whom a new question (or a re-sent unclaimed one) goes to now; nobody: staff are told."""
    return (await _route(services, services.today(now)))[0]


async def _route(services: Services, day: date) -> tuple[list[Lawyer], bool]:
    # A non-working day with a roster: its lawyers. When none of them can be reached (not bound,
    # deactivated) the question must still reach someone, so the switch decides as on any day.
    if not services.calendar.is_workday(day):
        rostered = await services.ledger.rostered_on(day)
        if rostered:
            return rostered, True
    return await services.ledger.on_duty_lawyers(), False


async def roster(services: Services, actor: Actor, today: date, weeks: int = ROSTER_WEEKS) -> list[RosterDay]:
    """The non-working days from today for `weeks` weeks, each with who is on it (staff)."""
    require(actor, "see the duty roster", Role.STAFF)
    return await _days(services, today, weeks)


async def _days(services: Services, today: date, weeks: int, lawyer_id: int | None = None) -> list[RosterDay]:
    days = non_working_days(today, weeks * 7, services.calendar)
    if not days:
        return []
    entries = await services.roster.between(days[0], days[-1], lawyer_id)
    return [RosterDay(d, holiday_name(d, services.calendar), [e for e in entries if e.day == d]) for d in days]


async def my_days(services: Services, actor: Actor, today: date, weeks: int = ROSTER_WEEKS) -> list[RosterDay]:
    """A lawyer's view: the coming non-working days, each with only their own entry (if any)."""
    lawyer = _own(actor)
    return await _days(services, today, weeks, lawyer.id)


async def now_on_duty(services: Services, actor: Actor, now: datetime) -> DutyNow:
    """For 今天: who is sent a new question now, and the next non-working day after today."""
    require(actor, "see who is on duty", Role.STAFF)
    today = services.today(now)
    lawyers, rostered = await _route(services, today)
    coming = await _days(services, today + timedelta(days=1), ROSTER_WEEKS)
    return DutyNow(lawyers, rostered, coming[0] if coming else None)


def _own(actor: Actor) -> Lawyer:
    if actor.role != Role.LAWYER or actor.lawyer is None:
        raise PermissionDenied(actor, "see one's own duty days")
    return actor.lawyer


def _may_change(actor: Actor, lawyer_id: int) -> None:
    """Staff keep anyone's entries; a lawyer only their own (自主报名)."""
    if actor.role == Role.LAWYER and actor.lawyer is not None and actor.lawyer.id == lawyer_id:
        return
    require(actor, "change another lawyer's duty days", Role.STAFF)


async def add(services: Services, actor: Actor, day: date, lawyer_id: int, now: datetime) -> Done[bool]:
    """Put a lawyer on the roster for a non-working day; False when already on it. A lawyer put
    down by someone else is told."""
    _may_change(actor, lawyer_id)
    lawyer = await services.ledger.get_lawyer(lawyer_id)
    if lawyer is None:
        raise UnknownRecord("lawyer", lawyer_id)
    refusal = add_refusal(day, services.today(now), services.calendar, lawyer.active)
    if refusal is not None:
        raise LedgerError(refusal, f"{day} cannot be rostered for lawyer {lawyer_id}",
                          day=day_label(services.texts, day))
    added = await services.roster.add(day, lawyer_id, actor.name, now)
    return Done(added, _told(services, actor, lawyer, "duty.added_for_you", day, now) if added else [])


async def remove(services: Services, actor: Actor, day: date, lawyer_id: int, now: datetime) -> Done[bool]:
    """Take a lawyer off a day that has not started; False when they were not on it."""
    _may_change(actor, lawyer_id)
    refusal = remove_refusal(day, services.today(now))
    if refusal is not None:
        raise LedgerError(refusal, f"{day} has started", day=day_label(services.texts, day))
    removed = await services.roster.remove(day, lawyer_id)
    lawyer = await services.ledger.get_lawyer(lawyer_id)
    return Done(removed, _told(services, actor, lawyer, "duty.removed_for_you", day, now) if removed else [])


def _told(services: Services, actor: Actor, lawyer: Lawyer | None, text_id: str, day: date,
          now: datetime) -> list[Notice]:
    """A change someone else made to a lawyer's duty days, for the lawyer's chat."""
    if lawyer is None or (actor.lawyer is not None and actor.lawyer.id == lawyer.id):
        return []
    reply = Reply(services.texts(text_id, day=day_label(services.texts, day)))
    return to_lawyer(lawyer, reply, outbox_key(Topic.DUTY, text_id, day, lawyer.id, f"{now:%Y%m%d%H%M%S}"))


async def remind_tomorrow(services: Services, actor: Actor, now: datetime, quiet: tuple[int, int]) -> Done[int]:
    """The day before a rostered day, each reachable lawyer on it is reminded once (the outbox key
    is per day and lawyer); not in the `quiet` hours, and useless once the day has begun."""
    require(actor, "remind the duty lawyers", Role.SYSTEM)
    local = services.local(now)
    if local.hour >= quiet[0] or local.hour < quiet[1]:
        return Done(0)
    tomorrow = local.date() + timedelta(days=1)
    if services.calendar.is_workday(tomorrow):
        return Done(0)
    t = services.texts
    reply = Reply(t("duty.reminder", day=day_label(t, tomorrow)))
    ends = datetime.combine(tomorrow, time(0), services.settings.zone)
    notices: list[Notice] = []
    for lawyer in await services.ledger.rostered_on(tomorrow):
        key = outbox_key(Topic.DUTY, "reminder", tomorrow, lawyer.id)
        if await services.store.queued_at(key) is not None:
            continue  # reminded at an earlier tick: a read here rather than a refused write every tick
        notices += [dataclasses.replace(n, expires_at=ends) for n in to_lawyer(lawyer, reply, key)]
    return Done(len(notices), notices)
