"""A home visit asked for in so many words gets 3号 三's short answer with the 预约上门办申请 button,
which carries the day and half-day named into the booking (tried once the county is known, shown
on the review); questions about home visits are left to the knowledge base. Clock: Thu 26 Nov 2026."""

from __future__ import annotations

import pytest

from common.messages import Payload
from handlers import visit_request
from handlers.events import Incoming
from handlers.state import Conversation
from handlers.turn import Turn
from services import wording
from tests.auxil.chat import Chat


def turn_for(runtime, state: Conversation | None = None) -> Turn:
    ev = Incoming("console", "elder-1", runtime.now(), text="")
    return Turn(ev, state or Conversation(), runtime.services, numbered=True)


def visit_payload(turn: Turn) -> str:
    return next(o.payload for r in turn.outcome.replies for o in r.options if o.payload.startswith("book:start"))


@pytest.mark.parametrize(("text", "payload", "day"), [
    ("12月1号上午能来我家吗", "book:start:visit,2026-12-01,am", "12月1日（周二）上午"),
    ("能不能上门", "book:start:visit", None),
    ("你们能来家里吗", "book:start:visit", None),
    ("我走不动，能上门吗", "book:start:visit,told", None),  # 走不动: 行动不便, kept for the booking
    ("我妈83了，儿子在外地，你们能来我家吗", "book:start:visit,told", None),
])
def test_a_request_for_a_visit_is_answered_with_the_booking_button(runtime, text, payload, day):
    turn = turn_for(runtime)
    assert visit_request.answer(turn, text)
    said = "\n".join(r.text for r in turn.outcome.replies)
    assert turn.t("book.request") in said
    assert (turn.t("book.request_day", day=day) in said) if day else "{day}" not in said
    assert visit_payload(turn) == payload


@pytest.mark.parametrize("text", ["上门服务是什么", "哪些人可以上门", "上门要钱吗", "怎么预约上门", "12月1日",
                                  # someone else coming: no yes of ours to give
                                  "公证处能上门办遗嘱公证吗", "法院能上门立案吗", "我儿子能不能来我家住", "派出所能不能到家里来",
                                  "你们上门不收钱吧"])
def test_questions_about_visits_are_left_to_the_knowledge_base(runtime, text):
    turn = turn_for(runtime)
    assert not visit_request.answer(turn, text)
    assert not turn.outcome.replies


async def test_the_day_and_half_day_asked_for_are_filled_once_the_county_is_known(chat: Chat):
    await chat.press(Payload("book", "start", "visit,2026-12-01,am").encode())
    await chat.send("是")
    await chat.send("龙游")
    assert chat.says("book.ask.name")  # neither the day nor the half-day is asked
    for answer in ("张桂英", "13812345678", "家人的", "石梁镇", "某某村12号", "好了", "想立遗嘱", "同意"):
        await chat.send(answer)
    rules = chat.runtime.services.settings.slot_rules
    assert chat.says("book.review", day="12月1日（周二）", window=wording.window_label(chat.texts, rules, "am"))


async def test_a_day_that_cannot_be_taken_says_why_above_the_days_that_can(chat: Chat):
    await chat.press(Payload("book", "start", "visit,2026-11-28").encode())  # a Saturday
    await chat.send("是")
    await chat.send("龙游")
    assert chat.says("book.invalid.date_closed", typed="11月28日（周六）", first="11月30日（周一）")
    assert chat.says("book.ask.date", county="龙游县")


async def test_what_the_request_told_is_not_asked_again(chat: Chat, runtime):
    turn = turn_for(runtime)
    assert visit_request.answer(turn, "我走不动，住在江山，12月2号能来我家吗")
    await runtime.services.store.save_turn(chat.channel, chat.user_id, turn.state.model_dump_json(), [], runtime.now())
    await chat.press(visit_payload(turn))
    assert chat.says("book.from_told")
    assert chat.says("book.ask.window", day="12月2日（周三）")  # 行动不便 and 江山市 told, the day taken


@pytest.mark.parametrize("typed", ["能不能上门", "你们能来家里吗", "可以上门吗", "你们能不能派人上门"])
async def test_a_short_request_at_the_menu_starts_the_booking(chat: Chat, typed):
    await chat.send(typed)
    assert chat.says("book.ask.check_age")


@pytest.mark.parametrize("typed", ["上门服务是什么", "哪些人可以上门"])
async def test_a_question_about_visits_at_the_menu_is_not_a_booking(chat: Chat, typed):
    await chat.send(typed)
    assert not chat.says("book.ask.check_age")


async def test_a_forged_day_on_the_button_starts_the_booking_without_it(chat: Chat):
    await chat.press(Payload("book", "start", "visit,2026-13-45,am").encode())
    assert chat.says("book.ask.check_age")


async def test_a_request_with_a_day_typed_as_a_question_carries_the_day_into_the_booking(chat: Chat):
    await chat.send("12月1号上午能来我家吗")
    assert chat.says("book.request")
    assert chat.says("book.request_day", day="12月1日（周二）上午")
    await chat.send("1")  # 预约上门办申请, the first option
    await chat.send("是")
    await chat.send("龙游")
    assert chat.says("book.ask.name")  # the day and half-day asked for are taken, not asked
