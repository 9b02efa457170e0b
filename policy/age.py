"""Age in whole 周岁, the unit every age threshold in the Quzhou texts is stated in."""

from __future__ import annotations

from datetime import date


class AgeError(ValueError):
    """An age or birth date that cannot belong to a living applicant."""


MIN_AGE = 0
MAX_AGE = 130

# 《中华人民共和国老年人权益保障法》第二条: 本法所称老年人是指六十周岁以上的公民。
# "以上" includes the number (民法典第1259条), so 60 itself is an older person.
OLDER_PERSON_AGE = 60


def check_age(age: int) -> int:
    """Return `age` unchanged if it is a plausible age in 周岁, else raise AgeError."""
    if isinstance(age, bool) or not isinstance(age, int):
        raise AgeError(f"age must be a whole number of years, got {age!r}")
    if not MIN_AGE <= age <= MAX_AGE:
        raise AgeError(f"age {age} is outside {MIN_AGE}..{MAX_AGE}")
    return age


def age_on(birth: date, on: date) -> int:
    """Whole 周岁 of someone born on `birth`, as of the day `on`.

    A year is added on the birthday itself. Someone born on 29 February has no
    birthday in a common year, so they turn a year older on 1 March (28 Feb
    still precedes their birthday when compared as (month, day)).
    """
    if birth > on:
        raise AgeError(f"birth date {birth.isoformat()} is after {on.isoformat()}")
    before_birthday = (on.month, on.day) < (birth.month, birth.day)
    age = on.year - birth.year - (1 if before_birthday else 0)
    if age > MAX_AGE:
        raise AgeError(f"age {age} from birth date {birth.isoformat()} is over {MAX_AGE}")
    return age
