"""Years whose holidays are computed from the law, not published: the console lists them and staff
are told once a year, so someone enters the State Council's notice before its 调休 days matter."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from common.messages import Reply
from services.actor import Actor, Done, Role, require
from services.context import Services
from services.notices import to_staff
from storage.outbox import Topic, outbox_key

# The State Council publishes the next year's schedule in November or December: warn a month ahead.
LOOKAHEAD = timedelta(days=31)


def provisional_years(services: Services, today: date) -> dict[int, list[date]]:
    """The years from `today` to a booking horizon (at least a month) ahead whose holidays are
    provisional, each with those days; empty when every such year is published or entered."""
    ahead = max(timedelta(days=services.settings.booking_horizon_days), LOOKAHEAD)
    years = range(today.year, (today + ahead).year + 1)
    found = {year: sorted(services.calendar.provisional_holidays(year)) for year in years}
    return {year: days for year, days in found.items() if days}


def warn_staff(services: Services, actor: Actor, now: datetime) -> Done[int]:
    """A staff notice for each provisional year; the outbox key makes it once per year."""
    require(actor, "warn about the calendar", Role.SYSTEM)
    today = services.today(now)
    notices = []
    for year, days in provisional_years(services, today).items():
        festivals = services.calendar.provisional_holidays(year)
        listed = "、".join(
            services.texts("calendar.day", month=d.month, day=d.day, festival=festivals[d].value) for d in days
        )
        text = services.texts("calendar.provisional", year=year, days=listed)
        notices += to_staff(services, Reply(text), outbox_key(Topic.CALENDAR, year))
    return Done(len(notices), notices)
