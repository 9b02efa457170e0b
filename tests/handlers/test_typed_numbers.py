"""Option numbers typed as words where options are numbered (二, 两, 选2, 第二个; voice-to-text writes 二),
and several options at once on a multi-select question (1、3, 1和3, 一三): walk items 7 and 8."""

from __future__ import annotations

import pytest

from handlers.parse import option_numbers
from handlers.state import Conversation


@pytest.mark.parametrize("typed, numbers", [
    ("二", [2]), ("两", [2]), ("贰", [2]), ("选2", [2]), ("第二个", [2]), ("第2个", [2]), ("选第二个", [2]),
    ("1、3", [1, 3]), ("1，3", [1, 3]), ("1,3", [1, 3]), ("1和3", [1, 3]), ("一三", [1, 3]), ("一、三", [1, 3]),
    ("一 二", [1, 2]), ("2 5", [2, 5]), ("十二", [12]), ("七十五", [75]), ("13", [13]),
])
def test_option_numbers_are_read_from_words_and_lists(typed, numbers):
    assert option_numbers(typed) == numbers


@pytest.mark.parametrize("typed", ["二号", "十二月二日", "12/3", "1.3", "七旬", "两个", "三十块", "选", "周二", "一二三十"])
def test_a_day_or_a_sum_is_no_option_number(typed):
    assert option_numbers(typed) is None


@pytest.mark.parametrize("typed", ["二", "两", "贰", "选2", "第二个", "第2个"])
async def test_a_numeral_word_picks_the_second_entry_of_the_main_menu(chat, typed):
    await chat.send("菜单")
    await chat.send(typed)
    assert chat.says("eq.ask_asker")
    assert not chat.says("faq.fallback") and not chat.says("faq.clarify")


async def to_the_dates(chat) -> list[str]:
    await chat.send("预约上门办申请")
    await chat.tap("是")
    await chat.tap("柯城区")
    return [o.label for o in chat.options if "date=" in o.payload]


async def test_a_numeral_word_picks_the_second_day_of_the_date_list(chat):
    days = await to_the_dates(chat)
    await chat.send("二")
    assert chat.says("book.ask.window", day=days[1])


@pytest.mark.parametrize("typed", ["二号", "十二月二日"])
async def test_a_typed_day_still_means_that_day(chat, typed):
    days = await to_the_dates(chat)
    await chat.send(typed)
    assert chat.says("book.ask.window", day=next(d for d in days if d.startswith("12月2日")))


async def elig_age(runtime) -> int | None:
    state = Conversation.model_validate_json(await runtime.services.store.load_state("console", "elder-1"))
    return state.data["elig"]["age"]


@pytest.mark.parametrize("typed, age", [("四", 80), ("七十二", 72), ("八十", 80)])
async def test_at_the_age_question_a_numeral_picks_a_band_and_an_age_stays_an_age(chat, runtime, typed, age):
    await chat.send("查资格")
    await chat.tap("我本人")
    await chat.send(typed)
    assert chat.says("eq.ask_county") and not chat.says("eq.age_unreadable")
    assert await elig_age(runtime) == age


@pytest.mark.parametrize("typed", ["1 3", "1、3", "1，3", "1,3", "1和3", "一三", "一、三"])
async def test_several_conditions_are_picked_at_once_however_they_are_listed(chat, runtime, typed):
    await chat.send("查资格")
    await chat.tap("替家人问")
    await chat.send("75")
    await chat.tap("柯城区")
    await chat.send(typed)
    t = chat.texts
    chosen = t("eq.cond.hardship") + "、" + t("eq.cond.semi-disabled")
    assert chat.says("eq.ask_conditions", chosen=chosen)
    assert not chat.says("input.not_understood")


async def test_access_notes_listed_with_a_comma_are_ticked_not_stored_as_a_note(chat, runtime):
    from tests.handlers.test_booking_flow import to_the_access
    await to_the_access(chat)
    await chat.send("1、2")
    assert not chat.says("book.access_noted")
    assert chat.says("book.ask.access")
    ticked = [label for label in chat.labels if label.startswith(chat.texts("nav.chosen", label=""))]
    assert len(ticked) == 2
    await chat.send("好了")
    await chat.send("想立遗嘱")
    await chat.tap("同意")
    assert chat.says("book.review") and "1、2" not in chat.text
