"""A run-on typed at a 查资格 question ("我爸今年八十二了住在江山腿脚不好") fills every later answer
it clearly gives (age, county, 行动不便), says so, and shows it on the review; nothing it does not say."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.runon import said_in
from policy.eligibility import Condition, County
from tests.auxil.chat import Chat


def noted(chat: Chat, *facts: str) -> bool:
    return chat.says("eq.runon_noted", facts="，".join(facts))


def reviewed(chat: Chat, **values: str) -> bool:
    return chat.says("eq.review", **values)


@pytest.mark.parametrize(("story", "age", "county", "conditions"), [
    ("我爸今年八十二了住在江山腿脚不好", "82周岁", "江山市", "行动不便"),
    ("我妈84岁，在柯城区，走不动路", "84周岁", "柯城区", "行动不便"),
])
async def test_a_run_on_at_who_asks_fills_age_county_and_mobility_then_the_review_shows_them(
        chat, story, age, county, conditions):
    await chat.send("查资格")
    await chat.send(story)
    assert noted(chat, age, county, conditions)
    assert chat.says("eq.ask_will", who=chat.texts("eq.who_family"))  # the one answer the text does not give
    await chat.tap("没办过")
    assert reviewed(chat, asker=chat.texts("eq.asker_family"), age=age, county=county, conditions=conditions)


async def test_a_run_on_at_the_age_question_fills_the_county_and_mobility(chat):
    await chat.send("查资格")
    await chat.tap("替家人问")
    await chat.send("我爸今年八十二了住在江山腿脚不好")
    assert noted(chat, "江山市", "行动不便")
    await chat.tap("没办过")
    assert reviewed(chat, age="82周岁", county="江山市", conditions="行动不便")


async def test_a_person_in_good_health_is_still_asked_about_conditions(chat):
    await chat.send("查资格")
    await chat.send("我父亲七十六岁住龙游县身体还行")
    assert noted(chat, "76周岁", "龙游县")
    assert chat.says("eq.ask_conditions", who=chat.texts("eq.who_family"))  # 身体还行 ticks nothing, nor 没有


async def test_answers_already_given_are_not_overwritten_and_taps_fill_nothing(chat):
    await chat.send("查资格")
    await chat.tap("替家人问")
    await chat.send("82")
    await chat.tap("龙游县")
    await chat.send("走不动路，住江山")  # at the conditions: 江山 does not replace 龙游县
    assert not chat.says("eq.runon_noted")
    await chat.tap("好了")
    await chat.tap("没办过")
    assert reviewed(chat, county="龙游县", conditions="行动不便")


@pytest.mark.parametrize(("text", "county", "conditions"), [
    ("我爸行动不便", None, [Condition.MOBILITY]),
    ("我爸没有行动不便，腿脚很好", None, []),
    ("住江山，在柯城上班", County.JIANGSHAN, []),  # two counties: the one lived in
    ("我在龙游，我妈在江山", None, []),  # two, and neither said to be lived in: neither is guessed
    ("老人家住在常山县，我在江山打工", County.CHANGSHAN, []),
    ("我妈住常山县", County.CHANGSHAN, []),
])
def test_only_what_the_words_state_is_read(text, county, conditions):
    said = said_in(text, date(2026, 11, 26))
    assert said.county == county and said.conditions == conditions


@pytest.mark.parametrize(("story", "facts"), [
    ("我爸今年八十二了住在江山腿脚不好", ("county", "check_mobility")),
    ("不到，七十六，但是走不动路，住江山", ("county", "check_mobility")),  # 行动不便: 重病 is not asked
])
async def test_a_run_on_at_the_booking_quick_check_fills_the_county_and_the_grounds(chat, story, facts):
    await chat.send("预约上门办申请")
    await chat.send(story)
    told = [chat.texts("book.told.county", county="江山市") if f == "county" else chat.texts(f"book.told.{f}")
            for f in facts]
    assert chat.says("book.from_told", facts="，".join(told))
    assert chat.says("book.ask.date", county="江山市")


async def test_the_booking_reads_nothing_more_from_a_plain_answer(chat):
    await chat.send("预约上门办申请")
    await chat.send("八十二")
    assert not chat.says("book.from_told")
    assert chat.says("book.ask.county")
