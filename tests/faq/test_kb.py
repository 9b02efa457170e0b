"""The knowledge base: valid, cites its sources, covers every provision, fails loudly when broken."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from faq.kb import MIN_PHRASINGS, Audience, KnowledgeBaseError, load_kb

SOURCE_TEXT = Path(__file__).resolve().parents[3] / "shared" / "sources" / "quzhou-judicial-2020-3-and-4.txt"


@pytest.fixture(scope="module")
def kb():
    return load_kb()


def test_entry_count_is_within_the_planned_range(kb):
    assert 40 <= len(kb) <= 75  # 72: + 3号 sections 二、三、四 and the centre contact


def test_every_entry_has_enough_distinct_phrasings_and_a_source(kb):
    for entry in kb.entries:
        assert len(set(entry.phrasings)) >= MIN_PHRASINGS, entry.id
        assert entry.source.startswith(("衢市司发〔2020〕3号", "衢市司发〔2020〕4号")), entry.id


def test_the_public_answers_cite_the_opinion_and_the_lawyer_answers_the_points_scheme(kb):
    for entry in kb.entries:
        expected = "3号" if entry.audience is Audience.PUBLIC else "4号"
        assert expected in entry.source, entry.id


@pytest.mark.parametrize("section", ["一", "二", "三", "四", "五"])
def test_every_section_of_the_opinion_is_covered(kb, section):
    cited = [e.source for e in kb.entries if "3号" in e.source]
    assert any(re.search(f"3号 .*{section}", s) for s in cited), section


@pytest.mark.parametrize(
    "clause",
    ["一(一)", "一(二)", "一(三)", "一(四)", "二(二)", "二(三)", "二(四)", "二(五)"]
    + [f"二(一){n}" for n in range(1, 13)],
)
def test_every_rule_of_the_points_scheme_is_covered(kb, clause):
    assert any(clause in e.source for e in kb.entries if e.audience is Audience.LAWYER), clause


def test_answers_state_only_numbers_that_are_in_the_source_text(kb):
    """Nothing invented: every figure in an answer (points, ages, days, dates) appears in the texts."""
    source = SOURCE_TEXT.read_text(encoding="utf-8") if SOURCE_TEXT.exists() else None
    if source is None:
        pytest.skip("source text not beside the checkout")
    allowed = set(re.findall(r"\d+", source)) | {"110", "1259", "201", "203"}  # 民法典 articles cited
    for entry in kb.entries:
        for number in re.findall(r"\d+", entry.answer):
            assert number in allowed, f"{entry.id}: {number} is not in the source texts"


def test_guidance_answers_say_they_are_general_guidance(kb):
    for entry in kb.entries:
        if entry.guidance:
            assert "一般性提示" in entry.answer, entry.id


def _write(tmp_path, text):
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "broken.yaml").write_text(text, encoding="utf-8")
    return folder


GOOD = """
- id: sample
  audience: public
  question: 样例问题
  phrasings: [一, 二, 三, 四, 五, 六]
  answer: 样例回答。
  source: 衢市司发〔2020〕3号 二
"""


def test_a_valid_file_loads(tmp_path):
    assert len(load_kb(_write(tmp_path, GOOD))) == 1


@pytest.mark.parametrize(
    ("change", "names"),
    [
        (("phrasings: [一, 二, 三, 四, 五, 六]", "phrasings: [一, 二]"), "phrasings"),
        (("source: 衢市司发〔2020〕3号 二", "source: 网上看到的"), "source"),
        (("audience: public", "audience: everyone"), "audience"),
        (("  answer: 样例回答。\n", ""), "answer"),
    ],
)
def test_a_broken_entry_names_the_file_the_entry_and_the_field(tmp_path, change, names):
    text = GOOD.replace(*change)
    with pytest.raises(KnowledgeBaseError) as err:
        load_kb(_write(tmp_path, text))
    message = str(err.value)
    assert "broken.yaml" in message and "sample" in message and names in message


def test_an_unknown_related_id_is_rejected(tmp_path):
    with pytest.raises(KnowledgeBaseError, match="related"):
        load_kb(_write(tmp_path, GOOD + "  related: [nowhere]\n"))


def test_invalid_yaml_names_the_file(tmp_path):
    with pytest.raises(KnowledgeBaseError, match="broken.yaml"):
        load_kb(_write(tmp_path, "- id: [unclosed"))


def test_answers_that_add_general_advice_say_so_and_conditions_are_kept_whole():
    """Issue 12, fidelity 6 and 7: 3号 三 "对符合法律援助事项范围但缺乏部分材料的申请" keeps its condition;
    a definition of 申诉 or advice on complaining about a lawyer is not in the texts: marked guidance."""
    kb = load_kb(None)
    assert "符合法律援助事项范围但缺乏部分材料" in kb.get("benefits_70").answer
    assert kb.get("petition_appeal").guidance and kb.get("quality_supervision").guidance
