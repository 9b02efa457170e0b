"""Questions on what neither text says (walk of 2026-11-28, 05:40): court fees (诉讼费, 立案) and how long
anything takes (多久). They were answered with the will-notarisation fee (3号 二), legal_aid_free's guidance
or what to bring, stated as fact; now declined, saying what the texts do not cover."""

from __future__ import annotations

import pytest

from faq.kb import Audience, load_kb
from faq.matcher import Kind, Matcher
from faq.normalize import normalize
from faq.topics import aspects_in


@pytest.fixture(scope="module")
def matcher():
    return Matcher(load_kb())


@pytest.mark.parametrize(("question", "aspect"), [
    ("我妈八十一了，打官司的诉讼费能减免吗", "court_costs"),
    ("诉讼费能减免吗", "court_costs"),
    ("法院立案要交钱吗", "court_costs"),
    ("打官司要多久", "how_long"),
    ("法律援助申请多久能批下来", "how_long"),
    ("申请法援要等几天才有结果", "how_long"),
])
@pytest.mark.parametrize("audience", [Audience.PUBLIC, None])
def test_court_fees_and_how_long_are_declined_saying_the_texts_do_not_say_it(matcher, question, aspect, audience):
    result = matcher.match(question, audience)
    assert result.kind is Kind.FALLBACK
    assert (result.not_in_texts, result.aspect) == (aspect, True)


def test_lawyer_fees_are_never_answered_with_the_will_notarisation_fee(matcher):
    # 律师费能减免吗 named neither 公证 nor 遗嘱: the notarisation entry (3号 二) is offered, not asserted.
    result = matcher.match("律师费能减免吗", Audience.PUBLIC)
    assert result.kind is not Kind.ANSWER
    assert "legal_aid_free" in {c.entry.id for c in result.candidates}


@pytest.mark.parametrize(("question", "entry_id"), [
    # 4号's deadlines do say how long: still answered
    ("律所接到指派后多久要报承办律师名单", "case_assignment"),
    ("积分多久统计一次", "cycle_quarterly"),
    ("发现积分漏算了几天内要提出", "correction"),
    # the will-notarisation fee, asked by a question naming it
    ("我妈83岁想立个遗嘱去公证处公证,听说可以免费是真的吗", "will_notary_fee"),
])
def test_an_entry_that_speaks_of_it_still_answers(matcher, question, entry_id):
    result = matcher.match(question)
    assert (result.kind, result.entry and result.entry.id) == (Kind.ANSWER, entry_id)


def test_a_subject_outside_the_texts_is_named_when_declined(matcher):
    result = matcher.match("高龄津贴怎么领", Audience.PUBLIC)
    assert (result.kind, result.not_in_texts, result.aspect) == (Kind.FALLBACK, "高龄津贴", False)


def test_no_entry_of_3hao_speaks_of_court_fees_or_how_long():
    """The aspects are what 3号 never states: if an entry someday does, it answers them again."""
    for entry in load_kb().entries:
        if entry.audience is Audience.PUBLIC:
            said = normalize(entry.question + "".join(entry.phrasings) + "".join(entry.keywords))
            assert not aspects_in(said), entry.id


def test_saying_how_long_it_has_been_is_not_asking_how_long():
    assert not aspects_in(normalize("我爸瘫在床上好几天了"))
    assert aspects_in(normalize("要等几天")) == {"how_long"}
