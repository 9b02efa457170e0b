"""faq.extract: what one message tells — who, age in any form, county, conditions (as 3号 reads them), matters."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, strategies as st

from faq.extract import Matter, Relation, chinese_number, extract
from policy.eligibility import Asker, Condition, County

TODAY = date(2026, 11, 26)


def test_the_long_jiangshan_message_of_issue_12_is_read_whole():
    facts = extract("我爸八十三了 中风瘫在床上 住江山 想立个遗嘱 还跟邻居为了一堵墙吵 能不能帮忙", TODAY)
    assert (facts.asker, facts.relation, facts.age, facts.county) == (Asker.FAMILY, Relation.FATHER, 83, County.JIANGSHAN)
    assert facts.conditions == [Condition.SERIOUS_ILLNESS, Condition.MOBILITY]
    assert facts.matters == [Matter.WILL, Matter.NEIGHBOURS]
    assert facts.home_visit_may_fit  # 3号 三: 患重病、80周岁以上 …


@pytest.mark.parametrize(("text", "age"), [
    ("我爸八十三了", 83), ("我今年72岁了", 72), ("我妈1943年生的", 82), ("老人家九十岁", 90),
    ("我外公今年七十九", 79), ("我今年六十六", 66), ("我妈一百零二岁了", 102), ("我爸七十多了", 70),
])
def test_an_age_in_any_form(text, age):
    assert extract(text, TODAY).age == age


@pytest.mark.parametrize("text", ["70岁以上申请法援有没有事项范围限制", "满七十周岁的老人", "包工头欠我两万块工钱",
                                  "住了三十年的房子", "我家老人"])
def test_a_threshold_an_amount_or_a_duration_is_not_an_age(text):
    assert extract(text, TODAY).age is None


@pytest.mark.parametrize(("text", "asker"), [("我爸83岁", Asker.FAMILY), ("我婆婆腿脚不便", Asker.FAMILY),
                                             ("我今年72岁了", Asker.SELF), ("法律援助要钱吗", None)])
def test_who_the_message_is_about(text, asker):
    assert extract(text, TODAY).asker is asker


@pytest.mark.parametrize(("text", "county"), [("住在龙游乡下", County.LONGYOU), ("柯城区的", County.KECHENG),
                                              ("开化", County.KAIHUA), ("衢州市里", None)])
def test_the_county_by_its_short_name(text, county):
    assert extract(text, TODAY).county is county


@pytest.mark.parametrize(("text", "condition"), [
    ("癌症晚期", Condition.SERIOUS_ILLNESS), ("尿毒症在透析", Condition.SERIOUS_ILLNESS),
    ("走不了路", Condition.MOBILITY), ("卧床两年了", Condition.MOBILITY), ("是特困户", Condition.HARDSHIP), ("是五保户", Condition.HARDSHIP),
    ("半失能", Condition.SEMI_DISABLED), ("评了失能", Condition.DISABLED),
])
def test_conditions_as_the_opinion_names_them(text, condition):
    assert extract(text, TODAY).conditions == [condition]


def test_a_denied_condition_is_not_taken():
    assert extract("我不是特困户", TODAY).conditions == []
    assert not extract("我不是低保户", TODAY).dibao


def test_dibao_is_noted_apart_never_read_as_hardship():
    # 3号 二 names 城乡特困老人 only; 低保 is a wider category, so 查资格 asks rather than ticks.
    facts = extract("我妈八十了吃低保，腿脚不好", TODAY)
    assert facts.dibao and Condition.HARDSHIP not in facts.conditions


@pytest.mark.parametrize(("text", "matters"), [
    ("想立个遗嘱", [Matter.WILL]), ("包工头欠我工钱", [Matter.WAGES]), ("退休工资卡被儿子拿走", [Matter.PENSION]),
    ("儿子不给生活费还占了房子", [Matter.SUPPORT, Matter.PROPERTY]), ("跟隔壁吵架", [Matter.NEIGHBOURS]),
])
def test_matters(text, matters):
    assert extract(text, TODAY).matters == matters


@pytest.mark.parametrize(("numeral", "value"), [("八十三", 83), ("七十", 70), ("十五", 15), ("一百零二", 102), ("83", 83)])
def test_chinese_numbers(numeral, value):
    assert chinese_number(numeral) == value


@given(st.text(alphabet=st.characters(blacklist_categories=("Nd", "No", "Nl"),
                                      blacklist_characters="零一二两三四五六七八九十百千万幺壹贰叁肆伍陆柒捌玖拾佰"),
               max_size=80))
def test_no_age_is_invented_from_text_without_numbers(text):
    assert extract(text, TODAY).age is None


@given(st.integers(min_value=0, max_value=200), st.sampled_from(["我爸{}岁", "我今年{}了", "老人{}多", "今年{}"]))
def test_an_age_found_is_the_one_written(age, template):
    found = extract(template.format(age), TODAY).age
    assert found == (age if 50 <= age <= 115 else None)


@pytest.mark.parametrize("text", [
    "我妈今年七十，虚岁七十一，生日还没过，算七十周岁吗？",
    "我爸虚岁八十了",
    "我妈今年七十岁，还没过生日",
    "我爸今年80，生日没到",
])
def test_an_age_said_as_xusui_or_before_the_birthday_is_not_read_as_full_years(text):
    # 3号 二 counts 周岁: 今年七十 with the birthday still to come is 69; no 70 is asserted on it.
    facts = extract(text, TODAY)
    assert facts.age is None and facts.age_unsure
    assert not extract("我妈今年七十", TODAY).age_unsure
