"""Read what people type at the 查资格 questions: text in, the answer or an Invalid out."""

from __future__ import annotations

import re

from handlers.form import DONE, Invalid
from handlers.parse import AgeAnswer, county_named, first_match, parse_age_answer, plain
from handlers.turn import Turn
from policy.eligibility import Asker, Condition

MOBILITY_WORDS = tuple("行动不便 走不动 走不了 不会走 不能走 没法走 走路不方便 走路困难 腿脚 腿不好 脚不好 轮椅 拐杖 拄拐 出不了门 出不去 不方便出门 行动困难".split())
# Several of these words start with a negation (不会走路, 不能自理): they name the condition.
CONDITION_WORDS = {
    Condition.HARDSHIP: ("特困", "五保"),  # 五保 was merged into 特困人员供养 (社会救助暂行办法, 2014)
    Condition.SEMI_DISABLED: ("半失能",),
    Condition.DISABLED: ("失能", "不能自理", "生活不能自理", "瘫痪", "卧床", "下不了床", "起不了床", "下不来床"),
    Condition.SERIOUS_ILLNESS: ("重病", "大病", "重大疾病", "癌", "肿瘤", "尿毒症", "中风", "脑梗", "白血病", "透析"),
    Condition.MOBILITY: MOBILITY_WORDS,
}
# 低保 is not 城乡特困 (3号 二 names only the latter): noted, so the result can say it must be asked.
DIBAO_WORDS = ("低保",)
DIBAO = "dibao"
CLAUSES = re.compile(r"[，,、；;。\s也还又和]+")  # "中风过，也坐轮椅": each part read on its own
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
    for condition, words in CONDITION_WORDS.items():
        for word in words:
            at = text.find(word)
            if at == 0 or (at > 0 and not negated):
                return condition
    return None


def read_conditions(turn: Turn, draft, text: str) -> list[str] | str | None:
    """The conditions named (each ticked, several in one message), 低保 noted apart, or 好了."""
    text = plain(text)
    named = [c.value for c in (named_condition(part) for part in CLAUSES.split(text)) if c]
    if any(w in text for w in DIBAO_WORDS) and not NEGATION.match(text):
        named.append(DIBAO)
    if named:
        return list(dict.fromkeys(named))
    if NEGATION.match(text):
        return DONE
    return DONE if any(w in text for w in DONE_WORDS) else None


def read_will(turn: Turn, draft, text: str) -> str | None:
    return first_match(text, (UNKNOWN.pattern, "unknown"), *WILL_WORDS)
