"""The matcher against the development set (tests/data/faq_devset.yaml), and its decisions.

The set was written apart from the knowledge-base phrasings, so it measures how well the
matcher generalises to how people really ask.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from faq.kb import load_kb
from faq.matcher import Kind, Matcher
from faq.urgent import is_urgent

DEVSET = yaml.safe_load((Path(__file__).parents[1] / "data" / "faq_devset.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def matcher():
    return Matcher(load_kb())


def test_the_development_set_is_big_enough_and_labelled_with_real_ids(matcher):
    assert len(DEVSET["in_scope"]) >= 200
    assert len(DEVSET["out_of_scope"]) >= 40
    ids = set(matcher.kb.by_id)
    assert {item["id"] for item in DEVSET["in_scope"]} <= ids


def test_the_development_set_does_not_copy_knowledge_base_phrasings(matcher):
    phrasings = {p for e in matcher.kb.entries for p in [e.question, *e.phrasings]}
    copied = [item["q"] for item in DEVSET["in_scope"] if item["q"] in phrasings]
    assert not copied


def test_top1_accuracy_in_scope_is_at_least_90_percent(matcher):
    misses = [
        (item["q"], item["id"], (r.candidates[0].entry.id if r.candidates else None))
        for item in DEVSET["in_scope"]
        if not ((r := matcher.match(item["q"])).candidates and r.candidates[0].entry.id == item["id"])
    ]
    accuracy = 1 - len(misses) / len(DEVSET["in_scope"])
    assert accuracy >= 0.90, f"{accuracy:.1%}; first misses: {misses[:10]}"


def test_confident_answers_are_almost_never_wrong(matcher):
    wrong = [
        item["q"]
        for item in DEVSET["in_scope"]
        if (r := matcher.match(item["q"])).kind is Kind.ANSWER and r.entry.id != item["id"]
    ]
    assert len(wrong) <= 0.02 * len(DEVSET["in_scope"]), wrong


def test_most_in_scope_questions_are_answered_outright_not_just_clarified(matcher):
    answered = sum(matcher.match(item["q"]).kind is Kind.ANSWER for item in DEVSET["in_scope"])
    assert answered >= 0.7 * len(DEVSET["in_scope"])


def test_at_least_90_percent_of_out_of_scope_questions_are_not_answered(matcher):
    answered = [item["q"] for item in DEVSET["out_of_scope"] if matcher.match(item["q"]).kind is Kind.ANSWER]
    assert len(answered) <= 0.10 * len(DEVSET["out_of_scope"]), answered


def test_every_urgent_message_is_caught_and_no_ordinary_question_is(matcher):
    missed = [item["q"] for item in DEVSET["urgent"] if not is_urgent(item["q"])]
    assert not missed
    alarmed = [item["q"] for item in DEVSET["in_scope"] + DEVSET["out_of_scope"] if is_urgent(item["q"])]
    assert not alarmed


@pytest.mark.parametrize("greeting", ["你好", "您好!", "在吗", "hello"])
def test_a_greeting_gets_the_menu_not_a_policy_answer(matcher, greeting):
    assert matcher.match(greeting).kind is Kind.GREETING


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("公正遗瞩要钱吗", "will_notary_fee"),  # pinyin homophones
        ("我爸八十二了做遗嘱公证收费吗", "will_notary_fee"),
        ("遺囑公證收費嗎", "will_notary_fee"),
        ("律師能到家裡來嗎", "home_visit"),
        ("周末在线解答咨询有积分吗", "pts_online_nonworkday"),
    ],
)
def test_how_older_people_type_still_finds_the_answer(matcher, question, entry_id):
    result = matcher.match(question)
    assert result.candidates[0].entry.id == entry_id


@pytest.mark.parametrize(("question", "expected"), [("上门", "home_visit"), ("公证", "will_notary_fee")])
def test_a_one_word_question_is_clarified_with_three_suggestions(matcher, question, expected):
    result = matcher.match(question)
    assert result.kind is Kind.CLARIFY
    assert len(result.candidates) == 3
    assert expected in {c.entry.id for c in result.candidates}


def test_a_different_hotline_number_is_not_taken_for_12348(matcher):
    assert matcher.match("12345热线是干什么的").kind is not Kind.ANSWER
