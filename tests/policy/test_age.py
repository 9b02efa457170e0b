"""周岁 arithmetic and the 60-year line of 《老年人权益保障法》第二条."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy.age import MAX_AGE, MIN_AGE, OLDER_PERSON_AGE, AgeError, age_on, check_age


def test_older_person_is_sixty_full_years():
    assert OLDER_PERSON_AGE == 60


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2020, 5, 14), 59),  # the day before the 60th birthday
        (date(2020, 5, 15), 60),  # the birthday itself adds the year
        (date(2020, 5, 16), 60),  # the day after
    ],
)
def test_a_year_is_added_on_the_birthday(on, expected):
    assert age_on(date(1960, 5, 15), on) == expected


@pytest.mark.parametrize(
    ("birth", "on", "expected"),
    [
        (date(1950, 1, 20), date(2020, 1, 19), 69),
        (date(1950, 1, 20), date(2020, 1, 20), 70),
        (date(1940, 1, 20), date(2020, 1, 19), 79),
        (date(1940, 1, 20), date(2020, 1, 20), 80),
    ],
)
def test_seventy_and_eighty_are_reached_on_the_birthday(birth, on, expected):
    assert age_on(birth, on) == expected


def test_leap_day_birth_turns_older_on_29_february_in_a_leap_year():
    born = date(1960, 2, 29)
    assert age_on(born, date(2020, 2, 28)) == 59
    assert age_on(born, date(2020, 2, 29)) == 60


def test_leap_day_birth_turns_older_on_1_march_in_a_common_year():
    born = date(1960, 2, 29)
    assert age_on(born, date(2021, 2, 28)) == 60
    assert age_on(born, date(2021, 3, 1)) == 61


def test_born_today_is_zero():
    assert age_on(date(2024, 6, 1), date(2024, 6, 1)) == 0


def test_birth_in_the_future_is_an_error():
    with pytest.raises(AgeError):
        age_on(date(2030, 1, 1), date(2026, 1, 1))


def test_age_over_the_maximum_from_a_birth_date_is_an_error():
    assert age_on(date(1890, 1, 1), date(2020, 12, 31)) == 130
    with pytest.raises(AgeError):
        age_on(date(1890, 1, 1), date(2021, 1, 1))  # the 131st birthday


def test_age_error_is_a_value_error():
    assert issubclass(AgeError, ValueError)


@pytest.mark.parametrize("age", [MIN_AGE, 60, MAX_AGE])
def test_plausible_ages_pass_the_check(age):
    assert check_age(age) == age


@pytest.mark.parametrize("age", [-1, 131, True, 60.5])
def test_implausible_ages_fail_the_check(age):
    with pytest.raises(AgeError):
        check_age(age)


births = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))


@given(births, st.integers(0, 40000), st.integers(0, 4000))
def test_age_on_never_decreases_as_time_passes(birth, offset, later):
    on = birth + timedelta(days=offset)
    try:
        second = age_on(birth, on + timedelta(days=later))
    except AgeError:
        return  # past MAX_AGE
    assert age_on(birth, on) <= second


@given(births, st.integers(0, 40000))
def test_age_is_the_number_of_birthdays_passed(birth, offset):
    on = birth + timedelta(days=offset)
    try:
        age = age_on(birth, on)
    except AgeError:
        return
    # Fewer than age+1 full years and at least `age` years, measured in days.
    assert 365 * age <= (on - birth).days < 366 * (age + 1)
