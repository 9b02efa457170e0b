"""Turn what people type into a canonical form, so the matcher compares like with like.

繁體 → 简体 (opencc), full-width → half-width (NFKC), Chinese numerals → digits (faq/numerals.py,
as cn2an writes them),
punctuation, emoji and filler words out, and a synonym table for the many ways people
name the same thing (我爸 / 老头子 → 老人, 法援 → 法律援助, …).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import opencc

from common.pinyin import pinyin_of
from faq.numerals import to_digits

# Longest first is applied automatically; each maps many spellings to one.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "法律援助": ("法援", "法律救助", "法律帮扶", "法律援组", "法律援住"),
    "老人": (
        "老年人", "老人家", "老头子", "老太太", "老太婆", "老头", "老伴", "长辈", "老爷子",
        "我爸爸", "我妈妈", "我爸", "我妈", "我父亲", "我母亲", "父亲", "母亲", "爸爸", "妈妈",
        "老爸", "老妈", "我爷爷", "我奶奶", "爷爷", "奶奶", "外公", "外婆", "公公", "婆婆",
        "我家老人", "家里老人", "父母", "老父亲", "老母亲",
    ),
    "律师": ("大律师", "律所的人", "律师们"),
    "免费": ("不要钱", "不收钱", "不花钱", "不用钱", "不用花钱", "白给"),
    "收费": ("要钱", "花钱", "收钱", "费用", "多少钱", "交钱", "付钱", "几个钱"),
    "上门": ("到家里", "来家里", "到家", "来家", "上家里", "家里来"),
    "行动不便": ("走不动", "走不了路", "腿脚不好", "腿脚不方便", "瘫痪", "卧床", "坐轮椅", "出不了门"),
    "12348": ("一二三四八", "幺二三四八"),
    # Refusing to support, said with a modal verb in between: 不肯养 / 不愿意养 are 不养.
    "不养": ("不肯养", "不愿养", "不愿意养", "不想养"),
}

# Filler that carries no meaning for matching: politeness, particles, hesitation.
FILLERS = (
    "我想问一下", "我想问问", "想问一下", "想咨询一下", "咨询一下", "我想咨询", "请问一下", "请问",
    "麻烦问一下", "问一下", "问问", "打扰一下", "你好", "您好", "谢谢", "那个", "就是说", "这个嘛",
    "啊", "呀", "呢", "吧", "嘛", "哦", "噢", "哈", "啦", "喔", "哎", "唉", "嗯",
)

_PUNCT_OR_SYMBOL = re.compile(r"[\W_]+", re.UNICODE)


def _t2s_dictionary(name: str) -> dict[str, str]:
    """One of opencc's t2s dictionaries, read as opencc reads it (the first of several values)."""
    with open(Path(opencc.__file__).parent / "dictionary" / name, encoding="utf-8") as lines:
        return {key: value.split(" ")[0] for key, value in (line.strip().split("\t") for line in lines)}


# opencc (pure Python) builds a tree for every text: 50 ms for the knowledge base's phrasings. A
# text with none of its 277 traditional phrases converts character by character, which
# str.translate does in C; the others still go through opencc (tests/faq/test_normalize.py).
_TRADITIONAL_PHRASE = re.compile("|".join(map(re.escape, _t2s_dictionary("TSPhrases.txt"))))
_TRADITIONAL_CHARACTERS = str.maketrans({k: v for k, v in _t2s_dictionary("TSCharacters.txt").items() if k != v})


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _replacements() -> list[tuple[str, str]]:
    pairs = [(variant, canonical) for canonical, variants in SYNONYMS.items() for variant in variants]
    pairs += [(filler, "") for filler in FILLERS]
    # Longest spelling first, so "我爸爸" wins over "我爸".
    return sorted(pairs, key=lambda p: -len(p[0]))


_REPLACEMENTS = _replacements()
_REPLACE_RE = re.compile("|".join(re.escape(src) for src, _ in _REPLACEMENTS))
_REPLACE_MAP = dict(_REPLACEMENTS)


def to_simplified(text: str) -> str:
    if _TRADITIONAL_PHRASE.search(text):
        return _converter().convert(text)
    return text.translate(_TRADITIONAL_CHARACTERS)


_NUMERAL = re.compile("[零一二两三四五六七八九十百千万幺]")


def numerals_to_digits(text: str) -> str:
    """八十二 → 82 in simplified text. Only when a common numeral is there: 半天 or 〇 alone stay as typed."""
    return to_digits(text) if _NUMERAL.search(text) else text


def strip_symbols(text: str) -> str:
    """Remove punctuation, emoji and spaces (Chinese is unsegmented; spaces carry nothing)."""
    return _PUNCT_OR_SYMBOL.sub("", text)


_YEAR_IN_BRACKETS = re.compile(r"[〔\[【(（]\s*((?:19|20)\d\d)\s*[〕\]】)）]")
_AGE_IN_DECADE = re.compile(r"(?<!\d)([6-9])[1-9](?!\d)")


def age_decades(text: str) -> str:
    """73 → 70多, 86 → 80多: the rules turn on 70 and 80, so an exact age is noise to the matcher."""
    return _AGE_IN_DECADE.sub(lambda m: m.group(1) + "0多", text)


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = to_simplified(text)
    text = _YEAR_IN_BRACKETS.sub(r"\1年", text)  # 〔2020〕3号 is 2020年3号, not the number 20203
    text = strip_symbols(text)
    text = _REPLACE_RE.sub(lambda m: _REPLACE_MAP[m.group(0)], text)
    text = numerals_to_digits(text)
    return age_decades(text).replace("多多", "多")


def to_pinyin(text: str) -> list[str]:
    """Toneless syllables, one per Chinese character, other characters kept: 公正 → [gong, zheng]."""
    return pinyin_of(text)
