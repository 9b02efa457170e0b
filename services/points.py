"""The points ledger as the centre works it (衢市司发〔2020〕4号 二): entries and reversals,
corrections to decide, statements, the ranking and the quarterly statement run.

Staff enter and decide; a lawyer reads their own statement and files corrections; the
scheduler (SYSTEM) sends the quarterly statements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from common.messages import Document, Option, Reply
from policy.ledger import Decision
from policy.points import quarter_of
from services.actor import Actor, Done, PermissionDenied, Role, require, require_lawyer
from services.context import Services
from services.notices import to_lawyer, to_staff
from services.reports import REPORT_COLUMNS, points_report_file
from storage.lawyers import Lawyer
from storage.ledger import Correction, Entry, Statement
from storage.outbox import Topic, outbox_key


def statement_key(lawyer_id: int, year: int, quarter: int) -> str:
    """The outbox key of a quarterly statement, so each lawyer is sent each quarter once (二(四))."""
    return outbox_key(Topic.STATEMENT, lawyer_id, f"{year}Q{quarter}")


@dataclass(frozen=True)
class Waiting:
    """A correction waiting for staff, with the lawyer it concerns."""

    item: Correction
    lawyer: Lawyer


async def add_entry(
    services: Services, actor: Actor, lawyer_id: int, item_key: str, day: date, now: datetime,
    note: str = "", points: int | None = None, quantity: int = 1, people: int | None = None,
) -> Entry:
    """One manual entry; `people` for a group case of 二(一)1 (the ledger computes the cases)."""
    require(actor, "enter points", Role.STAFF)
    return await services.ledger.add_entry(lawyer_id, item_key, day, actor.name, now, note=note, points=points,
                                           quantity=quantity, people=people, cal=services.calendar)


async def reverse(services: Services, actor: Actor, entry_id: int, note: str, now: datetime) -> Entry:
    require(actor, "reverse points", Role.STAFF)
    return await services.ledger.reverse(entry_id, actor.name, now, note)


async def waiting_corrections(services: Services, actor: Actor) -> list[Waiting]:
    require(actor, "review corrections", Role.STAFF)
    pending = await services.ledger.list_corrections(Decision.PENDING)
    return [Waiting(c, await services.ledger.get_lawyer(c.lawyer_id)) for c in pending]


async def file_correction(
    services: Services, actor: Actor, year: int, quarter: int, text: str, discovered_on: date, now: datetime
) -> Done[Correction]:
    """A lawyer reports an omission: 二(四) 应在发现之日起5日内提出, counted from the day they say they found it."""
    lawyer = require_lawyer(actor, "file a correction")
    correction = await services.ledger.file_correction(lawyer.id, year, quarter, text, discovered_on, now,
                                                       services.calendar)
    t = services.texts
    reply = Reply(t("staff.correction_filed", name=lawyer.name),
                  (Option(t("staff.review_corrections"), "staff:corrections"),))
    return Done(correction, to_staff(services, reply, outbox_key(Topic.CORRECTION_FILED, correction.id)))


async def decide_correction(
    services: Services, actor: Actor, correction_id: int, accept: bool, reason: str, now: datetime
) -> Done[Correction]:
    """Staff accept or refuse with a reason, which the lawyer is told."""
    require(actor, "decide a correction", Role.STAFF)
    c = await services.ledger.decide_correction(correction_id, accept, reason, actor.name, now)
    t = services.texts
    text = t("lawyer.correction_decided", year=c.year, quarter=c.quarter,
             decision=t(f"staff.decision.{c.status}"), reason=c.reason)
    if c.status == Decision.ACCEPTED:  # 二(四) 经中心核对后予以追加: staff enter it next (handlers.staff prompts)
        text += "\n" + t("lawyer.correction_to_add")
    lawyer = await services.ledger.get_lawyer(c.lawyer_id)
    return Done(c, to_lawyer(lawyer, Reply(text), outbox_key(Topic.CORRECTION_DECIDED, c.id)))


async def statement(services: Services, actor: Actor, lawyer_id: int, year: int, quarter: int | None) -> Statement:
    """Staff read anyone's statement; a lawyer only their own."""
    if actor.role == Role.LAWYER and actor.lawyer is not None and actor.lawyer.id != lawyer_id:
        raise PermissionDenied(actor, "read another lawyer's statement")
    require(actor, "read a statement", Role.STAFF, Role.LAWYER)
    return await services.ledger.statement(lawyer_id, year, quarter)


async def report(services: Services, actor: Actor, year: int, quarter: int | None, fmt: str) -> Document:
    """The 二(五) ranking as a file, headed from the catalog (report.points.*)."""
    require(actor, "export the ranking", Role.STAFF)
    t = services.texts
    headers = [t(f"report.points.{c}") for c in REPORT_COLUMNS]
    filename, content, mime = await points_report_file(
        services.ledger, year, quarter, fmt, headers, t("report.points.vetoed_yes"), services.settings.bands)
    return Document(filename, content, mime)


async def quarterly_statements(services: Services, actor: Actor, now: datetime) -> Done[int]:
    """二(四): last quarter's statement for every bound lawyer, once (keyed by lawyer and quarter)."""
    require(actor, "send statements", Role.SYSTEM)
    today = services.today(now)
    year, quarter = (today.year, quarter_of(today) - 1) if quarter_of(today) > 1 else (today.year - 1, 4)
    notices = []
    for lawyer in await services.ledger.list_lawyers():
        key = statement_key(lawyer.id, year, quarter)
        if not lawyer.active or await services.store.queued_at(key) is not None:
            continue
        total = (await services.ledger.statement(lawyer.id, year, quarter)).total
        text = services.texts("lawyer.statement_ready", year=year, quarter=quarter, total=total)
        notices += to_lawyer(lawyer, Reply(text), key)
    return Done(len(notices), notices)
