"""Work done on a clock, not on a message: reminders, then delivery of whatever is queued.

The database is the schedule. Each tick asks it what is due, so nothing has to be re-armed
after a restart (python-telegram-bot's JobQueue forgets its jobs when the process ends), and
the first tick at start-up catches up on anything that fell due while the bot was down.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.runtime import Runtime
from common.messages import Address, Notice, Reply
from services import consultations, points
from services.actor import SYSTEM, Done
from services.wording import day_label, window_label
from storage.outbox import Topic, outbox_key
from policy.slots import slot_start

log = logging.getLogger(__name__)


async def tick(runtime: Runtime) -> None:
    """One pass of every periodic job; safe to run concurrently with itself and after a crash.

    Each job is on its own: one that fails is logged and the others (delivery last) still run.
    """
    jobs = [send_due_reminders, renotify_unclaimed, alert_stalled]
    now = runtime.now()
    # The slower jobs (quarterly statements, retention) need not run more than hourly.
    if runtime.hourly_due(now):
        jobs += [send_quarterly_statements, purge_expired]
    for job in jobs:
        try:
            await job(runtime)
        except Exception:  # noqa: BLE001 - the next tick tries again
            log.exception("scheduled job %s failed", job.__name__)
    await runtime.courier.deliver()


async def send_due_reminders(runtime: Runtime) -> int:
    services = runtime.services
    now = runtime.now()
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
            reply = Reply(t("book.reminder_resident", **fields))
        else:
            to = (due.lawyer_channel, due.lawyer_user_id)
            reply = Reply(t("book.reminder_lawyer", name=b.elder_name, phone=b.phone,
                            access=b.access_needs or t("eq.none"), matter=b.matter, **fields))
        if not all(to):
            await services.bookings.drop_reminder(due.id, now, "no chat account to remind")
            log.warning("reminder %s for %s dropped: no chat account for the %s", due.id, due.ref, due.audience)
            continue
        # Queue first (idempotent by key), then mark sent: a crash in between re-queues nothing twice.
        await services.store.enqueue(Notice(to[0], to[1], reply, outbox_key(Topic.REMINDER, due.id), Address(b.channel, b.user_id)), now)
        await services.bookings.mark_reminder_sent(due.id, now)
        queued += 1
    return queued


async def _queue(runtime: Runtime, done: Done[int]) -> int:
    now = runtime.now()
    for notice in done.notices:
        await runtime.services.store.enqueue(notice, now)
    return done.value


async def renotify_unclaimed(runtime: Runtime) -> int:
    """Questions no lawyer claimed in time: the duty lawyers again, and staff."""
    return await _queue(runtime, await consultations.renotify_unclaimed(runtime.services, SYSTEM, runtime.now()))


async def alert_stalled(runtime: Runtime) -> int:
    """Questions a lawyer claimed but has not answered within a day: staff are told once."""
    return await _queue(runtime, await consultations.stalled(runtime.services, SYSTEM, runtime.now()))


async def send_quarterly_statements(runtime: Runtime) -> int:
    """二(四): each quarter's statement goes to every bound lawyer once, early in the next quarter."""
    return await _queue(runtime, await points.quarterly_statements(runtime.services, SYSTEM, runtime.now()))


async def purge_expired(runtime: Runtime) -> int:
    """Blank the personal details of visits finished more than the retention period ago."""
    services = runtime.services
    now = runtime.now()
    cutoff = now.astimezone(services.settings.zone).date() - timedelta(days=services.settings.retention_days)
    purged = await services.bookings.purge_personal(cutoff, now)
    if purged:
        log.info("blanked the personal details of %d finished visits before %s", purged, cutoff)
    # Delivered messages can quote names and addresses (assignments, reminders): same period.
    await services.store.purge_outbox(now - timedelta(days=services.settings.retention_days))
    await runtime.dialogue.drop_stale_drafts(now)
    return purged
