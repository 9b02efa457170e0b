"""Walk of 2026-11-28 (05:40): an age said as 虚岁 or before this year's birthday was read as 周岁 and the
summary asserted 已满70周岁; now the age_counting entry answers, and no 70 is asserted."""

from __future__ import annotations

import pytest

from tests.auxil.chat import Chat


@pytest.fixture
def daughter(runtime) -> Chat:
    return Chat(runtime, channel="console", user_id="daughter")


@pytest.mark.parametrize("question", [
    "我妈今年七十，虚岁七十一，生日还没过，算七十周岁吗？她想申请法律援助告我舅舅欠钱不还",
    "我妈虚岁七十一 周岁才六十九 算不算七十岁以上",
])
async def test_an_age_said_as_xusui_gets_how_full_years_are_counted_and_never_already_70(daughter, runtime, question):
    await daughter.send(question)
    entry = runtime.services.matcher.kb.by_id["age_counting"]
    assert daughter.text.startswith(entry.answer.strip())
    assert daughter.says("faq.guidance_line", source=entry.source)
    assert not daughter.says("told.age70") and not daughter.says("told.header_age")
    assert daughter.texts("faq.follow_up.check_eligibility") in daughter.labels


async def test_the_eligibility_check_then_asks_the_age_rather_than_filling_70(daughter):
    await daughter.send("我妈今年七十，虚岁七十一，生日还没过，算七十周岁吗？")
    await daughter.tap(daughter.texts("faq.follow_up.check_eligibility"))
    await daughter.tap(daughter.texts("eq.asker_family"))
    assert daughter.says("eq.ask_age", who=daughter.texts("eq.who_family"))
