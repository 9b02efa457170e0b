"""A whole home-visit journey typed into the console with labels only (no option numbers):
book, 改时间, 取消 then 确定; and the same start in traditional characters."""

from __future__ import annotations

import io

from bot.channels.console import run_console

REF = "SM-20261126-0001"  # the first booking made on Thursday 26 November 2026
BOOK = ["/start", "预约上门办申请", "是", "龙游县", "11月27日", "上午吧", "张桂英", "13812345678", "家人的",
        "石梁镇", "某某村12号", "住楼上", "好了", "想立遗嘱", "同意", "确认预约"]
MOVE = ["我的预约", "改时间", "下周二", "下午"]  # one booking listed: the bare word picks it
CANCEL = ["我的预约", "取消", "确定"]  # 取消 on screen wins over the global 取消


async def converse(runtime, lines: list[str]) -> str:
    out = io.StringIO()
    await run_console(runtime, io.StringIO("\n".join(lines) + "\n"), out)
    return out.getvalue()


async def test_labels_alone_book_move_and_cancel_a_visit_in_the_console(runtime):
    t = runtime.services.texts
    printed = await converse(runtime, BOOK + MOVE + CANCEL)
    assert t("book.confirmed", ref=REF, day="11月27日（周五）", window="上午 09:00-11:30", county="龙游县",
             township="石梁镇", address="某某村12号", call_by="11月26日（周四）") in printed
    [booking] = await runtime.services.bookings.list_for_user("console", "console")
    assert booking.ref == REF and booking.status == "cancelled"
    assert t("book.moved", line="")[:10] in printed
    assert "12月1日（周二） 下午" in printed
    assert t("book.cancelled", ref=REF) in printed


async def test_traditional_characters_walk_the_same_path(runtime):
    t = runtime.services.texts
    traditional = ["/start", "預約上門辦申請", "是", "龍遊縣", "11月27號", "下午", "張桂英", "13812345678", "家人的",
                   "石梁鎮", "某某村12號", "好了", "想立遺囑", "同意", "確認預約"]
    printed = await converse(runtime, traditional)
    assert t("book.confirmed", ref=REF, day="11月27日（周五）", window="下午 14:00-17:00", county="龙游县",
             township="石梁镇", address="某某村12号", call_by="11月26日（周四）") in printed
