"""Staff hear once a year that a year's holidays are computed, not published; the console can list it."""

from __future__ import annotations

from datetime import date

from bot.scheduler import warn_provisional_calendar
from services.calendar_status import provisional_years
from tests.handlers.conftest import STAFF_CHAT, rt  # noqa: F401 - the staffed runtime fixture


async def _staff_texts(rt) -> list[str]:
    rows = await rt.db.fetchall("SELECT user_id, reply FROM outbox WHERE user_id = ?", str(STAFF_CHAT))
    return [row["reply"] for row in rows]


async def test_staff_are_told_of_a_provisional_year_a_month_ahead_and_only_once(rt, clock):
    assert provisional_years(rt.services, clock().date()) == {}  # 26 November 2026: 2026 is published
    assert await warn_provisional_calendar(rt) == 0

    clock.now = clock.now.replace(month=12, day=15)
    years = provisional_years(rt.services, clock().date())
    assert list(years) == [2027] and date(2027, 2, 5) in years[2027]
    assert await warn_provisional_calendar(rt) == 1
    clock.advance(days=30)  # 2027 itself, and every hourly run after
    await warn_provisional_calendar(rt)
    await warn_provisional_calendar(rt)

    (sent,) = await _staff_texts(rt)
    assert "2027年的放假安排还没有录入" in sent and "2月5日春节" in sent and "LEGALAID_CALENDAR_OVERRIDES" in sent


async def test_a_year_entered_on_the_console_ends_the_warning_at_the_next_tick(rt, clock):
    """The console runs in another process: the bot takes the change at its next tick, by version."""
    from bot.scheduler import refresh_calendar
    from services import calendar_admin
    from services.actor import Actor
    from services.context import Services

    clock.now = clock.now.replace(month=12, day=15)
    console = Services.over(rt.db, rt.services.settings, rt.services.clock)
    await calendar_admin.enter_year(console, Actor.staff("web:admin"), 2027, clock())
    assert list(provisional_years(rt.services, clock().date())) == [2027]  # not yet read here
    assert await refresh_calendar(rt)
    assert provisional_years(rt.services, clock().date()) == {}
    assert await warn_provisional_calendar(rt) == 0
