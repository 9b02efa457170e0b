"""Whole journeys over the real Telegram Application and the fake Bot API, under a controlled clock:
a home visit booked, cancelled and booked again, the last seat, the reminder; a question on a
national holiday answered by a lawyer for +5 on their statement."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.scheduler import tick
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.running_bot import running_bot
from tests.conftest import SHANGHAI

pytestmark = pytest.mark.timeout(60)
FAMILY, NEIGHBOUR, RESIDENT, LAWYER = 7101, 7102, 7103, 7104


@pytest.fixture
async def api():
    async with FakeBotApi() as fake:
        yield fake


async def say(api, user: int, text: str, replies: int = 1):
    before = len(api.sent(user))
    api.push_text(user, text)
    await api.wait_for_messages(user, before + replies)
    return api.sent(user)[-1]


async def tap(api, user: int, label: str, replies: int = 1):
    before = len(api.sent(user))
    api.push_button(user, label)
    await api.wait_for_messages(user, before + replies)
    return api.sent(user)[-1]


async def book_over_telegram(api, user: int, name: str = "张桂英") -> str:
    await say(api, user, "预约上门办申请")
    await tap(api, user, "是")
    date_message = await tap(api, user, "龙游县")
    first_day = next(label for label in date_message.button_texts if "月" in label)
    await tap(api, user, first_day)
    await tap(api, user, "上午 09:00-11:30")
    await say(api, user, name)
    await say(api, user, "13812345678")
    await tap(api, user, "家人的")
    await say(api, user, "石梁镇")
    await say(api, user, "某某村12号")
    await tap(api, user, "好了")
    await say(api, user, "想立遗嘱")
    review = await tap(api, user, "同意")
    assert "请核对预约信息" in review.text
    return (await tap(api, user, "确认预约")).text


async def test_a_family_books_cancels_and_books_again_and_gets_the_reminder(api, settings, clock):
    async with running_bot(settings, api, clock) as app:
        confirmed = await book_over_telegram(api, FAMILY)
        assert "预约好了" in confirmed and "SM-" in confirmed
        await tap(api, FAMILY, "我的预约")
        await tap(api, FAMILY, "取消 SM-")
        assert "已经取消" in (await tap(api, FAMILY, "确定取消")).text
        again = await book_over_telegram(api, FAMILY)
        assert "预约好了" in again
        runtime = app.bot_data["runtime"]
        clock.advance(hours=8, minutes=1)  # 18:01 the evening before the visit
        before = len(api.sent(FAMILY))
        await tick(runtime)
        await api.wait_for_messages(FAMILY, before + 1)
    assert "提醒您：明天" in api.sent(FAMILY)[-1].text


async def test_a_second_family_cannot_take_the_last_seat_twice(api, settings, clock):
    one_seat = settings.model_copy(update={"visit_capacity": 1})
    async with running_bot(one_seat, api, clock):
        assert "预约好了" in await book_over_telegram(api, FAMILY)
        await say(api, NEIGHBOUR, "预约上门办申请")
        await tap(api, NEIGHBOUR, "是")
        date_message = await tap(api, NEIGHBOUR, "龙游县")
        first_day = next(label for label in date_message.button_texts if "月" in label)
        window_message = await tap(api, NEIGHBOUR, first_day)
    assert "上午 09:00-11:30" not in window_message.button_texts, "a full window is never offered"


async def test_on_a_national_holiday_a_lawyers_answer_reaches_the_resident_and_earns_5(api, settings, clock):
    clock.now = datetime(2026, 10, 1, 10, 0, tzinfo=SHANGHAI)  # 国庆节
    async with running_bot(settings, api, clock) as app:
        runtime = app.bot_data["runtime"]
        _, code = await runtime.services.ledger.add_lawyer("王律师", "衢州某律师事务所", clock())
        await say(api, LAWYER, f"/register {code}")
        await say(api, LAWYER, "/duty")
        await say(api, RESIDENT, "留言问律师")
        before = len(api.sent(LAWYER))
        received = await say(api, RESIDENT, "儿子不给赡养费，能申请法律援助吗")
        assert "留言编号" in received.text
        await api.wait_for_messages(LAWYER, before + 1)  # the duty lawyer is told at once
        assert "接单" in api.sent(LAWYER)[-1].button_texts
        await tap(api, LAWYER, "接单")
        before = len(api.sent(RESIDENT))
        sent = await say(api, LAWYER, "可以申请。70周岁以上免经济审查，建议先调解。")
        assert "积分+5" in sent.text
        await api.wait_for_messages(RESIDENT, before + 1)
        answer = api.sent(RESIDENT)[-1]
        assert "王律师律师（衢州某律师事务所）" in answer.text and "满意" in answer.button_texts
        statement = await say(api, LAWYER, "/points")
    assert "二(一)9" in statement.text and "合计：5分" in statement.text
