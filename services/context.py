"""The long-lived services a flow may use, handed to it rather than imported as globals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from common.calendar import work_calendar
from common.catalog import Catalog, load_catalog
from common.clock import system_clock
from common.config import Settings
from common.messages import Address
from common.privacy import pseudonym_key
from faq.edition import Edition
from faq.matcher import Matcher
from policy.workdays import WorkCalendar
from storage.bookings import BookingStore
from storage.consultations import ConsultationStore
from storage.counties import CountyStore
from storage.db import Database
from storage.duty_roster import DutyRosterStore
from storage.kb_revisions import RevisionStore
from storage.ledger import LedgerStore
from storage.store import Store


@dataclass
class Services:
    settings: Settings
    store: Store
    texts: Catalog
    clock: Callable[[], datetime]
    matcher: Matcher | None  # None where no question is answered (the staff CLI)
    ledger: LedgerStore
    bookings: BookingStore
    consultations: ConsultationStore
    calendar: WorkCalendar
    counties: CountyStore
    roster: DutyRosterStore  # 值班表: who answers online on which non-working day
    pseudonym_key: bytes = b""  # keys the account pseudonyms in log lines (common.privacy.pseudonym)
    revisions: RevisionStore | None = None  # staff edits of the knowledge base
    edition: Edition | None = None  # what `matcher` was built from (services/knowledge.py); None: no matcher

    @classmethod
    def over(cls, db: Database, settings: Settings, clock: Callable[[], datetime] | None = None,
             matcher: Matcher | None = None) -> Services:
        """Everything the flows and the service layer use, over an open database."""
        return cls(
            settings=settings, store=Store(db), texts=load_catalog(), clock=clock or system_clock(settings.zone),
            matcher=matcher, ledger=LedgerStore(db, settings.zone), bookings=BookingStore(db, settings.zone),
            consultations=ConsultationStore(db), calendar=work_calendar(settings), counties=CountyStore(db),
            roster=DutyRosterStore(db), pseudonym_key=pseudonym_key(settings.data_dir), revisions=RevisionStore(db),
        )

    def local(self, at: datetime | None = None) -> datetime:
        """`at` (default: now) on the centre's clock: days, hours and cut-offs are Quzhou's, not UTC's."""
        return (at or self.clock()).astimezone(self.settings.zone)

    def today(self, at: datetime | None = None) -> date:
        return self.local(at).date()

    def is_staff(self, channel: str, user_id: str) -> bool:
        """Staff are an allow-list of chat accounts in configuration (LEGALAID_STAFF_IDS)."""
        return Address(channel, user_id) in self.settings.staff
