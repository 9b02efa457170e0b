"""A day typed at 预约上门 that cannot be taken is told its true reason (3号 三; working days only,
调休 included) and the nearest day that can: a Sunday typed on Saturday is a day the centre does not
work, not one "too soon"; a 调休 working Saturday is taken; 国庆 names the first day after it."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.auxil.chat import Chat
from tests.conftest import SHANGHAI


async def to_date(chat: Chat, clock, day: tuple[int, int, int]) -> None:
    clock.now = datetime(*day, 10, 0, tzinfo=SHANGHAI)
    for answer in ("预约上门办申请", "是", "龙游"):
        await chat.send(answer)


@pytest.mark.parametrize(("today", "typed", "label", "why", "first"), [
    ((2026, 11, 28), "明天", "11月29日（周日）", "weekend", "11月30日（周一）"),  # Saturday: 明天 is Sunday
    ((2026, 11, 29), "今天", "11月29日（周日）", "weekend", "11月30日（周一）"),  # Sunday itself
    ((2026, 11, 27), "明天", "11月28日（周六）", "weekend", "11月30日（周一）"),  # Friday: 明天 is Saturday
    ((2026, 9, 30), "明天", "10月1日（周四）", "holiday", "10月8日（周四）"),  # the day before 国庆
    ((2026, 11, 26), "12月5号", "12月5日（周六）", "weekend", "12月7日（周一）"),  # a later weekend: the next day
])
async def test_a_closed_day_says_the_centre_does_not_work_and_names_the_nearest(
        typist, runtime, clock, today, typed, label, why, first):
    await to_date(typist, clock, today)
    await typist.send(typed)
    assert typist.says("book.invalid.date_closed", typed=label, why=runtime.services.texts(f"book.closed.{why}"),
                       first=first)
    assert not typist.says("book.invalid.date_too_soon")


@pytest.mark.parametrize(("today", "typed", "label"), [
    ((2026, 11, 29), "明天", "11月30日（周一）"),  # Sunday: Monday can be booked
    ((2026, 10, 9), "明天", "10月10日（周六）"),  # a 调休 working Saturday
    ((2026, 9, 19), "明天", "9月20日（周日）"),  # a 调休 working Sunday
    ((2026, 9, 29), "明天", "9月30日（周三）"),  # the last working day before 国庆
])
async def test_a_working_day_from_tomorrow_is_taken(typist, runtime, clock, today, typed, label):
    await to_date(typist, clock, today)
    await typist.send(typed)
    assert typist.text.startswith(runtime.services.texts("book.ask.window", day=label))


async def test_today_on_a_working_saturday_is_too_soon(typist, clock):
    await to_date(typist, clock, (2026, 10, 10))
    await typist.send("今天")
    assert typist.says("book.invalid.date_too_soon", typed="10月10日（周六）", first="10月12日（周一）")
    assert not typist.says("book.invalid.date_closed")
