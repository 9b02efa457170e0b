"""Walk of 2026-11-28 (05:40), item 14: 线上值班一天算十分吗 was told 每天10分 (4号 二(一)3). 4号 一(三) defines 值班
as at the centre's window or a 工作站; the ledger gives online duty nothing and scores the answers under 二(一)9."""

from __future__ import annotations

import pytest

from faq.kb import Audience, load_kb
from faq.matcher import Kind, Matcher


@pytest.fixture(scope="module")
def matcher():
    return Matcher(load_kb())


@pytest.mark.parametrize("question", ["线上值班一天算十分吗", "网上值班有分吗", "在小程序值班一天几分"])
def test_online_duty_is_told_it_is_not_the_10_a_day_duty_and_what_it_earns(matcher, question):
    result = matcher.match(question, Audience.LAWYER)
    assert (result.kind, result.entry.id) == (Kind.ANSWER, "pts_duty")
    answer = result.entry.answer
    assert "窗口" in answer and "工作站" in answer and "一(三)" in answer  # what 值班 is
    assert "线上值班" in answer and "不按每天10分记" in answer
    assert "每件5分(二(一)9)" in answer


def test_what_duty_is_says_online_duty_is_not_it():
    answer = load_kb().by_id["def_duty"].answer
    assert "线上值班" in answer and "不按每天10分记" in answer and "二(一)9" in answer


def test_the_group_case_entry_says_how_the_ledger_counts_exactly_10_people():
    # the ledger counts exactly 10 people as 3 cases (README); the entry said only 以中心认定为准
    assert "按3件记" in load_kb().by_id["pts_case"].answer
