"""Typed answers: which of the options on screen a person meant by what they typed.

Pure functions. Both the typed text and every label and alias are normalised the same way
(NFKC, traditional → simplified, no spaces or punctuation, no trailing 吧/呢/啊…), then an
exact match wins; failing that, a prefix of exactly one option ("龙游" → 龙游县).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache

from common.messages import Option
from faq.normalize import to_simplified
from handlers.parse import option_numbers

# Words that pick the confirming option (确认预约, 看结果, 确定取消, 同意) when one is on screen.
# 对的 and 没错 say yes to a review as well ("对的" is compared as 对, the 的 dropped).
CONFIRM_WORDS = ("确定", "确认", "好的", "没问题", "可以", "行", "对的", "没错")
# 返回 inside a form is one step back (上一步 is on screen there); elsewhere it brings the menu.
BACK_WORDS = ("返回上一步", "回上一步", "上一步", "返回")
# Words that pick a "不清楚"-type option when one is on screen.
UNKNOWN_WORDS = ("不晓得", "不知道", "不清楚", "不记得", "不太清楚")

_PARTICLES = "吧呢啊呀的了哦嘛啦"
_NOT_WORD = re.compile(r"[\W_]+")
_THEN_DONE = re.compile(r"(.+?)[\s，,、。；;]*(好了)[。！!]?")
DATE_FORMS = ("{m}月{d}日", "{m}月{d}号", "{d}日", "{d}号")
WEEK_WORDS = ("周", "星期", "礼拜")
WEEKDAY_WORDS = ("一", "二", "三", "四", "五", "六", "日天")
NEXT_WORD = "下"
RELATIVE_DAY_WORDS = {1: ("明天",), 2: ("后天",)}
# How people lead into what they want: "我想查资格", "帮我问律师", "请帮我预约上门".
_INTENT = re.compile(r"^(请|麻烦)?((你|您)?(帮|给)我)?我?(想要|想|要|需要)?(再)?")
_MIN_PREFIX = 2  # one character ("上") is too little to guess from


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """The form in which typed text and labels are compared ("我想查资格" is compared as 查资格).
    Cached: every typed turn compares with the same labels and words (the menu's, the options on
    screen), and each costs a conversion."""
    text = to_simplified(unicodedata.normalize("NFKC", text)).casefold()
    text = _NOT_WORD.sub("", text)
    stripped = _INTENT.sub("", text.rstrip(_PARTICLES))
    return stripped or text


def date_aliases(day: date, today: date) -> tuple[str, ...]:
    """What people call a date near `today`: 12月1日, 1号, 周二, 星期二, 礼拜二, 下周二, 明天."""
    names = [form.format(m=day.month, d=day.day) for form in DATE_FORMS]
    ahead = (day - today).days
    weekdays = WEEKDAY_WORDS[day.weekday()]
    if 0 < ahead <= 7:
        names += [prefix + w for prefix in WEEK_WORDS for w in weekdays]
    if day.isocalendar()[:2] == (today + timedelta(days=7)).isocalendar()[:2]:
        names += [NEXT_WORD + prefix + w for prefix in WEEK_WORDS for w in weekdays]
    names += RELATIVE_DAY_WORDS.get(ahead, ())
    return tuple(names)


def _keys(option: Option) -> set[str]:
    return {normalise(word) for word in (option.label, *option.aliases)} - {""}


def pick(text: str, options: Sequence[Option], *, numbered: bool = False, multi: bool = False) -> list[Option]:
    """The options `text` picks: one, several (on a multi-select question), or none."""
    # Where options are numbered, 二, 两, 选2 and 第二个 pick the second, and 1、3 or 一三 the first and
    # third of several; a number that is no option's (七十五 at the age question, 13812345678) picks
    # none, and the flow reads it as an answer.
    if not options:
        return []
    if numbered and multi and (then := _THEN_DONE.fullmatch(text.strip())):
        # 4、5好了 is three taps in one message: 4, 5, then 好了 (its option's label, typed).
        ticked, done = pick(then.group(1), options, numbered=True, multi=True), pick(then.group(2), options)
        if ticked and done and done[0] not in ticked:
            return [*ticked, *done]
    numbers = option_numbers(text) if numbered else None
    if numbers and (len(numbers) == 1 or multi) and all(1 <= n <= len(options) for n in numbers):
        return [options[n - 1] for n in dict.fromkeys(numbers)]
    key = normalise(text)
    if not key:
        return []
    exact = _unique([o for o in options if key in _keys(o)])
    if exact is not None or any(key in _keys(o) for o in options):
        return [exact] if exact else []
    if len(key) >= _MIN_PREFIX:
        prefixed = _unique([o for o in options if any(k.startswith(key) for k in _keys(o))])
        if prefixed is not None:
            return [prefixed]
    return []


def _unique(found: list[Option]) -> Option | None:
    """The one option found (the same button shown twice counts once), or None."""
    payloads = {o.payload for o in found}
    return found[0] if len(payloads) == 1 else None
