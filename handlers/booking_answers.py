"""Read what people type at the booking's questions: text in, the answer or an Invalid out."""

from __future__ import annotations

import re
import unicodedata

from handlers import choice
from handlers.condition_words import (
    DISABLED_WORDS,
    FINE,
    MOBILITY_WORDS,
    SEMI_DISABLED_WORDS,
    SERIOUS_ILLNESS_WORDS,
    pattern,
)
from handlers.form import DONE, Invalid
from handlers.parse import NOMINAL_AGE_WORD, county_named, first_match, parse_age_answer, plain
from handlers.turn import Turn
from policy.age import OLDER_PERSON_AGE

ACCESS_NEEDS = ("stairs", "hearing", "dialect")
# A mobile, or a landline with its area code (0570-8012345 in Quzhou), stored as 0570-8012345.
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-[2-9]\d{6,7})$")
_LANDLINE = re.compile(r"^(0(?:1\d|2\d|[3-9]\d{2}))-?([2-9]\d{6,7})$")  # 010, 02x: 3 digits; else 4
_NAME = re.compile(r"^[\u4e00-\u9fffA-Za-z·•. ]{1,20}$")
YES = re.compile(r"^(是|对|有|满了|嗯|是的|有的|同意)")
# A bare no: the whole answer is a negation. "不会走路" starts with 不 but names a difficulty, so a
# 不 followed by other words is read by the question's own words or asked again, never taken as no.
NO = re.compile(r"^(不是|没有|没|否|不|不对|无|不同意|没有了)(的|啊|呀|哦|吧|呢)?$")
NOT_YET = re.compile(r"^(不到|没到|不满|没满|未满|还差|差|还没)")
UNSURE = re.compile(r"不清楚|不知道|不晓得|不记得|说不好|说不清|不一定|不确定")
# 出门有困难吗: the answer names the difficulty (often with a 不 in it) or says there is none. The
# words of 3号's conditions are those 查资格 reads (handlers/condition_words.py); the rest answer this question.
DIFFICULTY = re.compile("|".join((
    pattern(*MOBILITY_WORDS, *DISABLED_WORDS, *SEMI_DISABLED_WORDS),
    r"不便|不[太大]?方便|不好走|走路难|腿脚?不好|腿脚不行|困难|拐|躺在床",
)))
NO_DIFFICULTY = re.compile(r"没有?(什么)?困难|不困难|(?<!不)能走|(?<!不)走得动|(?<!不)(?<!不太)(?<!不大)方便|出得了门|(?<!不)能出门|"
                           + FINE.pattern)
# 患有重病吗: the illness named, or denied.
ILLNESS = re.compile(pattern(*SERIOUS_ILLNESS_WORDS) + r"|晚期|住院|病危")
NO_ILLNESS = re.compile(r"^(没|没有|无|不是)|没有?(什么)?(重)?病|身体(还|挺|很)?好|不严重|不重")
OWNER_WORDS = ((r"本人|自己|老人", "self"), (r"家|儿|女|孙|子|媳|婿", "family"))
# The whole answer, not a part of it: "住二楼，没有电梯" is a note, not 没有.
_DONE = re.compile(r"^(好了?|好的|没有了?|都没有|没了|不用了?|就这些|就这样|完了|说完了|行了|可以了|没别的了?)$")
# Words that answer the screen, never the content of a name, a place or the matter.
CONTROL = re.compile(r"^(好了?|好的|是|是的|对|嗯|不是|没有了?|没了|可以|行|行了|可以了|确定|确认|完了|说完了|就这些)$")


# A phone number is said digit by digit (一三九…, 幺 for 1, 两 for 2), never as a number.
_SPOKEN_DIGITS = str.maketrans("零〇○幺一壹两二贰三叁四肆五伍六陆七柒八捌九玖", "00011122233445566778899")
# A number inside a sentence ("我女儿电话13957012345"): one mobile or landline, no digits around it.
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d{9}|0(?:1\d|2\d|[3-9]\d{2})-?[2-9]\d{6,7})(?!\d)")
_AROUND_PHONE = re.compile(r"[\u4e00-\u9fff，,。.:：!！]*")  # words only: 我女儿电话…


def normalise_phone(text: str) -> str | None:
    digits = re.sub(r"[\s\-()（）—]", "", unicodedata.normalize("NFKC", text).translate(_SPOKEN_DIGITS))
    digits = re.sub(r"^(\+?86)", "", digits)
    if landline := _LANDLINE.match(digits):
        return f"{landline.group(1)}-{landline.group(2)}"
    if PHONE.match(digits):
        return digits
    found = list(_PHONE_IN_TEXT.finditer(digits))
    if len(found) != 1 or not _AROUND_PHONE.fullmatch(digits[:found[0].start()] + digits[found[0].end():]):
        return None  # two numbers, or digits or letters beside the number: not guessed at
    return normalise_phone(found[0].group())


def bare_yes_no(text: str) -> str | None:
    """是 / 不是 and their kin; anything unsure or longer is not read as either."""
    if UNSURE.search(text):
        return None
    if NO.match(text):
        return "no"
    return "yes" if YES.match(text) else None


def read_yes_no(turn: Turn, draft, text: str) -> str | None:
    return bare_yes_no(plain(text))


def answer_naming(named: re.Pattern[str], denied: re.Pattern[str]):
    """A reader for a question about a difficulty: words that deny it mean no, words that name it
    (negated or not: 不会走路) mean yes, a bare 是 / 不是 as usual; anything else is asked again."""

    def read(turn: Turn, draft, text: str) -> str | None:
        text = plain(text)
        if UNSURE.search(text):
            return None
        if denied.search(text):
            return "no"
        return "yes" if named.search(text) else bare_yes_no(text)

    return read


read_illness = answer_naming(ILLNESS, NO_ILLNESS)
read_mobility = answer_naming(DIFFICULTY, NO_DIFFICULTY)


def read_quick_check(turn: Turn, draft, text: str) -> str | Invalid | None:
    """满80周岁了吗: 是 / 不是, or the age itself (85, 八十二, 1940年); 不到80 is a no."""
    # A day typed here (十二月一号, 下周二) is not an age; an age under 60 is asked again, not taken as a no.
    if NOT_YET.match(plain(text)):
        return "no"
    parsed = parse_age_answer(text, turn.now.date())
    if NOMINAL_AGE_WORD in plain(text) and parsed.year is None:  # 虚岁八十 may be 78 周岁: as 查资格 does
        return Invalid("eq.age_nominal")
    if parsed.age is not None and parsed.age < OLDER_PERSON_AGE:
        return Invalid("book.invalid.check_age_young", {"age": parsed.age})
    if parsed.age is not None:
        return "yes" if parsed.age >= 80 else "no"
    if parsed.error == "too_young":
        return Invalid("book.invalid.check_age")
    if parsed.year is not None:
        return "yes" if turn.now.year - parsed.year - 1 >= 80 else "no"
    return read_yes_no(turn, draft, text)


def read_county(turn: Turn, draft, text: str) -> str | None:
    county = county_named(text)
    return county.value if county else None


def content(text: str) -> str | None:
    """Typed content, or None when it is a word that answers the screen (好了, 不知道)."""
    text = plain(text)
    key = choice.normalise(text)
    return None if CONTROL.match(key) or UNSURE.fullmatch(key) else text


def read_name(turn: Turn, draft, text: str) -> str | None:
    text = content(text)
    return text if text and _NAME.match(text) else None


def read_phone(turn: Turn, draft, text: str) -> str | None:
    return normalise_phone(text)


def read_owner(turn: Turn, draft, text: str) -> str | None:
    return first_match(text, *OWNER_WORDS)


def read_place(turn: Turn, draft, text: str) -> str | None:
    text = content(text)
    return text if text and 2 <= len(text) <= 60 else None


def read_access(turn: Turn, draft, text: str) -> str:
    """好了 / 没有 end the question; anything else is a note for the visitors, kept until 好了."""
    text = plain(text)
    return DONE if _DONE.match(choice.normalise(text)) else text[:100]


def read_matter(turn: Turn, draft, text: str) -> str | None:
    text = content(text)
    return text if text and 2 <= len(text) <= 200 else None
