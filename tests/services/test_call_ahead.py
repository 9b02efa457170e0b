"""The day the centre promises to phone before a visit: the last working day before it (README, rules
decided) that the centre can still keep; none left, the call comes on the day, before the visit."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from services import visits
from tests.conftest import SHANGHAI


def at(y: int, m: int, d: int, hour: int) -> datetime:
    return datetime(y, m, d, hour, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("booked", "visit", "call_by"), [
    (at(2026, 11, 26, 10), date(2026, 11, 30), date(2026, 11, 27)),  # Thursday for Monday: Friday
    (at(2026, 11, 27, 10), date(2026, 11, 30), date(2026, 11, 27)),  # Friday, office open: that Friday
    (at(2026, 11, 27, 18), date(2026, 11, 30), None),  # Friday evening: the office has closed
    (at(2026, 11, 28, 10), date(2026, 11, 30), None),  # Saturday for Monday: no working day left
    (at(2026, 11, 29, 10), date(2026, 11, 30), None),  # Sunday for Monday
    (at(2026, 10, 9, 18), date(2026, 10, 12), date(2026, 10, 10)),  # 调休: Saturday 10 October is worked
    (at(2026, 10, 10, 10), date(2026, 10, 12), date(2026, 10, 10)),  # booked on that 调休 Saturday
    (at(2026, 10, 4, 10), date(2026, 10, 8), None),  # in the 国庆 holiday for the first day back
])
async def test_the_promised_call_day_is_a_working_day_still_ahead(rt, booked, visit, call_by):
    day = visits.call_by(rt.services, visit, booked)
    assert day == call_by
    if day is not None:
        assert rt.services.calendar.is_workday(day) and day >= booked.date()
