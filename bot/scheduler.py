"""Work done on a clock, not on a message: reminders, then delivery of whatever is queued.

The database is the schedule. Each tick asks it what is due, so nothing has to be re-armed
after a restart (python-telegram-bot's JobQueue forgets its jobs when the process ends), and
the first tick at start-up catches up on anything that fell due while the bot was down.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.runtime import Runtime
from services import calendar_admin, calendar_status, consultations, duty, knowledge, points, retention, visit_care
from services.actor import SYSTEM, Done
from storage.retention import Purged

log = logging.getLogger(__name__)
# Signed WeChat requests are refused after 10 minutes (wechat_events.REPLAY_WINDOW_SECONDS); kept a little longer.
SIGNED_WINDOW = timedelta(minutes=15)


async def tick(runtime: Runtime) -> None:
    """One pass of every periodic job; safe to run concurrently with itself and after a crash.

    Each job is on its own: one that fails is logged and the others (delivery last) still run.
    """
    jobs = [refresh_calendar, send_due_reminders, remind_duty_lawyers, renotify_unclaimed, alert_stalled,
            refresh_knowledge]
    now = runtime.now()
    # The slower jobs (quarterly statements, retention) need not run more than hourly.
    if runtime.hourly_due(now):
        jobs += [send_quarterly_statements, warn_provisional_calendar, purge_expired]
    for job in jobs:
        try:
            await job(runtime)
        except Exception:  # noqa: BLE001 - the next tick tries again
            log.exception("scheduled job %s failed", job.__name__)
    await runtime.courier.deliver()


async def refresh_calendar(runtime: Runtime) -> bool:
    """日历与名额 changed by another process (the console, the CLI): one cheap version read a tick."""
    return await calendar_admin.refresh(runtime.services)


async def send_due_reminders(runtime: Runtime) -> int:
    """Visits tomorrow: the resident and the lawyer are reminded the evening before."""
    return await visit_care.send_due_reminders(runtime.services, SYSTEM, runtime.now())


async def _queue(runtime: Runtime, done: Done[int]) -> int:
    now = runtime.now()
    for notice in done.notices:
        await runtime.services.store.enqueue(notice, now)
    return done.value


async def renotify_unclaimed(runtime: Runtime) -> int:
    """Questions no lawyer claimed in time: the duty lawyers again, and staff."""
    return await _queue(runtime, await consultations.renotify_unclaimed(runtime.services, SYSTEM, runtime.now()))


async def remind_duty_lawyers(runtime: Runtime) -> int:
    """The day before a rostered non-working day, its lawyers are reminded once, not at night."""
    done = await duty.remind_tomorrow(runtime.services, SYSTEM, runtime.now(), consultations.QUIET_HOURS)
    return await _queue(runtime, done)


async def alert_stalled(runtime: Runtime) -> int:
    """Questions a lawyer claimed but has not answered within a day: staff are told once."""
    return await _queue(runtime, await consultations.stalled(runtime.services, SYSTEM, runtime.now()))


async def send_quarterly_statements(runtime: Runtime) -> int:
    """二(四): each quarter's statement goes to every bound lawyer once, early in the next quarter."""
    return await _queue(runtime, await points.quarterly_statements(runtime.services, SYSTEM, runtime.now()))


async def warn_provisional_calendar(runtime: Runtime) -> int:
    """A year whose holidays are only computed: staff are told once, to enter the notice."""
    return await _queue(runtime, calendar_status.warn_staff(runtime.services, SYSTEM, runtime.now()))


async def purge_expired(runtime: Runtime) -> Purged:
    """Blank or delete what its retention period has run out on; drop drafts nobody came back to."""
    purged = await retention.purge(runtime.services, SYSTEM, runtime.now())
    await runtime.dialogue.drop_stale_drafts(runtime.now())
    await runtime.services.store.prune_inbox(runtime.now(), SIGNED_WINDOW)
    return purged


async def refresh_knowledge(runtime: Runtime) -> bool:
    """Knowledge-base edits saved by another process (the web console): in this one's matcher within a minute."""
    return await knowledge.refresh(runtime.services)
