"""我的数据 / 删除我的信息, masking in logs, and retention of finished visits' details."""

from __future__ import annotations

import logging

from common.privacy import RedactingFilter, mask_name, mask_phone, redact
from bot.scheduler import purge_expired
from tests.auxil.chat import Chat
from tests.handlers.conftest import STAFF_CHAT
from tests.handlers.test_booking_flow import book
from tests.handlers.test_lawyers_flow import register_lawyer


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
    [booking] = await runtime.db.fetchall("SELECT elder_name, phone, address, status FROM bookings")
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
    assert (await purge_expired(runtime)).visits == 0
    clock.advance(days=2)
    assert (await purge_expired(runtime)).visits == 1
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


async def _booked_and_asked(rt) -> Chat:
    """A resident with a confirmed visit and a question already delivered to the duty lawyer."""
    await register_lawyer(rt, "701")
    resident = Chat(rt, channel="telegram", user_id="801")
    await book(resident)
    await resident.tap("确认预约")
    await resident.send("/ask")
    await resident.send("我的退休金被儿子拿走了怎么办")
    for queued in await rt.services.store.unsent({"telegram"}, rt.now()):
        await rt.services.store.mark_sent(queued.id, rt.now())  # the lawyer has it already
    return resident


async def test_forgetting_removes_sent_copies_too_and_tells_lawyer_and_staff_of_the_cancelled_visit(rt):
    resident = await _booked_and_asked(rt)
    await resident.send("/forget")
    await resident.tap("确定删除")
    assert resident.says("privacy.forgotten")
    rows = await rt.db.fetchall("SELECT user_id, reply FROM outbox")
    assert not any("退休金" in r["reply"] or "张桂英" in r["reply"] for r in rows)
    [ref] = [r["ref"] for r in await rt.db.fetchall("SELECT ref FROM bookings")]
    told = [r for r in rows if ref in r["reply"]]
    assert [r["user_id"] for r in told] == [str(STAFF_CHAT)]  # no lawyer was assigned yet: staff only


async def test_forgetting_is_all_or_nothing(rt, monkeypatch):
    resident = await _booked_and_asked(rt)

    async def fails(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr("storage.consultations.forget_in", fails)
    await resident.send("/forget")
    await resident.tap("确定删除")
    assert resident.says("error.apology")
    [booking] = await rt.db.fetchall("SELECT elder_name, status FROM bookings")
    assert tuple(booking) == ("张桂英", "active"), "a failed deletion leaves nothing half-deleted"


async def test_my_data_lists_the_eligibility_answers_kept_in_the_conversation(chat, runtime):
    await chat.send("查资格")
    await chat.send("本人")
    await chat.send("八十二岁")
    await chat.send("龙游县")
    assert chat.options  # the conditions question: answers so far are kept
    await chat.send("我的数据")
    assert chat.says("privacy.answers", age=82, county="龙游县")


async def test_deleted_values_leave_the_write_ahead_log_and_free_pages_are_zeroed(rt):
    resident = await _booked_and_asked(rt)
    await resident.send("/forget")
    await resident.tap("确定删除")
    [[secure]] = await rt.db.fetchall("PRAGMA secure_delete")
    assert secure == 1
    wal = rt.settings.db_path.with_name(rt.settings.db_path.name + "-wal")
    assert not wal.exists() or b"\xe5\xbc\xa0\xe6\xa1\x82\xe8\x8b\xb1" not in wal.read_bytes()  # 张桂英


async def test_my_data_says_how_long_each_kind_of_record_is_kept_from_the_settings(chat, runtime):
    await chat.send("我的数据")
    s = runtime.services.settings
    assert runtime.services.texts("privacy.kept", visits=s.retention_days, questions=s.retention_days, draft=1,
                                  states=s.state_retention_days, messages=s.outbox_retention_days,
                                  misses=s.miss_retention_days) in chat.text
    assert f"{s.state_retention_days}天没动就删" in chat.text and "上门日期过后180天" in chat.text
