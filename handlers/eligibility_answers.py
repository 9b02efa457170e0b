"""Read what people type at the 查资格 questions: text in, the answer or an Invalid out."""

from __future__ import annotations

import re

from handlers.form import DONE, Invalid
from handlers.parse import AgeAnswer, first_match, parse_age_answer, plain
from handlers.turn import Turn
from policy.eligibility import Asker, Condition, County

CONDITION_WORDS = {
    Condition.HARDSHIP: ("特困", "低保", "五保"),
    Condition.SEMI_DISABLED: ("半失能",),
    Condition.DISABLED: ("失能", "不能自理", "瘫痪", "卧床"),
    Condition.SERIOUS_ILLNESS: ("重病", "大病", "重大疾病", "癌", "肿瘤", "尿毒症", "中风"),
    Condition.MOBILITY: ("行动不便", "走不动", "腿脚", "轮椅", "走路不方便", "出不了门"),
}
NEGATION = re.compile(r"^(没有|没|无|不是|不)")
DONE_WORDS = ("好了", "没有", "都没有", "完成", "没了", "就这些", "没")
YES_WORDS = ("是", "对", "嗯", "没错", "好")
NO_WORDS = ("不是", "不对", "错了")
NOMINAL_AGE_WORD = "虚岁"  # counts from 1 at birth: not the 周岁 the rules use
ASKER_WORDS = ((r"本人|我自己|自己", Asker.SELF.value), (r"家|替|帮|父|母|爸|妈|爷|奶|公|婆|老人", Asker.FAMILY.value))
BIRTHDAY_WORDS = ((r"没过|还没|没有", "no"), (r"过了|过完|已经", "yes"))
WILL_WORDS = ((r"没办|没做|没有|没", "no"), (r"办过|做过|有过|有", "yes"))
UNKNOWN = re.compile(r"不清楚|不知道|不晓得|不记得|忘")


def read_asker(turn: Turn, draft, text: str) -> str | None:
    return first_match(text, *ASKER_WORDS)


def read_age(turn: Turn, draft, text: str) -> AgeAnswer | Invalid:
    """75 / 八十二 / 1948年 / 48年; 虚岁 is asked back as a birth year; 不到80 is not an age."""
    if NOMINAL_AGE_WORD in plain(text):
        return Invalid("eq.age_nominal")
    parsed = parse_age_answer(text, turn.now.date())
    return Invalid(f"eq.age_{parsed.error}") if parsed.error else parsed


def read_confirm(turn: Turn, draft, text: str) -> str | None:
    text = plain(text)
    if any(w in text for w in NO_WORDS):
        return "no"
    return "yes" if any(w in text for w in YES_WORDS) else None


def read_birthday(turn: Turn, draft, text: str) -> str | None:
    return first_match(text, *BIRTHDAY_WORDS)


def read_county(turn: Turn, draft, text: str) -> str | None:
    text = plain(text)
    county = next((c.value for c in County if c.value[:2] in text), None)
    if county is None and (re.search(r"不在", text) or UNKNOWN.search(text)):
        return ""
    return county


def read_conditions(turn: Turn, draft, text: str) -> str | None:
    text = plain(text)
    if NEGATION.match(text):
        return DONE  # "没有重病" must not tick 重病
    for condition, words in CONDITION_WORDS.items():
        if any(w in text for w in words):
            return condition.value
    return DONE if any(w in text for w in DONE_WORDS) else None


def read_will(turn: Turn, draft, text: str) -> str | None:
    return first_match(text, (UNKNOWN.pattern, "unknown"), *WILL_WORDS)
