"""Read what people type at the booking's questions: text in, the answer or an Invalid out."""

from __future__ import annotations

import re

from handlers.form import DONE
from handlers.parse import first_match, parse_age_answer, plain
from handlers.turn import Turn
from policy.eligibility import County

ACCESS_NEEDS = ("stairs", "hearing", "dialect")
PHONE = re.compile(r"^1[3-9]\d{9}$")
_NAME = re.compile(r"^[\u4e00-\u9fffA-Za-z·•. ]{1,20}$")
YES = re.compile(r"^(是|对|有|满了|嗯|是的|有的|同意)")
NO = re.compile(r"^(不是|没有|没|否|不)")  # 不同意 starts with 不
OWNER_WORDS = ((r"本人|自己|老人", "self"), (r"家|儿|女|孙|子|媳|婿", "family"))
_DONE = re.compile(r"好了|没有|都没有|没了|不用")


def normalise_phone(text: str) -> str | None:
    digits = re.sub(r"[\s\-()（）]", "", text)
    digits = re.sub(r"^(\+?86)", "", digits)
    return digits if PHONE.match(digits) else None


def read_yes_no(turn: Turn, draft, text: str) -> str | None:
    text = plain(text)
    if NO.match(text):
        return "no"
    return "yes" if YES.match(text) else None


def read_quick_check(turn: Turn, draft, text: str) -> str | None:
    """满80周岁了吗: 是 / 不是, or the age itself (85, 八十二, 1940年)."""
    if NO.match(plain(text)):
        return "no"
    parsed = parse_age_answer(text, turn.now.date())
    if parsed.age is not None:
        return "yes" if parsed.age >= 80 else "no"
    if parsed.year is not None:
        return "yes" if turn.now.year - parsed.year - 1 >= 80 else "no"
    return read_yes_no(turn, draft, text)


def read_county(turn: Turn, draft, text: str) -> str | None:
    return next((c.value for c in County if c.value[:2] in plain(text)), None)


def read_name(turn: Turn, draft, text: str) -> str | None:
    text = plain(text)
    return text if _NAME.match(text) else None


def read_phone(turn: Turn, draft, text: str) -> str | None:
    return normalise_phone(text)


def read_owner(turn: Turn, draft, text: str) -> str | None:
    return first_match(text, *OWNER_WORDS)


def read_place(turn: Turn, draft, text: str) -> str | None:
    text = plain(text)
    return text if 2 <= len(text) <= 60 else None


def read_access(turn: Turn, draft, text: str) -> str:
    """好了 / 没有 end the question; anything else is a note for the visitors."""
    text = plain(text)
    return DONE if _DONE.search(text) else text[:100]


def read_matter(turn: Turn, draft, text: str) -> str | None:
    text = plain(text)
    return text if 2 <= len(text) <= 200 else None
