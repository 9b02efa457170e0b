"""A question about what the assistant keeps (你们会保存我的信息吗, 我的信息存多久, 我的电话会给别人看吗,
会不会泄露) was answered 答不好: the 我的数据 screen answers it, led in by who may read what, with how
long each kind is kept and the 删除我的信息 button. Asking deletes nothing: that takes 删除我的信息 and 确定删除."""

from __future__ import annotations

import pytest

from tests.handlers.conftest import rt  # noqa: F401 - the staffed runtime fixture
from tests.handlers.test_booking_flow import book
from tests.handlers.test_typed_intents import booked

WALK = ["你们会保存我的信息吗", "我的信息你们会存多久", "我的电话会给别人看吗", "你们会不会泄露我的信息"]


@pytest.mark.parametrize("typed", [*WALK, "你們會保存我的資料嗎？", "你们会把我的电话给别人吗", "我的地址会泄露吗",
                                   "谁能看到我的信息", "我的信息安全吗", "我的个人信息保存多长时间"])
async def test_a_question_about_ones_data_gets_the_my_data_screen_led_in_by_who_reads_it(chat, typed):
    await chat.send(typed)
    assert chat.says("privacy.asked") and chat.says("privacy.title") and chat.says("privacy.how_to_delete")
    s = chat.runtime.services.settings
    assert str(s.retention_days) in chat.text and str(s.state_retention_days) in chat.text  # how long
    assert chat.texts("privacy.forget_button") in chat.labels
    assert not chat.says("faq.fallback") and not chat.says("privacy.forget_confirm")


@pytest.mark.parametrize("typed", WALK)
async def test_asking_deletes_nothing_and_the_booking_is_listed(chat, typed):
    ref = await booked(chat)
    await chat.send(typed)
    assert chat.says("privacy.asked") and ref in chat.text and "13812345678" in chat.text
    [booking] = await chat.runtime.services.bookings.list_for_user(chat.channel, chat.user_id)
    assert booking.ref == ref and booking.elder_name and booking.status != "cancelled"
    await chat.tap(chat.texts("privacy.forget_button"))
    assert chat.says("privacy.forget_confirm")  # the button still asks first


async def test_my_data_tapped_or_typed_has_no_lead_in(chat):
    await chat.send("我的数据")
    assert chat.says("privacy.title") and not chat.says("privacy.asked")


@pytest.mark.parametrize("typed", ["我的信息被泄露了", "我要留电话", "删除我的信息"])
async def test_being_told_of_a_leak_or_asked_to_delete_is_not_this_question(chat, typed):
    await chat.send(typed)
    assert not chat.says("privacy.asked")


async def test_asked_in_the_middle_of_a_booking_offers_the_way_back_to_it(chat):
    await book(chat)  # on the review
    await chat.send("我的电话会给别人看吗")
    assert chat.says("privacy.asked") and chat.texts("resume.continue") in chat.labels
    await chat.tap(chat.texts("resume.continue"))
    assert chat.says("book.review")
    await chat.tap("确认预约")
    assert chat.says("book.confirmed")
