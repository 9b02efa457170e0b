"""The composition root: opens the database, loads the catalog and knowledge base, builds the dialogue.

Every channel (console, Telegram, later WeChat) starts one `Runtime` and closes it on the way out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from common.calendar import work_calendar
from common.clock import system_clock
from common.catalog import load_catalog
from bot.courier import Courier, Sender
from common.config import Settings
from faq.kb import Audience, load_kb
from faq.matcher import Matcher
from handlers.booking import BookingFlow
from handlers.consult import ConsultFlow
from handlers.dialogue import Dialogue
from handlers.events import ChannelInfo
from handlers.eligibility import EligibilityFlow
from handlers.faq_flow import FaqFlow
from handlers.lawyer import LawyerFlow
from handlers.privacy_flow import PrivacyFlow
from handlers.staff import StaffFlow
from services.context import Services
from storage.bookings import BookingStore
from storage.consultations import ConsultationStore
from storage.db import Database
from storage.ledger import LedgerStore
from storage.store import Store

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    services: Services
    dialogue: Dialogue
    courier: Courier
    _last_hourly: datetime | None = field(default=None, init=False, repr=False)

    @classmethod
    async def open(cls, settings: Settings, clock: Callable[[], datetime] | None = None) -> Runtime:
        texts = load_catalog()
        kb = load_kb(settings.faq_dir)
        db = Database(settings.db_path)
        await db.open()
        services = Services(
            settings=settings,
            store=Store(db),
            texts=texts,
            clock=clock or system_clock(settings.zone),
            matcher=Matcher(kb),
            ledger=LedgerStore(db, settings.zone),
            bookings=BookingStore(db, settings.zone),
            consultations=ConsultationStore(db),
            calendar=work_calendar(settings),
        )
        flows = [FaqFlow(Audience.PUBLIC), EligibilityFlow(), BookingFlow(), ConsultFlow(), LawyerFlow(), StaffFlow(), PrivacyFlow()]
        dialogue = Dialogue(services, flows)
        log.info("ready: %d knowledge-base entries, database %s", len(kb), settings.db_path)
        courier = Courier(services.store, services.clock, on_delivered=dialogue.remember_delivered)
        return cls(settings, db, services, dialogue, courier)

    def attach(self, info: ChannelInfo, sender: Sender) -> None:
        """A channel adapter declares what it can do, and how queued messages reach its people."""
        self.dialogue.register_channel(info)
        self.courier.register(info.name, sender)

    def now(self) -> datetime:
        return self.services.clock()

    def hourly_due(self, now: datetime) -> bool:
        """True at most once an hour (per process), for the scheduler's slower jobs."""
        last = self._last_hourly
        if last is not None and timedelta(0) <= now - last < timedelta(hours=1):
            return False
        self._last_hourly = now
        return True

    async def close(self) -> None:
        await self.db.close()
