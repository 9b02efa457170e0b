"""How a visit is named to people (its day, half-day and one-line summary), and who is told of a change.

Shared by the resident's flows, the staff commands, the scheduler and the web console, so a visit
reads the same everywhere.
"""

from __future__ import annotations

from datetime import date, datetime

from common.catalog import Catalog
from common.messages import Address, Notice, Reply
from policy.slots import SlotRules
from services.context import Services
from services.notices import to_lawyer, to_staff
from storage.bookings import Booking
from storage.outbox import Topic, outbox_key


def day_label(t: Catalog, d: date) -> str:
    return t("book.day", month=d.month, day=d.day, weekday=t(f"book.weekday.{d.weekday()}"))


def window_label(t: Catalog, rules: SlotRules, key: str) -> str:
    return t("book.window", name=t(f"book.window_name.{key}"), hours=rules.window(key).label())


def booking_line(services: Services, b: Booking) -> str:
    t, rules = services.texts, services.settings.slot_rules
    return t(
        "book.line", ref=b.ref, day=day_label(t, b.visit_date), window=window_label(t, rules, b.window),
        county=b.county, status=t(f"book.status.{b.status}"),
    )


async def visit_changed(services: Services, booking: Booking, text_id: str, now: datetime) -> list[Notice]:
    """A visit that moved or was cancelled is news for its lawyer and for staff: no personal data."""
    t, rules = services.texts, services.settings.slot_rules
    text = t(text_id, ref=booking.ref, day=day_label(t, booking.visit_date),
             window=window_label(t, rules, booking.window), county=booking.county)
    parts = (text_id, booking.ref, booking.visit_date, booking.window, now.isoformat())
    about = Address(booking.channel, booking.user_id)
    lawyer = None if booking.lawyer_id is None else await services.ledger.get_lawyer(booking.lawyer_id)
    return (to_lawyer(lawyer, Reply(text), outbox_key(Topic.VISIT_CHANGED, "lawyer", *parts), about)
            + to_staff(services, Reply(text), outbox_key(Topic.VISIT_CHANGED, "staff", *parts), about))
