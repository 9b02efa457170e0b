"""Chinese numerals in running text → digits, as `cn2an.transform(text, "cn2an")` (cn2an 0.5.24) writes them.

八十二岁 → 82岁, 一九四八年 → 1948年, 两个 → 2个 (两 alone stays: 两边), 半天 → 0.5天, 三分之一 → 1/3,
百分之五十 → 50%, 十二月五日 → 12月5日, 一万二 → 12000; what does not read as a number is left as typed.

Why not cn2an itself: importing it took 0.15–0.2 s and 4.6 MB in every process, the larger part of a
cold `legalaid ask`. Its package builds its converters at import (about 100 regular expressions, one
of them 9,600 characters that alone takes 0.1 s to compile) and its dependency `proces` compiles one of
every city name in China. Importing it lazily would not have helped: the matcher normalises the
knowledge base's phrasings at start, and they have numerals, so the cost would have stayed unless
the normalised knowledge base were cached on disk (one more thing to invalidate). So this module
takes cn2an's steps in the same order with the same patterns, and where cn2an checks a whole number
against that long expression, walks the same grammar (`_INTEGER`) instead.

tests/faq/test_numerals.py holds it to cn2an (a test dependency only): on every text of the knowledge
base, the development set, the catalog and the tests, and on generated text. One difference, by
design: the input is simplified Chinese (normalize and handlers.parse convert it first), so cn2an's
traditional numerals (貳 參 萬 億) are not read here; after conversion they are 贰 参 万 亿.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "幺": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
    "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}
UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "万": 10_000, "亿": 100_000_000}
_LOW = "零一二三四五六七八九"
_LOW_UNITS = ["", "十", "百", "千", "万", "十", "百", "千", "亿", "十", "百", "千", "万", "十", "百", "千"]
_TENTH = {100: "十", 1000: "百", 10_000: "千"}

_N, _U = "".join(DIGITS), "".join(UNITS)
_CN = f"负?(?:[{_N}{_U}]+点)?[{_N}{_U}]+"  # a number in Chinese, as cn2an's transform finds one
_SMART = rf"-?(?:[0-9]+\.)?[0-9]+[{_U}]+"  # 3万, 1.5千 (only before 年, as in cn2an)
_MEASURE = re.compile(
    "斤|克|千克|公斤|吨|米|厘米|毫米|公里|升|毫升|元|角|分|个|只|条|张|块|瓶|杯|份|本|辆|台|匹|头|位|亩|小时|分钟|秒|天|半"
)
_HALF = re.compile(f"半(?={_MEASURE.pattern})")
_DATE = re.compile(rf"(?:(?:{_SMART}|{_CN})年)?(?:[{_N}{_U}]+月)?(?:[{_N}{_U}]+日)?")
_YEAR_OR_NUMBER = re.compile(f"{_SMART}|{_CN}")
_FRACTION = re.compile(f"{_CN}分之{_CN}")
_PERCENT = re.compile(f"百分之{_CN}")
_PERCENT_NUMBER = re.compile(f"(?<=百分之){_CN}")
_CELSIUS = re.compile(f"(?:零下)?{_CN}摄氏度")
_NUMBER = re.compile(_CN)
_UPPER = "壹贰叁肆伍陆柒捌玖"  # one of these alone is a character, not a number, unless a measure follows

_DIGITS_WITH_UNIT = re.compile(rf"-?\d+(?:\.\d+)?[{_U}]?")
_ALL_DIGITS = re.compile(f"[{_N}]+")
_DECIMALS = re.compile(f"[{_N}仨]{{0,16}}")
_SPOKEN = re.compile(f"(?:[{_N}]{{0,2}}([{_U}]))+[{_N}]")  # 一万二, 三百四: the last unit's tenth is implied
# Zeros people leave out (一万二十 is 一万零二十), as cn2an puts them back before checking the grammar.
_ZERO_BEFORE_THOUSAND = re.compile(f"(万)零(?=[{_N}][千仟])")
_BIG_UNIT_MISSING_ZERO = re.compile(f"([万亿])([{_N}][十拾百佰])")
_THOUSAND_MISSING_ZERO = re.compile(f"([千仟])([{_N}]?[十拾])")
_HUNDRED_MISSING_ONE = re.compile("([百佰])([十拾])")


def to_digits(text: str) -> str:
    """Every Chinese numeral in `text` written in digits, as cn2an's transform does."""
    text = _HALF.sub("0.5", text.replace("廿", "二十"))
    text = _DATE.sub(lambda m: _kept_if_unread(m.group(), _date), text)
    text = _FRACTION.sub(lambda m: _kept_if_unread(m.group(), _fraction), text)
    text = _PERCENT.sub(lambda m: _kept_if_unread(m.group(), _percent), text)
    text = _CELSIUS.sub(lambda m: _kept_if_unread(m.group(), _celsius), text)
    return _NUMBER.sub(_number, text)


def _kept_if_unread(found: str, convert: Callable[[str], str]) -> str:
    try:
        return convert(found) if found else found
    except (ValueError, KeyError, IndexError):
        return found


def _as_text(found: re.Match[str]) -> str:
    return str(_value(found.group()))


def _date(found: str) -> str:
    return _YEAR_OR_NUMBER.sub(_as_text, found)


def _fraction(found: str) -> str:
    if found[0] == "百":  # 百分之: a percentage, read next
        return found
    numerator, denominator = _NUMBER.sub(_as_text, found).split("分之")
    return f"{denominator}/{numerator}"


def _percent(found: str) -> str:
    return _PERCENT_NUMBER.sub(_as_text, found).replace("百分之", "") + "%"


def _celsius(found: str) -> str:
    below = found.startswith("零下")
    return f"{'-' if below else ''}{_value(found[2:-3] if below else found[:-3])}℃"


def _number(found: re.Match[str]) -> str:
    text = found.group()
    alone = text == "两" or (len(text) == 1 and text in _UPPER)
    if alone and not _MEASURE.match(found.string, found.end()):
        return text  # 两边, 伍 as a surname
    return _kept_if_unread(text, lambda t: str(_value(t)))


def _value(text: str) -> int | float:
    """A number written in Chinese (digits may stand for some of it), or ValueError/KeyError."""
    text = text.replace("零十", "零一十").replace("零百", "零一百")
    sign = 1
    if text[0] == "负":
        sign, text = -1, text[1:]
        if not text:
            raise ValueError("负 alone")
    decimals: str | None = None
    if "点" in text:
        whole, _, decimals = text.partition("点")
        if "点" in decimals:
            raise ValueError("more than one 点")
        whole = re.sub(r"\d+", lambda m: _spoken_digits(m.group()), whole)
        decimals = re.sub(r"\d+", lambda m: _read_out(m.group()), decimals)
    else:
        if _DIGITS_WITH_UNIT.fullmatch(text):
            if text[-1] in UNITS:
                return int(Decimal(text[:-1]) * UNITS[text[-1]])
            return float(text)
        whole = re.sub(r"\d+", lambda m: _leading_zero_read_out(m.group()), text)
    whole = _with_zeros_restored(whole)
    if decimals is not None and not _DECIMALS.fullmatch(decimals):
        raise ValueError("not decimals")
    if _is_integer(whole):
        value: int | float = _integer(whole)
    elif _ALL_DIGITS.fullmatch(whole):
        value = _read_digit_by_digit(whole)  # 一九四八
    elif len(whole) >= 3 and (spoken := _SPOKEN.fullmatch(whole)):
        value = _integer(whole + _TENTH[UNITS[spoken.group(1)]])  # KeyError after 十 or 亿, as in cn2an
    else:
        raise ValueError("not a number")
    if decimals is not None:
        value = round(value + _fraction_part(decimals), len(decimals))
    return sign * value


def _with_zeros_restored(text: str) -> str:
    text = _ZERO_BEFORE_THOUSAND.sub(r"\1", text)
    text = _BIG_UNIT_MISSING_ZERO.sub(r"\1零\2", text)
    text = _THOUSAND_MISSING_ZERO.sub(r"\1零\2", text)
    text = _HUNDRED_MISSING_ONE.sub(r"\1一\2", text)
    return text.replace("零十", "零一十").replace("零拾", "零一拾")


def _integer(text: str) -> int:
    """Read from the right: a digit times the unit before it, 万 and 亿 scaling what follows."""
    total, unit, big = 0, 1, 1
    for position, char in enumerate(reversed(text)):
        if char in DIGITS:
            total += DIGITS[char] * unit
            continue
        unit = UNITS[char]
        if unit % 10_000 == 0:
            if unit > big:
                big = unit
            else:  # 万亿
                big = unit = unit * big
        if unit < big:
            unit *= big
        if position == len(text) - 1:  # 十二: a leading unit counts once
            total += unit
    return int(total)


def _read_digit_by_digit(text: str) -> int:
    return int("".join(str(DIGITS[c]) for c in text))


def _fraction_part(text: str) -> float:
    part = 0
    for index in range(len(text) - 1, -1, -1):
        part += DIGITS[text[index]] * 10 ** -(index + 1)
    return round(part, len(text))


def _read_out(digits: str) -> str:
    return "".join(_LOW[int(d)] for d in digits)


def _leading_zero_read_out(digits: str) -> str:
    return _read_out(digits) if len(digits) > 1 and digits[0] == "0" else _spoken_digits(digits)


def _spoken_digits(digits: str) -> str:
    """An integer in digits as one says it (cn2an's an2cn): 12348 → 一万二千三百四十八."""
    digits = str(int(digits))
    if len(digits) > len(_LOW_UNITS):
        raise ValueError("too long")
    said = ""
    for i, d in enumerate(digits):
        place = len(digits) - i - 1
        if int(d):
            said += _LOW[int(d)] + _LOW_UNITS[place]
        else:
            if not place % 4:
                said += _LOW[0] + _LOW_UNITS[place]
            if i > 0 and said[-1] != "零":
                said += _LOW[0]
    said = said.replace("零零", "零").replace("零万", "万").replace("零亿", "亿").replace("亿万", "亿").strip("零")
    said = re.sub("([万亿])零([一二三四五六七八九][千])", r"\1\2", said)
    if said[:2] == "一十":
        said = said[1:]
    return said or "零"


# cn2an's grammar of a whole number (its 9,600-character expression), over classes of characters:
# D a digit 1-9, Z zero, T 十, H 百, K 千, W 万, Y 亿. 1,700 characters: 6 ms to compile, not 95.
_CLASSES = {
    **dict.fromkeys("一壹幺二贰两三叁仨四肆五伍六陆七柒八捌九玖", "D"), **dict.fromkeys("零〇", "Z"),
    **dict.fromkeys("十拾", "T"), **dict.fromkeys("百佰", "H"), **dict.fromkeys("千仟", "K"), "万": "W", "亿": "Y",
}
_TO_99 = "(?:D?TD?|D)"
_HUNDREDS = "(?:DH(?:ZD)?|DHDTD?)"
_TO_999 = f"(?:{_HUNDREDS}|{_TO_99})"
_THOUSANDS = f"(?:DK(?:Z{_TO_99})?|DK{_HUNDREDS})"
_TO_9999 = f"(?:{_THOUSANDS}|{_TO_999})"
_TEN_THOUSANDS = f"(?:{_TO_9999}W(?:Z{_TO_999})?|{_TO_9999}W{_THOUSANDS})"
_BELOW_YI = f"(?:{_TEN_THOUSANDS}|{_TO_9999})"
_INTEGER = re.compile(f"Z|{_BELOW_YI}Y(?:Z{_BELOW_YI})?|{_BELOW_YI}Y{_TEN_THOUSANDS}|{_BELOW_YI}")


def _is_integer(text: str) -> bool:
    return _INTEGER.fullmatch("".join(_CLASSES.get(c, "?") for c in text)) is not None
