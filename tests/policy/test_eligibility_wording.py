"""The 查资格 sentences say what 衢市司发〔2020〕3号 says and no more: each pinned to the clause it renders."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.catalog import load_catalog

SOURCE_TEXT = Path(__file__).resolve().parents[3] / "shared" / "sources" / "quzhou-judicial-2020-3-and-4.txt"

# 3号 二, one sentence scoping both measures to the counties that have the conditions.
COUNTY_CLAUSE = ("有条件的县(市、区)司法局自2020年起要对70周岁及以上老年人不设法律援助事项范围限制,"
                 "对城乡特困老人、失能半失能、70周岁及以上和患有重大疾病的老年人申请法律援助的,免于经济状况审查")
WILL_CLAUSE = "对70周岁及以上老年人首次办理遗嘱公证减半收费,对80周岁及以上老年人首次办理遗嘱公证免收费用"
MISSING_CLAUSE = "对符合法律援助事项范围但缺乏部分材料的申请"
DRAFTING_CLAUSE = "对法律关系简单、案件事实清楚、维权难度不大的案件,提供代书服务"
MEANS_CLAUSE = "对城乡特困老人、失能半失能、70周岁及以上和患有重大疾病的老年人申请法律援助的,免于经济状况审查"


def full_width(clause: str) -> str:
    """The catalog writes the clause's punctuation full-width, as Chinese prose does."""
    return clause.replace(",", "，").replace("(", "（").replace(")", "）")


@pytest.fixture(scope="module")
def t():
    return load_catalog()


@pytest.mark.parametrize("clause", [COUNTY_CLAUSE, WILL_CLAUSE, MISSING_CLAUSE, DRAFTING_CLAUSE, MEANS_CLAUSE])
def test_the_quoted_clauses_are_the_source_text(clause):
    if not SOURCE_TEXT.exists():
        pytest.skip("source text not checked out beside the project")
    assert clause in SOURCE_TEXT.read_text(encoding="utf-8")


def test_an_unconfirmed_county_is_told_the_clause_word_for_word_and_where_to_confirm(t):
    text = t("elig.county_unconfirmed", who="您", county="开化县", since="", source="")
    assert full_width(COUNTY_CLAUSE) in text
    assert "开化县是否实行，请向当地司法局或拨打12348确认" in text


def test_a_later_will_is_not_given_a_fee_the_text_does_not_set(t):
    # WILL_CLAUSE gives reductions for the 首次 will only; the fee of a later one is the notary office's.
    text = t("elig.will_fee_full_not_first", who="您")
    assert "第一次" in text and "公证处确定" in text
    assert "正常标准" not in text


def test_missing_documents_keeps_the_condition_of_the_clause(t):
    assert "符合法律援助事项范围但缺乏部分材料" in t("elig.missing_documents")


def test_drafting_keeps_all_three_conditions_of_the_clause(t):
    assert "法律关系简单、案件事实清楚、维权难度不大的案件" in t("elig.drafting")


@pytest.mark.parametrize(("text_id", "ground", "added"), [
    ("elig.change_serious_illness_means_test", "患有重大疾病", "医院证明"),
    ("elig.change_disability_means_test", "失能或半失能", "经评估"),
])
def test_means_test_grounds_are_the_clause_without_conditions_it_does_not_set(t, text_id, ground, added):
    text = t(text_id, who="您")
    assert ground in text and "有条件的县（市、区）" in text and "免于经济状况审查" in text
    assert added not in text


def test_advice_the_texts_do_not_contain_is_said_to_be_general_guidance(t):
    assert "一般提示，两份文件里没有写" in t("elig.not_older_person", who="您")
