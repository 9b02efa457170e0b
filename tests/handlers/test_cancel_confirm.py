"""我的预约 → 取消 → 确定要取消这个预约吗: typed yes cancels, typed no keeps the visit and says so,
anything else asks again; never a silent menu (walk item 6)."""

from __future__ import annotations

import pytest

from tests.handlers.test_booking_flow import book


async def booked(chat, runtime) -> str:
    await book(chat)
    await chat.tap("确认预约")
    [booking] = await runtime.services.bookings.list_for_user(chat.channel, chat.user_id)
    await chat.send("我的预约")
    await chat.send("取消")
    assert chat.says("book.cancel_confirm")
    return booking.ref


async def status(chat, runtime) -> str:
    [booking] = await runtime.services.bookings.list_for_user(chat.channel, chat.user_id)
    return booking.status


@pytest.mark.parametrize("typed", ["是", "对，取消", "要取消", "确定取消", "取消", "确定", "1"])
async def test_a_typed_yes_cancels_the_visit(chat, runtime, typed):
    ref = await booked(chat, runtime)
    await chat.send(typed)
    assert chat.says("book.cancelled", ref=ref)
    assert await status(chat, runtime) == "cancelled"


@pytest.mark.parametrize("typed", ["不要取消", "不取消", "算了", "退出", "2", "二"])
async def test_a_typed_no_keeps_the_visit_and_says_so(chat, runtime, typed):
    ref = await booked(chat, runtime)
    await chat.send(typed)
    assert chat.says("book.not_cancelled", ref=ref)
    assert chat.says("book.mine_title")
    assert await status(chat, runtime) == "active"


@pytest.mark.parametrize("typed", ["嗯嗯我想想", "遗嘱公证要钱吗", "李桂兰"])
async def test_anything_else_asks_again_and_then_a_yes_still_works(chat, runtime, typed):
    ref = await booked(chat, runtime)
    await chat.send(typed)
    assert chat.says("book.cancel_unclear") and chat.says("book.cancel_confirm")
    assert not chat.says("menu.title")
    assert await status(chat, runtime) == "active"
    await chat.send("是")
    assert chat.says("book.cancelled", ref=ref)


async def test_on_a_channel_with_buttons_the_no_button_says_the_visit_stays(runtime):
    from tests.auxil.chat import Chat
    family = Chat(runtime, channel="telegram", user_id="fam")
    await book(family)
    await family.tap("确认预约")
    await family.tap("我的预约")
    await family.tap("取消")
    await family.tap("不取消")
    assert family.says("book.not_cancelled")
    await family.tap("取消")
    await family.send("对，取消")
    assert family.says("book.cancelled")
