"""留言问律师 as a service: a resident's question reaches the duty lawyers, one lawyer claims and
answers it (+5 under 4号 二(一)9 on a non-working day), one follow-up, feedback and thanks; staff
see what nobody claimed and what stalls; the scheduler sends unclaimed questions again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from common.catalog import Catalog
from common.messages import Address, Notice, Option, Reply
from policy.workdays import is_non_working_moment
from services.actor import Actor, Done, Role, require, require_lawyer
from services.context import Services
from services.duty import recipients
from services.notices import to_lawyer, to_staff
from storage.consultations import Answered, Claim, Consultation, Feedback
from storage.lawyers import Lawyer
from storage.outbox import Topic, outbox_key

MAX_ANSWER = 3000
# Re-notify lawyers this many times, then tell staff only; and not at night.
MAX_RENOTIFY = 3
QUIET_HOURS = (22, 7)
# When a question left on a working day is still answered that day. The texts set no office hours;
# this is the usual close of a government office, and later questions are promised the next working day.
CLOSING_TIME = time(17, 0)


def answer_day(services: Services, now: datetime) -> date | None:
    """The working day by which a lawyer will answer a question left now; None: today, in office hours."""
    local = services.local(now)
    if services.calendar.is_workday(local.date()) and local.time() < CLOSING_TIME:
        return None
    day = local.date() + timedelta(days=1)
    while not services.calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def question_reply(t: Catalog, c: Consultation) -> Reply:
    """The question as a lawyer sees it, with its 接单 button."""
    return Reply(t("lawyer.new_question", ref=c.ref, question=c.question),
                 (Option(t("lawyer.claim_button"), f"law:claim:{c.id}"),))


def _resident(c: Consultation) -> Address:
    return Address(c.channel, c.user_id)


async def ask(services: Services, sender: Address, question: str, now: datetime, event: str = "") -> Done[Consultation]:
    """A resident's question: to every duty lawyer at once (on a non-working day with a roster, that
    day's; services.duty), or to staff when nobody is on duty."""
    c = await services.consultations.create(sender.channel, sender.user_id, question, now, event)
    t = services.texts
    notices: list[Notice] = []
    for lawyer in await recipients(services, now):
        notices += to_lawyer(lawyer, question_reply(t, c), outbox_key(Topic.NEW_QUESTION, c.id, lawyer.id), sender)
    if not notices:
        notices = to_staff(services, Reply(t("staff.no_duty_lawyer", ref=c.ref)),
                           outbox_key(Topic.NO_DUTY_LAWYER, c.id), sender)
    return Done(c, notices)


async def claim(services: Services, actor: Actor, consultation_id: int, now: datetime) -> Claim:
    """Exactly one lawyer wins a question (one conditional UPDATE)."""
    lawyer = require_lawyer(actor, "claim a question")
    return await services.consultations.claim(consultation_id, lawyer.id, now)


@dataclass(frozen=True)
class AnswerResult:
    status: Answered
    awarded: bool  # this answer earned the +5 of 二(一)9


async def answer(services: Services, actor: Actor, c: Consultation, text: str, now: datetime) -> AnswerResult:
    """The lawyer's answer (or answer to the follow-up); the resident's message is queued in the
    same transaction as the answer and the award, so none of the three exists without the others."""
    lawyer = require_lawyer(actor, "answer a question")
    t, zone = services.texts, services.settings.zone
    follow_up = c.status == "answered"
    # 二(一)9: +5 when the answer is given on a non-working day (statutory calendar and 调休, in the centre's zone),
    # never for answering one's own question.
    earns = is_non_working_moment(now, zone, services.calendar) and not _asked_by_self(lawyer, c)
    award_on = now.astimezone(zone).date() if earns else None
    options = [Option(t("consult.satisfied"), f"consult:ok:{c.id}"), Option(t("consult.praise"), f"consult:praise:{c.id}")]
    if not follow_up:
        options.append(Option(t("consult.follow_up_button"), f"consult:follow:{c.id}"))
    options.append(Option(t("nav.menu"), "menu:show"))
    reply = Reply(t("consult.answer", ref=c.ref, lawyer=lawyer.name, firm=lawyer.firm, answer=text[:MAX_ANSWER]),
                  tuple(options))
    key = outbox_key(Topic.ANSWER, c.id, "follow-up") if follow_up else outbox_key(Topic.ANSWER, c.id)
    notice = Notice(c.channel, c.user_id, reply, key, _resident(c))
    status, awarded = await services.consultations.answer(c.id, lawyer.id, text[:MAX_ANSWER], now, award_on, notice)
    return AnswerResult(status, awarded)


async def follow_up(services: Services, sender: Address, c: Consultation, text: str, now: datetime) -> Done[bool]:
    """The resident's one follow-up question, to the lawyer who answered."""
    if not await services.consultations.ask_follow_up(c.id, sender.channel, sender.user_id, text, now):
        return Done(False)
    t = services.texts
    reply = Reply(t("lawyer.follow_up", ref=c.ref, question=text),
                  (Option(t("lawyer.answer_button"), f"law:answer:{c.id}"),))
    lawyer = await services.ledger.get_lawyer(c.lawyer_id)
    return Done(True, to_lawyer(lawyer, reply, outbox_key(Topic.FOLLOW_UP, c.id), sender))


async def feedback(services: Services, sender: Address, c: Consultation, kind: Feedback, now: datetime) -> Done[bool]:
    """满意 or 表扬, once. 表扬 is passed on to the lawyer as thanks and earns no points: an online
    answer is neither a case nor praise from an aided person (4号 二(一)10 在承办法律援助案件中受到受援人表扬的)."""
    saved = await services.consultations.give_feedback(c.id, sender.channel, sender.user_id, kind)
    if not saved or kind != Feedback.PRAISE:
        return Done(saved)
    lawyer = await services.ledger.get_lawyer(c.lawyer_id)
    if lawyer is None or _asked_by_self(lawyer, c):
        return Done(saved)
    thanks = Reply(services.texts("lawyer.thanked", ref=c.ref))
    return Done(saved, to_lawyer(lawyer, thanks, outbox_key(Topic.PRAISE, c.id), sender))


def _asked_by_self(lawyer: Lawyer | None, c: Consultation) -> bool:
    """A lawyer's own question (same chat account) earns nothing: no self-dealing."""
    return lawyer is not None and (lawyer.channel, lawyer.user_id) == (c.channel, c.user_id)


async def reassign(services: Services, actor: Actor, consultation_id: int, lawyer_id: int, now: datetime) -> Done[bool]:
    """Staff hand a claimed question nobody answers to another lawyer, who is sent it to answer."""
    require(actor, "re-assign a question", Role.STAFF)
    if not await services.consultations.reassign(consultation_id, lawyer_id, now):
        return Done(False)
    c = await services.consultations.get(consultation_id)
    t = services.texts
    reply = Reply(t("lawyer.reassigned", ref=c.ref, question=c.question),
                  (Option(t("lawyer.answer_button"), f"law:answer:{c.id}"),))
    lawyer = await services.ledger.get_lawyer(lawyer_id)
    # A question to a lawyer, like the first one, but never the same key: it may be handed on twice.
    key = outbox_key(Topic.NEW_QUESTION, c.id, lawyer_id, "reassigned", f"{now:%Y%m%d%H%M}")
    return Done(True, to_lawyer(lawyer, reply, key, _resident(c)))


async def unclaimed(services: Services, actor: Actor, now: datetime) -> list[Consultation]:
    """Questions nobody has claimed; each one shown is a read of a resident's words, so it is logged."""
    require(actor, "read unclaimed questions", Role.STAFF)
    waiting = (await services.consultations.unclaimed(now, now))[:10]
    for c in waiting:
        await services.store.log_access(actor.name, "consultation.read", c.ref, now)
    return waiting


async def renotify_unclaimed(services: Services, actor: Actor, now: datetime) -> Done[int]:
    """Questions no lawyer claimed in time: the duty lawyers again (up to MAX_RENOTIFY times), and staff."""
    require(actor, "re-send questions", Role.SYSTEM)
    hour = services.local(now).hour
    if hour >= QUIET_HOURS[0] or hour < QUIET_HOURS[1]:
        return Done(0)  # nobody is woken at night; the morning tick catches up
    minutes = services.settings.claim_timeout_minutes
    waiting = await services.consultations.unclaimed(now - timedelta(minutes=minutes), now - timedelta(minutes=minutes))
    lawyers = await recipients(services, now)
    t, stamp = services.texts, f"{now:%Y%m%d%H%M}"
    notices: list[Notice] = []
    for c in waiting:
        count = await services.consultations.mark_renotified(c.id, now, now - timedelta(minutes=minutes))
        if not count:
            continue  # another process's scheduler re-sent it a moment ago
        for lawyer in lawyers if count <= MAX_RENOTIFY else ():
            notices += to_lawyer(lawyer, question_reply(t, c), outbox_key(Topic.RENOTIFY, c.id, lawyer.id, stamp),
                                 _resident(c))
        staff = Reply(t("staff.unclaimed", ref=c.ref, minutes=minutes), (Option(t("staff.details"), "staff:unclaimed"),))
        notices += to_staff(services, staff, outbox_key(Topic.UNCLAIMED, c.id, stamp), _resident(c))
    return Done(len(waiting), notices)


async def stalled(services: Services, actor: Actor, now: datetime) -> Done[int]:
    """Questions claimed but unanswered after a day: staff are told once each (the lawyer may be away)."""
    require(actor, "check stalled questions", Role.SYSTEM)
    late = await services.consultations.stalled(now - timedelta(days=1))
    notices: list[Notice] = []
    for c in late:
        reply = Reply(services.texts("staff.stalled", ref=c.ref),
                      (Option(services.texts("staff.reassign"), f"staff:reassign:{c.id}"),))
        notices += to_staff(services, reply, outbox_key(Topic.STALLED, c.id), _resident(c))
    return Done(len(late), notices)
