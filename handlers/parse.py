"""Read what people type where a flow expects an age, a birth date, a phone number.

Pure functions: text in, a small result out; the flows decide what to say.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from common.pinyin import char_pinyin
from faq.normalize import numerals_to_digits, to_simplified
from policy.age import MAX_AGE, AgeError, age_on, check_age
from policy.eligibility import County


@dataclass(frozen=True)
class AgeAnswer:
    """Exactly one of: an age; a full birth date; a birth year (birthday unknown); a 2-digit year."""

    age: int | None = None
    birth: date | None = None
    year: int | None = None
    short_year: int | None = None  # "48年": 1948? ask before assuming
    error: str | None = None  # "future" | "too_old" | "too_young" | "unreadable"


# The person asked about is an older person: an age under 18 typed (0, 零岁, 12) is a slip, a date
# or a digit meant for something else, never the applicant's age.
MIN_TYPED_AGE = 18
_DECADE = re.compile(r"(?<!\d)([1-9])旬")  # 七旬 is 70 (八旬 80), not 7


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = numerals_to_digits(to_simplified(text)).replace(" ", "")
    return _DECADE.sub(lambda m: m.group(1) + "0", text)


_FULL_DATE = re.compile(r"(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})")
_YEAR = re.compile(r"(?<!\d)(\d{4})年?(?:出生|生|的)?")
_SHORT_YEAR = re.compile(r"(?<!\d)(\d{2})年")
_MINGUO_YEAR = re.compile(r"民国(\d{1,2})年")  # 民国32年 is 1943 (民国元年 1912), not 1932
NOMINAL_AGE_WORD = "虚岁"  # counts from 1 at birth: not the 周岁 the rules use (asked back as a birth year)
_AGE = re.compile(r"(?<!\d)(\d{1,3})(?:周岁|岁|虚岁|了|多)?")
_AGE_WITH_UNIT = re.compile(r"(?<!\d)(\d{1,3})(?:周岁|岁)")


# "不到80", "快80了", "差两年70": a bound, not an age. Guessing would hand out 80+ benefits.
_BELOW = re.compile(r"不到|没到|未满|不满|快|差|小于|不足|将近|接近")
_NOT_AN_AGE = re.compile(_BELOW.pattern + r"|左右|上下")
_CLAUSE = re.compile(r"[，,、；;。!！?？~～]+")
# A day (十二月一号, 下周二, 明天) is not an age: 12 or 2 read from it would pass for one.
_DAY_WORDS = re.compile(r"月|号|日|星期|礼拜|天|周(?!岁)")


def parse_age_answer(text: str, today: date) -> AgeAnswer:
    """75 / 七十五 / 七旬 / 75岁 / 1948年出生 / 1948-03-02 / 48年 → an AgeAnswer."""
    # A bound (快80了) is read only beside an exact answer it agrees with: "79，快80了" is 79.
    clauses = [c for c in _CLAUSE.split(_clean(text)) if c]
    bounds = [c for c in clauses if _NOT_AN_AGE.search(c)]
    exact = "，".join(c for c in clauses if not _NOT_AN_AGE.search(c))
    if not bounds:
        return _read_age(exact, today)
    answer = _read_age(exact, today) if exact else AgeAnswer(error="unreadable")
    if answer.age is not None and not all(_agrees(answer.age, b) for b in bounds):
        return AgeAnswer(error="unreadable")
    return answer


def _agrees(age: int, bound: str) -> bool:
    """Whether `age` fits the bound: 快80了 → under 80; 80左右 → within a few years of 80."""
    if not (m := re.search(r"\d+", bound)):
        return True
    limit = int(m.group())
    return age < limit if _BELOW.search(bound) else abs(age - limit) <= 5


def _read_age(t: str, today: date) -> AgeAnswer:
    if m := _FULL_DATE.search(t):
        try:
            birth = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return AgeAnswer(age=age_on(birth, today), birth=birth)
        except AgeError as exc:
            return AgeAnswer(error="future" if "after" in str(exc) else "too_old")
        except ValueError:
            return AgeAnswer(error="unreadable")
    if (m := _MINGUO_YEAR.search(t)) or (m := _YEAR.search(t)):
        year = int(m.group(1)) + (1911 if m.re is _MINGUO_YEAR else 0)
        if year > today.year:
            return AgeAnswer(error="future")
        if today.year - year > MAX_AGE + 1:
            return AgeAnswer(error="too_old")
        return AgeAnswer(year=year)
    if m := _SHORT_YEAR.search(t):
        return AgeAnswer(short_year=int(m.group(1)))
    m = _AGE_WITH_UNIT.search(t)  # "75岁，3月的生日": the 岁 says which number is the age
    if m is None and _DAY_WORDS.search(t.replace("生日", "").replace("今天", "")):  # 他今天82了 is an age
        return AgeAnswer(error="unreadable")
    if m := m or _AGE.search(t):
        try:
            age = check_age(int(m.group(1)))
        except AgeError:
            return AgeAnswer(error="too_old" if int(m.group(1)) > MAX_AGE else "unreadable")
        return AgeAnswer(age=age) if age >= MIN_TYPED_AGE else AgeAnswer(error="too_young")
    return AgeAnswer(error="unreadable")


def ages_for_year(year: int, today: date) -> tuple[int, int]:
    """Born in `year`, birthday not known: (age if not yet had this year, age if had)."""
    return today.year - year - 1, today.year - year


def expand_short_year(short: int, today: date) -> int:
    """48 → 1948 (the most recent such year that leaves a plausible older person)."""
    century = today.year - today.year % 100
    year = century + short
    return year - 100 if year > today.year else year


def plain(text: str) -> str:
    """Typed text as the answer readers compare it: simplified characters, no outer spaces."""
    return to_simplified(text).strip()


def first_match(text: str, *rules: tuple[str, str]) -> str | None:
    """The value of the first (pattern, value) rule whose pattern occurs in `text`, or None."""
    typed = plain(text)
    return next((value for pattern, value in rules if re.search(pattern, typed)), None)


_MONTH_DAY = re.compile(r"(\d{1,2})(?:月|\.|/|-)(\d{1,2})(?:日|号)?")
_DAY_ONLY = re.compile(r"(?<![\d月])(\d{1,2})(?:日|号)")
_WEEKDAY = re.compile(r"(下下个?|下个?)?(?:周|星期|礼拜)([一二三四五六日天1-7])")
_RELATIVE = {"今天": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}
_WEEKDAY_INDEX = {**{c: i for i, c in enumerate("一二三四五六")}, "日": 6, "天": 6,
                  **{str(n): n - 1 for n in range(1, 8)}}


# A part of a message that rules its day out: 周一不行，周二上午能来吗 asks for Tuesday.
_DAY_CLAUSE = re.compile(r"[，,。；;！!？?、\s]+|但是|不过|可是")
_RULED_OUT = re.compile(r"不行|不可以|不方便|不在家|来不了|去不了|没空|没时间|有事|不能来|别来|除了")


def parse_day(text: str, today: date) -> date | None:
    """明天 / 12月10日 / 10号 / 周二 / 下周二 / 12.10 → the date meant (the next one from `today`), or None.
    A day in a part of the message that rules it out (周一不行) is not the day meant.
    """
    parts = [p for p in _DAY_CLAUSE.split(text) if p]
    if any(_RULED_OUT.search(p) for p in parts):
        kept = [p for p in parts if not _RULED_OUT.search(p)]
        return _one_day("，".join(kept), today) if kept else None
    return _one_day(text, today)


def _one_day(text: str, today: date) -> date | None:
    t = _clean(text).replace("星期天", "星期日")
    for word in sorted(_RELATIVE, key=len, reverse=True):
        if word in t:
            return today + timedelta(days=_RELATIVE[word])
    if m := _MONTH_DAY.search(t):
        return _next_date(today, int(m.group(1)), int(m.group(2)))
    if m := _DAY_ONLY.search(t):
        day = int(m.group(1))
        month = today.month if day >= today.day else today.month % 12 + 1
        return _next_date(today, month, day)
    if m := _WEEKDAY.search(t):
        ahead = (_WEEKDAY_INDEX[m.group(2)] - today.weekday()) % 7 or 7
        if m.group(1):  # 下周二: the Tuesday of next week; 下下周二: of the week after
            weeks = 2 if m.group(1).startswith("下下") else 1
            monday = today - timedelta(days=today.weekday()) + timedelta(days=7 * weeks)
            return monday + timedelta(days=_WEEKDAY_INDEX[m.group(2)])
        return today + timedelta(days=ahead)
    return None


def _next_date(today: date, month: int, day: int) -> date | None:
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate >= today:
            return candidate
    return None


def _sounds(text: str) -> list[str]:
    return [char_pinyin(c) for c in text]


def county_named(text: str) -> County | None:
    """The county `text` names by its first two characters, or failing that by their sound
    (柯成区 → 柯城区, as the policy questions hear homophones)."""
    text = plain(text)
    found = next((c for c in County if c.value[:2] in text), None)
    if found is not None:
        return found
    heard = _sounds(text)
    pairs = {tuple(heard[i:i + 2]) for i in range(len(heard) - 1)}
    return next((c for c in County if tuple(_sounds(c.value[:2])) in pairs), None)


# Option numbers typed as words: 二, 两, 贰 (voice-to-text writes 二), 选2, 第二个, and several at
# once on a multi-select question (1、3, 1和3, 一三). A day (二号) or a sum is not one.
_FORMAL_NUMERALS = str.maketrans("壹贰叁肆伍陆柒捌玖拾两俩", "一二三四五六七八九十二二")
_OPTION_LEAD = re.compile(r"^(?:我|就)?(?:选择|选|要|点|按|回复|回)?")
_OPTION_TRAIL = re.compile(r"[。.!！~～吧呢啊呀哦嘛啦的]+$")
_OPTION_SEP = re.compile(r"[\s、，,；;+]+|和|跟|与|及|还有")  # not / or . : 12/3 and 1.3 are days
TEN = "十"
_DIGIT_OF = {c: n for n, c in enumerate("一二三四五六七八九", 1)}
_TENS = re.compile(r"([一二三四五六七八九])?十([一二三四五六七八九])?")
_OPTION_TOKEN = re.compile(r"(第)?([0-9]+|[一二三四五六七八九十]+)(?(1)(?:个|项|条)?)")


def option_numbers(text: str) -> list[int] | None:
    """The option numbers `text` types, or None when it is not only numbers."""
    # 二 → [2], 第2个 → [2], 一三 → [1, 3], 1和3 → [1, 3]; 十二 is 12, and digits together ("13") one number.
    t = to_simplified(unicodedata.normalize("NFKC", text)).strip().translate(_FORMAL_NUMERALS)
    t = _OPTION_TRAIL.sub("", t)
    t = _OPTION_LEAD.sub("", t, count=1).strip()
    tokens = [token for token in _OPTION_SEP.split(t) if token]
    if not tokens:
        return None
    numbers: list[int] = []
    for token in tokens:
        m = _OPTION_TOKEN.fullmatch(token)
        if m is None:
            return None
        word = m.group(2)
        if word.isdigit():
            numbers.append(int(word))
        elif m := _TENS.fullmatch(word):  # 十二 is 12, 二十一 21
            numbers.append(_DIGIT_OF.get(m.group(1), 1) * 10 + _DIGIT_OF.get(m.group(2), 0))
        elif TEN in word:  # 一二三十
            return None
        else:  # 一三: each numeral is an option
            numbers.extend(_DIGIT_OF[c] for c in word)
    return numbers
