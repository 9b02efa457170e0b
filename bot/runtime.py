"""The composition root: opens the database, loads the catalog and knowledge base, builds the dialogue.

Every channel adapter opens one `Runtime`, attaches itself (`attach`), and closes it on the way out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from datetime import datetime, timedelta

from bot.courier import Courier, Sender
from bot.speech import Speech
from common.config import Settings
from common.messages import Reply
from faq.kb import Audience, read_files
from handlers.booking import BookingFlow
from handlers.consult import ConsultFlow
from handlers.dialogue import Dialogue
from handlers.eligibility import EligibilityFlow
from handlers.events import ChannelInfo, Incoming, Outcome
from handlers.faq_flow import FaqFlow
from handlers.lawyer import LawyerFlow
from handlers.my_bookings import MyBookingsFlow
from handlers.privacy_flow import PrivacyFlow
from handlers.settings_flow import SettingsFlow
from handlers.staff import StaffFlow
from services import calendar_admin, knowledge, notices
from services.context import Services
from storage.db import Database, database_for

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    services: Services
    dialogue: Dialogue
    courier: Courier
    speech: Speech
    _last_hourly: datetime | None = field(default=None, init=False, repr=False)

    @classmethod
    async def open(cls, settings: Settings, clock: Callable[[], datetime] | None = None) -> Runtime:
        base = read_files(settings.faq_dir)  # a broken file stops start-up before the database opens
        db = database_for(settings.database)
        await db.open()
        services = Services.over(db, settings, clock)
        try:
            kb = await knowledge.open_knowledge(services, base)
            await calendar_admin.refresh(services)  # closed days and holidays staff entered on 日历与名额
        except BaseException:
            await db.close()
            raise
        lawyer = LawyerFlow()
        flows = [EligibilityFlow(), BookingFlow(), MyBookingsFlow(), ConsultFlow(), lawyer, StaffFlow(), SettingsFlow()]
        dialogue = Dialogue(services, [*flows, PrivacyFlow(flows)],
                            at_menu=FaqFlow(Audience.PUBLIC, lawyer_words=lawyer.typed))
        log.info("ready: %d knowledge-base entries, %s database", len(kb), db.kind)
        courier = Courier(services.store, services.clock, on_delivered=dialogue.remember_delivered,
                          on_given_up=partial(notices.undelivered, services),
                          on_backlog=partial(notices.backlogged, services))
        if db.kind == "sqlite":
            # One process owns the file: no other courier to fence off, and a message this process
            # was sending when it died goes at once after the restart, not when a lease runs out.
            courier.lease = timedelta(0)
        return cls(settings, db, services, dialogue, courier, Speech(settings))

    def attach(self, info: ChannelInfo, sender: Sender | None = None) -> None:
        """A channel adapter declares what it can do, and (push channels) how queued messages reach its people."""
        if info.push and sender is None:
            raise ValueError(f"{info.name} declares push delivery but gives no sender")
        self.dialogue.register_channel(info)
        if sender is not None and info.push:

            async def send_fitted(user_id: str, reply: Reply) -> None:
                await sender(user_id, self.fit(info, reply))

            self.courier.register(info.name, send_fitted)

    async def handle(self, ev: Incoming) -> Outcome:
        """The core's answer to what someone did, fitted to what their channel can show.

        An event the channel names (`ev.key`) and handled before (a re-delivery after a restart) is
        not handled again: nothing to say. Its turn is saved with its replies queued (`queued`)."""
        outcome = await self.dialogue.handle(ev)
        info = self.dialogue.channel(ev.channel)
        outcome.replies = [self.fit(info, reply) for reply in outcome.replies]
        return outcome

    def fit(self, info: ChannelInfo, reply: Reply) -> Reply:
        """A file on a channel that cannot send files becomes a line saying where to get it."""
        if reply.voice is not None and not info.voice:
            reply = replace(reply, voice=None)
        if reply.document is None or info.files:
            return reply
        line = self.services.texts("channel.no_document", filename=reply.document.filename)
        return replace(reply, text=f"{reply.text}\n{line}", document=None)

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
        await self.speech.close()
        await self.db.close()
