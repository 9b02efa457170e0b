"""Typed answers through the dialogue: whatever is on screen can be typed instead of tapped."""

from __future__ import annotations

import pytest

from tests.auxil.chat import Chat



async def to_the_half_day(chat: Chat, day: str = "12月1号") -> None:
    await chat.send("预约上门办申请")
    await chat.send("是")
    await chat.send("龙游")
    await chat.send(day)


@pytest.mark.parametrize("day", ["12月1日", "12月1号", "周二", "星期二", "礼拜二", "下周二"])
async def test_a_day_can_be_typed_as_people_say_it(typist, runtime, day):
    await to_the_half_day(typist, day)
    assert typist.text.startswith(runtime.services.texts("book.ask.window", day="12月1日（周二）"))


@pytest.mark.parametrize("half_day", ["上午", "上午吧", "下午呢"])
async def test_a_half_day_can_be_typed(typist, runtime, half_day):
    await to_the_half_day(typist)
    await typist.send(half_day)
    assert typist.text == runtime.services.texts("book.ask.name")


@pytest.mark.parametrize("word", ["菜單", "查資格", "預約律師上門"])
async def test_traditional_characters_work_for_the_menu(typist, runtime, word):
    await typist.send("/start")
    await typist.send(word)
    assert typist.text  # something sensible, never the fallback
    assert runtime.services.texts("faq.fallback") not in typist.text


async def test_traditional_menu_labels_start_their_flows(typist, runtime):
    await typist.send("查資格")
    assert typist.text == runtime.services.texts("eq.ask_asker")
    await typist.send("菜單")
    assert typist.text == runtime.services.texts("menu.title")


async def test_not_knowing_picks_the_unknown_option_where_there_is_one(typist, runtime):
    await typist.send("查资格")
    await typist.send("我本人")
    await typist.send("75")
    await typist.send("不晓得")
    assert typist.text.startswith(typist.texts("eq.ask_conditions", who="您", chosen="没有"))


async def test_back_and_the_result_can_be_typed(typist, runtime):
    await typist.send("查资格")
    await typist.send("我本人")
    await typist.send("返回上一步")
    assert typist.text.startswith(runtime.services.texts("eq.ask_asker"))
    for answer in ("替家人问", "82", "龙游", "好了", "没办过"):
        await typist.send(answer)
    await typist.send("没问题")
    assert runtime.services.texts("eq.final_decision") in typist.text


async def test_several_digits_tick_several_conditions_on_a_numbered_channel(chat, runtime):
    await chat.send("查资格")
    await chat.send("1")  # 我本人
    await chat.send("65")
    await chat.send("开化县")
    await chat.send("1 4")
    chosen = "、".join(runtime.services.texts(f"eq.cond.{c}") for c in ("hardship", "serious-illness"))
    assert chat.text.startswith(chat.texts("eq.ask_conditions", who="您", chosen=chosen))
    assert len(chat.last.replies) == 1, "one screen after several picks, not one per pick"


async def test_cancel_typed_on_my_bookings_picks_the_booking_and_confirm_cancels_it(typist, runtime):
    await to_the_half_day(typist)
    for answer in ("上午", "张桂英", "13812345678", "家人的", "石梁镇", "某某村12号", "好了", "想立遗嘱", "同意", "确认预约"):
        await typist.send(answer)
    [booking] = await runtime.services.bookings.list_for_user("telegram", "typist")
    await typist.send("我的预约")
    await typist.send("取消")  # the option on screen, not the word that stops everything
    assert typist.text.startswith(runtime.services.texts("book.cancel_confirm", line="")[:8])
    await typist.send("确定")
    assert typist.text == runtime.services.texts("book.cancelled", ref=booking.ref)


async def test_an_answer_not_understood_repeats_only_the_question_with_a_hint(typist, runtime):
    await to_the_half_day(typist)
    await typist.send("晚上")
    t = runtime.services.texts
    assert typist.text == t("book.invalid.window") + "\n" + t("book.ask.window", day="12月1日（周二）")
    assert len(typist.last.replies) == 1
    await typist.send("下午")
    assert typist.text == t("book.ask.name")


@pytest.mark.parametrize("typed", ["预约律师上门", "預約律師上門", "预约上门", "预约上门办申请"])
async def test_the_booking_is_reached_by_its_old_and_new_names_from_anywhere(chat, typed):
    await chat.send("查资格")  # in another flow, not at the menu
    await chat.send(typed)
    assert chat.says("book.ask.check_age")
