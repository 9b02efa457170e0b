"""Jobs the clock starts on home visits: the reminders the evening before, and the end of a
finished visit's personal details once the retention period (LEGALAID_RETENTION_DAYS) has run.

Only the scheduler (SYSTEM) runs them.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from common.messages import Address, Notice, Option, Reply
from policy.slots import slot_start
from services.actor import Actor, Role, require
from services.context import Services
from services.wording import day_label, window_label
from storage.outbox import Topic, outbox_key

log = logging.getLogger(__name__)


async def send_due_reminders(services: Services, actor: Actor, now: datetime) -> int:
    """The evening-before reminders that are due, to the resident and to the lawyer.

    Each is queued first (idempotent by its key) and then marked sent, so a crash in between
    re-queues nothing twice; that order is the rule, hence this function queues them itself.
    """
    require(actor, "send reminders", Role.SYSTEM)
    t, zone, rules = services.texts, services.settings.zone, services.settings.slot_rules
    queued = 0
    for due in await services.bookings.due_reminders(now):
        b = due.booking
        starts = slot_start(b.visit_date, rules.window(b.window), zone)
        if starts <= now:
            await services.bookings.drop_reminder(due.id, now, "visit already started")
            log.info("reminder %s for %s dropped: the visit time has passed", due.id, due.ref)
            continue
        fields = dict(
            ref=b.ref, day=day_label(t, b.visit_date), window=window_label(t, rules, b.window),
            county=b.county, township=b.township, address=b.address,
        )
        if due.audience == "resident":
            to = (b.channel, b.user_id)
            # The text says 请点“我的预约”: the button is there to tap (to change the time or cancel).
            reply = Reply(t("book.reminder_resident", **fields),
                          (Option(t("book.mine"), "mine:start"), Option(t("nav.menu"), "menu:show")))
        else:
            to = (due.lawyer_channel, due.lawyer_user_id)
            reply = Reply(t("book.reminder_lawyer", name=b.elder_name, phone=b.phone,
                            access=b.access_needs or t("eq.none"), matter=b.matter, **fields))
        if not all(to):
            await services.bookings.drop_reminder(due.id, now, "no chat account to remind")
            log.warning("reminder %s for %s dropped: no chat account for the %s", due.id, due.ref, due.audience)
            continue
        # A reminder is worth delivering until the visit begins, not after.
        notice = Notice(to[0], to[1], reply, outbox_key(Topic.REMINDER, due.id), Address(b.channel, b.user_id),
                        expires_at=starts)
        await services.store.enqueue(notice, now)
        await services.bookings.mark_reminder_sent(due.id, now)
        queued += 1
    return queued


async def purge_expired(services: Services, actor: Actor, now: datetime) -> int:
    """Blank the personal details of visits finished more than the retention period ago (the
    messages quoting them go after LEGALAID_OUTBOX_RETENTION_DAYS: services.retention)."""
    require(actor, "purge personal data", Role.SYSTEM)
    days = services.settings.retention_days
    cutoff = services.today(now) - timedelta(days=days)
    purged = await services.bookings.purge_personal(cutoff, now)
    if purged:
        log.info("blanked the personal details of %d finished visits before %s", purged, cutoff)
    return purged
