"""Reading typed ages: the forms older people and their children actually use."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.parse import ages_for_year, expand_short_year, parse_age_answer

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("typed", "age"),
    [("75", 75), ("七十五", 75), ("75岁", 75), ("我爸今年八十二了", 82), ("７５", 75), ("七十五歲", 75)],
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
