"""A day typed that cannot be booked is told why: not a working day, too soon, beyond the last
bookable day (named), or not a date at all. The test clock is Thursday 26 November 2026."""

from __future__ import annotations

import pytest

from tests.auxil.chat import Chat



async def to_date(chat: Chat) -> None:
    for answer in ("预约上门办申请", "是", "龙游"):
        await chat.send(answer)


@pytest.mark.parametrize(("typed", "label"), [("周日", "11月29日（周日）"), ("这个星期六", "11月28日（周六）"),
                                              ("12月5号", "12月5日（周六）")])
async def test_a_weekend_is_not_a_working_day(typist, runtime, typed, label):
    await to_date(typist)
    await typist.send(typed)
    assert typist.says("book.invalid.date_closed", typed=label, why=runtime.services.texts("book.closed.weekend"))


@pytest.mark.parametrize("typed", ["12月25日", "12月25号", "明年1月5日"])
async def test_a_day_beyond_the_horizon_names_the_last_bookable_day(typist, typed):
    await to_date(typist)
    await typist.send(typed)
    assert typist.says("book.invalid.date_too_far", last="12月10日（周四）")


async def test_today_is_too_soon_and_the_first_day_is_named(typist):
    await to_date(typist)
    await typist.send("今天")
    assert typist.says("book.invalid.date_too_soon", typed="11月26日（周四）", first="11月27日（周五）")


@pytest.mark.parametrize("typed", ["不知道", "随便", "早点"])
async def test_what_is_not_a_date_is_asked_again_with_an_example(typist, runtime, typed):
    await to_date(typist)
    await typist.send(typed)
    assert typist.says("book.invalid.date")
    assert not typist.says("book.invalid.date_full")


async def test_a_free_working_day_beyond_those_shown_can_be_typed(typist, runtime):
    await to_date(typist)
    assert "12月10日（周四）" not in typist.labels
    await typist.send("12月10日")
    assert typist.text.startswith(runtime.services.texts("book.ask.window", day="12月10日（周四）"))
