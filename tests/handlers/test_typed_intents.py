"""What a family types instead of tapping: 取消预约, 改时间, 删除我的资料, 上一步 at the menu, 对的 on a
review; a new phone number on the review asks whose it is again; the call-ahead day is one the centre keeps."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from storage.bookings import BookingDraft
from tests.auxil.chat import Chat
from tests.conftest import SHANGHAI
from tests.handlers.conftest import rt  # noqa: F401 - the staffed runtime fixture
from tests.handlers.test_booking_flow import book


async def booked(chat: Chat) -> str:
    await book(chat)
    await chat.tap("确认预约")
    assert chat.says("book.confirmed")
    await chat.send("菜单")
    [booking] = await chat.runtime.services.bookings.list_for_user(chat.channel, chat.user_id)
    return booking.ref


@pytest.mark.parametrize("typed", ["取消预约", "我要取消预约", "取消我的预约"])
async def test_cancel_booking_typed_asks_about_the_one_live_visit_then_cancels_it(chat, typed):
    ref = await booked(chat)
    await chat.send(typed)
    assert chat.says("book.cancel_confirm") and ref in chat.text
    await chat.send("确定")
    assert chat.says("book.cancelled", ref=ref)


async def test_cancel_booking_typed_with_two_visits_lists_them_and_with_none_says_so(chat):
    await chat.send("取消预约")
    assert chat.says("book.none")
    await booked(chat)
    rt = chat.runtime
    second = BookingDraft(chat.channel, chat.user_id, "柯城区", date(2026, 12, 1), "am", "张三", "13812345678",
                          "self", "府山街道", "某路1号", "立遗嘱", rt.now())
    assert (await rt.services.bookings.create(second, 2, "second", rt.now(), {})).status == "created"
    await chat.send("取消预约")
    assert chat.says("book.mine_title") and chat.text.count("SM-") == 2


@pytest.mark.parametrize("typed", ["改时间", "改预约", "我想改预约"])
async def test_move_typed_at_the_menu_opens_my_bookings(chat, typed):
    ref = await booked(chat)
    await chat.send(typed)
    assert chat.says("book.mine_title") and ref in chat.text


async def test_change_time_on_the_review_still_edits_the_draft(chat):
    await book(chat)
    await chat.send("改时间")
    assert chat.says("book.ask.date")


@pytest.mark.parametrize("typed", ["删除我的资料", "删掉我的信息", "把我的信息删了", "删除信息", "刪除我的資訊",
                                   "刪除我的個人資料", "我不想你们保存我的电话", "删除我的信息", "删除我的数据"])
async def test_deleting_ones_data_is_understood_as_people_say_it_and_still_asks_first(chat, typed):
    await chat.send(typed)
    assert chat.says("privacy.forget_confirm")


async def test_a_question_about_privacy_is_not_taken_for_a_request_to_delete(chat):
    await chat.send("你们会保存我的信息吗")
    assert not chat.says("privacy.forget_confirm")
    assert chat.says("privacy.asked") and chat.says("privacy.title")  # 我的数据 answers it (test_privacy_asked.py)


async def test_a_new_phone_on_the_review_asks_whose_it_is_again(chat):
    await book(chat)  # 家人的
    await chat.send("改电话")
    await chat.send("13900002222")
    assert chat.says("book.ask.phone_owner")
    await chat.send("老人本人的")
    assert chat.says("book.review") and "13900002222" in chat.text
    assert chat.runtime.services.texts("book.phone_self") in chat.text


async def test_the_same_phone_again_keeps_whose_it_is(chat):
    await book(chat)
    await chat.send("改电话")
    await chat.send("13812345678")
    assert chat.says("book.review") and chat.runtime.services.texts("book.phone_family") in chat.text


async def test_back_at_the_menu_shows_the_menu(chat):
    await chat.send("菜单")
    await chat.send("上一步")
    assert chat.says("menu.title") and not chat.says("faq.fallback")


@pytest.mark.parametrize("typed", ["对的", "对", "没错"])
async def test_yes_words_confirm_a_review(chat, typed):
    await book(chat)
    await chat.send(typed)
    assert chat.says("book.confirmed")


async def test_booked_on_saturday_for_monday_the_call_comes_on_monday_before_the_visit(chat, clock):
    # Saturday 28 November: Friday is gone and the weekend is no working day (README, rules decided).
    clock.now = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
    await book(chat)
    await chat.tap("确认预约")
    t = chat.runtime.services.texts
    assert chat.says("book.confirmed", day="11月30日（周一）", call_by=t("book.call_that_day", day="11月30日（周一）"))
    assert "11月28日" not in chat.text


async def test_staff_are_told_to_phone_on_the_day_before_the_visit_when_no_working_day_is_left(rt, clock):
    clock.now = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
    family = Chat(rt, channel="telegram", user_id="811")
    await book(family)
    await family.tap("确认预约")
    t = rt.services.texts
    staff_lines = [q.reply["text"] for q in await rt.services.store.unsent({"telegram", "console"}, rt.now())
                   if "上门办申请预约" in str(q.reply)]
    assert staff_lines and t("staff.call_that_day", day="11月30日（周一）") + "前打电话" in staff_lines[0]
