"""Reading typed ages: the forms older people and their children actually use."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.booking_answers import normalise_phone
from handlers.parse import ages_for_year, expand_short_year, parse_age_answer, parse_day

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("typed", "age"),
    [("75", 75), ("七十五", 75), ("75岁", 75), ("我爸今年八十二了", 82), ("７５", 75), ("七十五歲", 75), ("他今天八十二了", 82)],
)
def test_an_age_is_read_in_digits_numerals_or_a_sentence(typed, age):
    assert parse_age_answer(typed, TODAY).age == age


@pytest.mark.parametrize("typed", ["1948-03-02", "1948年3月2日", "一九四八年三月二日", "1948.3.2"])
def test_a_full_birth_date_gives_the_age_on_the_day(typed):
    answer = parse_age_answer(typed, TODAY)
    assert answer.birth == date(1948, 3, 2) and answer.age == 78


@pytest.mark.parametrize("typed", ["1948年出生", "1948年", "一九四八年生的", "1948"])
def test_a_birth_year_alone_leaves_the_birthday_open(typed):
    answer = parse_age_answer(typed, TODAY)
    assert answer.year == 1948 and answer.age is None


@pytest.mark.parametrize("typed", ["民国三十二年", "民国32年出生", "民國三十二年生的"])
def test_a_year_of_the_republic_is_counted_from_1912(typed):
    """民国32年 is 1943: read as 32年 it was taken for 1932, eleven years too old."""
    answer = parse_age_answer(typed, TODAY)
    assert answer.year == 1943 and answer.short_year is None


def test_a_two_digit_year_is_kept_for_confirmation():
    answer = parse_age_answer("48年", TODAY)
    assert answer.short_year == 48 and answer.age is None
    assert expand_short_year(48, TODAY) == 1948
    assert expand_short_year(20, TODAY) == 2020


@pytest.mark.parametrize(
    ("typed", "error"),
    [("2030年", "future"), ("2027-01-01", "future"), ("1850年", "too_old"), ("200岁", "too_old"), ("不知道", "unreadable")],
)
def test_impossible_answers_are_errors_not_guesses(typed, error):
    assert parse_age_answer(typed, TODAY).error == error


def test_born_in_a_year_means_one_of_two_ages():
    assert ages_for_year(1956, TODAY) == (69, 70)


@pytest.mark.parametrize("typed", ["不到80", "快80了", "差两年70", "小于60岁", "八十左右"])
def test_a_bound_is_not_taken_for_an_age(typed):
    assert parse_age_answer(typed, TODAY).error == "unreadable"


@pytest.mark.parametrize(("typed", "age"), [("七旬", 70), ("八旬", 80), ("九旬老人", 90), ("七十九，快八十了", 79),
                                            ("快八十了，七十九", 79)])
def test_a_decade_word_and_an_age_beside_a_bound_it_fits(typed, age):
    assert parse_age_answer(typed, TODAY).age == age


@pytest.mark.parametrize(("typed", "error"), [("0", "too_young"), ("零岁", "too_young"), ("八十一，快八十了", "unreadable"),
                                              ("十二月一号", "unreadable"), ("下周二", "unreadable"), ("明天", "unreadable")])
def test_no_age_from_a_day_a_zero_or_a_clash(typed, error):
    assert parse_age_answer(typed, TODAY).error == error


@pytest.mark.parametrize(("typed", "day"), [("下周二", date(2026, 12, 1)), ("下下周二", date(2026, 12, 8)),
                                            ("下下个星期二", date(2026, 12, 8))])
def test_the_week_after_next(typed, day):
    assert parse_day(typed, date(2026, 11, 28)) == day


@pytest.mark.parametrize("typed", ["一三九五七零一二三四五", "幺三九五七零一二三四五", "一三九 五七零一 二三四五",
                                   "一三九五七〇一二三四五", "我女儿电话13957012345"])
def test_a_phone_number_is_read_digit_by_digit(typed):
    assert normalise_phone(typed) == "13957012345"


@pytest.mark.parametrize("typed", ["两三九五七零一二三四五", "13957012345，13800001111", "电话13957012345转8"])
def test_no_phone_number_is_guessed(typed):
    assert normalise_phone(typed) is None


def test_an_age_with_its_unit_is_read_beside_a_day():
    assert parse_age_answer("七十五岁，三月份的生日", TODAY).age == 75


@pytest.mark.parametrize(("typed", "day"), [
    ("周一不行，周二上午能来我家吗", date(2026, 12, 1)),  # Thursday 26 Nov: the Tuesday asked for, not Monday
    ("我妈83了住龙游，周一不行，周二上午能来我家吗", date(2026, 12, 1)),
    ("12月1号下午来不了，12月3号上午能来我家吗", date(2026, 12, 3)),
    ("我有事想问，明天能来吗", date(2026, 11, 27)),
    ("下周一不行", None),
    ("周一周二都不行", None),
])
def test_a_day_the_message_rules_out_is_not_the_day_meant(typed, day):
    assert parse_day(typed, TODAY) == day
