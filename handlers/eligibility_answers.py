"""Read what people type at the 查资格 questions: text in, the answer or an Invalid out."""

from __future__ import annotations

import re

from handlers.condition_words import (
    CONDITION_WORDS, DISABLED_WORDS, SEMI_DISABLED_WORDS, bedridden, fine, unclear_word,
)
from handlers.form import DONE, Invalid, Ticked
from handlers.parse import NOMINAL_AGE_WORD, AgeAnswer, county_named, first_match, parse_age_answer, plain
from handlers.turn import Turn
from policy.eligibility import Asker, Condition

# 低保 is not 城乡特困 (3号 二 names only the latter): noted, so the result can say it must be asked.
DIBAO_WORDS = ("低保",)
DIBAO = "dibao"
CLAUSES = re.compile(r"[，,、；;。\s也还又和]+")  # "中风过，也坐轮椅": each part read on its own
NEGATION = re.compile(r"^(没有|没|无|不是|不)")
DONE_WORDS = ("好了", "没有", "都没有", "完成", "没了", "就这些", "没")
YES_WORDS = ("是", "对", "嗯", "没错", "好")
NO_WORDS = ("不是", "不对", "错了")
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
    if parsed.error == "too_young":  # 0, 零岁: as unlikely as 两百岁, and told the same
        return Invalid("eq.age_too_old")
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
    county = county_named(text)
    if county is None and (re.search(r"不在", text) or UNKNOWN.search(text)):
        return ""
    return county.value if county else None


def named_condition(text: str) -> Condition | None:
    """The condition `text` names; None when it names none or denies it (没有重病 must not tick 重病)."""
    negated = NEGATION.match(text)
    if fine(text):  # 腿脚还利索: named to say it is fine
        return None
    for condition, words in CONDITION_WORDS.items():
        for word in words:
            at = text.find(word)
            if at == 0 or (at > 0 and not negated):
                return condition
    return None


def read_conditions(turn: Turn, draft, text: str) -> list[str] | str | Ticked | Invalid | None:
    """The conditions named (each ticked, several in one message), 低保 noted apart, or 好了.
    Lying in bed ticks 行动不便 and asks whether it is 失能 too; words 3号 names under no condition
    (老年痴呆) tick nothing and ask which it is (handlers/condition_words.py)."""
    text = plain(text)
    parts = [part for part in CLAUSES.split(text) if part]
    named = [c.value for c in (named_condition(part) for part in parts) if c]
    if any(w in text for w in DIBAO_WORDS) and not NEGATION.match(text):
        named.append(DIBAO)
    unclear = next((w for part in parts if not NEGATION.match(part) and (w := unclear_word(part))), None)
    if named:
        named = list(dict.fromkeys(named))
        if unclear:
            return Ticked(named, "eq.cond_unclear", {"said": unclear})
        said_disabled = any(w in text for w in DISABLED_WORDS + SEMI_DISABLED_WORDS)
        if any(bedridden(part) for part in parts) and not said_disabled:
            return Ticked(named, "eq.cond_bedridden")
        return named
    if unclear:
        return Invalid("eq.cond_unclear", {"said": unclear})
    if NEGATION.match(text):
        return DONE
    return DONE if any(w in text for w in DONE_WORDS) else None


def read_will(turn: Turn, draft, text: str) -> str | None:
    return first_match(text, (UNKNOWN.pattern, "unknown"), *WILL_WORDS)
