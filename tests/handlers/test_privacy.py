"""我的数据 / 删除我的信息, masking in logs, and retention of finished visits' details."""

from __future__ import annotations

import logging

from common.privacy import RedactingFilter, mask_name, mask_phone, redact
from bot.scheduler import purge_expired
from tests.handlers.test_booking_flow import book


async def test_a_person_sees_what_is_stored_about_them(chat):
    await book(chat)
    await chat.tap("确认预约")
    await chat.send("我的数据")
    assert "张桂英" in chat.text and "13812345678" in chat.text and "SM-" in chat.text


async def test_forget_asks_first_then_deletes_personal_data_and_cancels_future_visits(chat, runtime):
    await book(chat)
    await chat.tap("确认预约")
    await chat.send("/forget")
    assert "确定要删除" in chat.text
    await chat.tap("确定删除")
    assert "已经删除" in chat.text
    [booking] = await runtime.db.conn.execute_fetchall("SELECT elder_name, phone, address, status FROM bookings")
    assert tuple(booking) == ("", "", "", "cancelled")
    await chat.send("我的数据")
    assert "张桂英" not in chat.text and "没有保存" in chat.text


async def test_finished_visits_lose_their_personal_details_after_the_retention_period(chat, runtime, clock):
    await book(chat)
    await chat.tap("确认预约")
    ref = (await runtime.services.bookings.list_for_user("console", "elder-1"))[0].ref
    lawyer, _ = await runtime.services.ledger.add_lawyer("周律师", "某所", clock())
    await runtime.services.bookings.assign_lawyer(ref, lawyer.id, clock(), None)
    clock.advance(days=1)
    await runtime.services.bookings.mark_visited(ref, "staff:1", clock())
    clock.advance(days=179)
    assert await purge_expired(runtime) == 0
    clock.advance(days=2)
    assert await purge_expired(runtime) == 1
    booking = await runtime.services.bookings.get(ref)
    assert booking.elder_name == "" and booking.status == "visited" and booking.county == "龙游县"


def test_phone_numbers_id_numbers_and_names_are_masked():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张桂英") == "张**"
    text = redact("电话13812345678，身份证330802194803021234，座机0570-1234567")
    assert "13812345678" not in text and "330802194803021234" not in text and "1234567" not in text


def test_every_log_line_is_masked(caplog):
    logger = logging.getLogger("test.privacy")
    caplog.handler.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO):
        logger.info("booking for %s", "13812345678")
    assert "13812345678" not in caplog.text and "138****5678" in caplog.text
