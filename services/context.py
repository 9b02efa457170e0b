"""The long-lived services a flow may use, handed to it rather than imported as globals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from common.catalog import Catalog
from common.messages import Address
from common.config import Settings
from policy.workdays import WorkCalendar
from storage.bookings import BookingStore
from storage.consultations import ConsultationStore
from storage.ledger import LedgerStore
from storage.store import Store

if TYPE_CHECKING:
    from faq.matcher import Matcher


@dataclass
class Services:
    settings: Settings
    store: Store
    texts: Catalog
    clock: Callable[[], datetime]
    matcher: Matcher
    ledger: LedgerStore
    bookings: BookingStore
    consultations: ConsultationStore
    calendar: WorkCalendar

    def is_staff(self, channel: str, user_id: str) -> bool:
        """Staff are an allow-list of chat accounts in configuration (LEGALAID_STAFF_IDS)."""
        return Address(channel, user_id) in self.settings.staff
