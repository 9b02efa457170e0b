"""The retention periods (README: Reliability and personal data), run daily by the scheduler and
by `legalaid db purge`: what has outlived its use is blanked or deleted."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from services import accounts, visit_care
from services.actor import Actor, Role, require
from services.context import Services
from storage.retention import Cutoffs, Purged, RetentionStore

log = logging.getLogger(__name__)


async def purge(services: Services, actor: Actor, now: datetime) -> Purged:
    require(actor, "purge personal data", Role.SYSTEM)
    s = services.settings

    def ago(days: int) -> datetime:
        return now - timedelta(days=days)

    visits = await visit_care.purge_expired(services, actor, now)
    cut = Cutoffs(questions=ago(s.retention_days), states=ago(s.state_retention_days),
                  misses=ago(s.miss_retention_days), messages=ago(s.outbox_retention_days))
    purged = await RetentionStore(services.store.db).purge(cut, now, visits)
    await accounts.drop_old(services, now)  # the console's old sessions and sign-in attempts
    if purged != Purged(visits):
        log.info("retention: %s", purged)
    return purged
