"""Typed answers: which option on screen a person meant (handlers/choice.py, pure)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, strategies as st

from common.messages import Option
from handlers.choice import BACK_WORDS, CONFIRM_WORDS, UNKNOWN_WORDS, date_aliases, normalise, pick

THURSDAY = date(2026, 11, 26)
WINDOWS = [Option("上午 09:00-11:30", "book:answer:window=am"), Option("下午 14:00-17:00", "book:answer:window=pm")]
NAV = [Option("上一步", "book:back", BACK_WORDS), Option("返回菜单", "menu:show")]


def payloads(found):
    return [o.payload for o in found]


@pytest.mark.parametrize("typed", ["上午", "上午吧", "上午啊。", " 上 午 ", "上午的"])
def test_a_half_day_is_picked_by_its_name_and_obvious_variants(typed):
    assert payloads(pick(typed, WINDOWS + NAV)) == ["book:answer:window=am"]


@pytest.mark.parametrize("typed", ["上一步", "返回上一步"])
def test_back_words_pick_the_back_option(typed):
    assert payloads(pick(typed, WINDOWS + NAV)) == ["book:back"]


@pytest.mark.parametrize("typed", ["确定", "确认", "好的", "没问题", "可以"])
def test_confirming_words_pick_the_confirming_option(typed):
    options = [Option("确定取消", "mine:cancel_yes:SM-1", CONFIRM_WORDS), Option("不取消", "mine:start")]
    assert payloads(pick(typed, options)) == ["mine:cancel_yes:SM-1"]


@pytest.mark.parametrize("typed", ["不晓得", "不知道", "不清楚"])
def test_not_knowing_picks_the_dont_know_option_only_when_one_is_shown(typed):
    counties = [Option("柯城区", "elig:answer:county=柯城区"), Option("不清楚", "elig:answer:county=", UNKNOWN_WORDS)]
    assert payloads(pick(typed, counties)) == ["elig:answer:county="]
    assert pick(typed, counties[:1]) == []


@pytest.mark.parametrize("typed", ["12月1日", "12月1号", "1号", "周二", "星期二", "礼拜二", "下周二"])
def test_a_day_is_picked_by_date_weekday_or_next_week(typed):
    days = [date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 8)]
    options = [Option(f"{d.month}月{d.day}日", d.isoformat(), date_aliases(d, THURSDAY)) for d in days]
    assert payloads(pick(typed, options)) == ["2026-12-01"]


def test_the_weekday_alone_means_the_coming_one_and_tomorrow_is_tomorrow():
    assert "周五" in date_aliases(date(2026, 11, 27), THURSDAY)
    assert "明天" in date_aliases(date(2026, 11, 27), THURSDAY)
    assert "周二" not in date_aliases(date(2026, 12, 8), THURSDAY)  # a Tuesday twelve days away


def test_traditional_characters_and_full_width_forms_match():
    menu = [Option("查资格", "elig:start"), Option("预约上门办申请", "book:start")]
    assert payloads(pick("查資格", menu)) == ["elig:start"]
    assert payloads(pick("預約上門辦申請", menu)) == ["book:start"]


def test_a_unique_prefix_picks_but_an_ambiguous_one_does_not():
    counties = [Option("龙游县", "c:1"), Option("柯城区", "c:2")]
    assert payloads(pick("龙游", counties)) == ["c:1"]
    mine = [Option("改时间 SM-1", "m:1"), Option("取消 SM-1", "m:2"), Option("取消 SM-2", "m:3")]
    assert payloads(pick("取消", mine[:2])) == ["m:2"]  # the option on screen wins over the global word
    assert pick("取消", mine) == []  # two bookings: which one? the global word decides
    assert pick("上", WINDOWS) == []  # one character is too little


def test_digits_pick_by_number_only_on_numbered_channels_and_several_only_when_allowed():
    options = [Option(f"选项{i}", f"x:{i}") for i in range(1, 7)]
    assert payloads(pick("2", options, numbered=True)) == ["x:2"]
    assert pick("2", options) == []
    assert payloads(pick("2 5", options, numbered=True, multi=True)) == ["x:2", "x:5"]
    assert pick("2 5", options, numbered=True) == []
    assert pick("9", options, numbered=True) == []
    assert pick("2 9", options, numbered=True, multi=True) == []


def test_text_that_names_no_option_picks_nothing():
    assert pick("我想问遗嘱的事", WINDOWS + NAV) == []
    assert pick("", WINDOWS) == []
    assert pick("。。", WINDOWS) == []


LABELS = st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=8, unique_by=normalise)


@given(labels=LABELS, typed=st.text(max_size=15), numbered=st.booleans(), multi=st.booleans())
def test_the_matcher_never_picks_an_option_that_is_not_on_screen(labels, typed, numbered, multi):
    options = [Option(label, f"flow:answer:{i}") for i, label in enumerate(labels)]
    assert all(found in options for found in pick(typed, options, numbered=numbered, multi=multi))


@given(labels=LABELS)
def test_each_options_own_label_picks_that_option(labels):
    labels = [label for label in labels if normalise(label)]
    options = [Option(label, f"flow:answer:{i}") for i, label in enumerate(labels)]
    for option in options:
        assert pick(option.label, options) == [option]
