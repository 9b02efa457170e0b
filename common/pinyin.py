"""Toneless pinyin of one Chinese character, from pypinyin's single-character dictionary only.

Importing pypinyin loads its phrase dictionary too (about 55 MB of resident memory); the matcher
only ever asks for one character at a time, the first reading, without tones. So this reads
pypinyin's pinyin_dict.json (its data file, found without importing the package) once, on first use, into one
interned syllable per code point of the CJK block. tests/faq/test_pinyin.py checks that it gives
what pypinyin's own `pinyin(char, style=Style.NORMAL)` gives for every character of the block.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import unicodedata
from functools import cache
from pathlib import Path

FIRST, LAST = 0x4E00, 0x9FFF
# An entry whose code is 19960-40999 (the block, 19968-40959, and a few around it) and its first
# reading: the regular expression skips the other 20,000 entries without a line of Python each.
_BLOCK_ENTRY = re.compile(r'"((?:199[6-9]|[23]\d\d\d|40\d\d)\d)":\s*"([^",]+)')


def _plain(letter: str) -> str:
    """ǚ → v, ü → v, ā → a, ń → n: as pypinyin's Style.NORMAL writes a letter."""
    decomposed = unicodedata.normalize("NFD", letter)
    if "\u0308" in decomposed:  # the diaeresis of ü
        return "v"
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _untoned(syllable: str) -> str:
    return "".join(c if c.isascii() else _plain(c) for c in syllable)


def _dictionary_file() -> Path:
    spec = importlib.util.find_spec("pypinyin")  # locates the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pypinyin is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json"


@cache
def _table() -> tuple[str, ...]:
    """Built on first use: CLI commands that never match a question never pay for it.

    One pass over the text, each of the 1,400 distinct readings untoned once: 25 ms, against 50–60 ms
    for untoning every entry, and 1 MB of resident memory where json.loads of the file leaves 7 MB.
    """
    text = _dictionary_file().read_text(encoding="utf-8")
    table = [""] * (LAST - FIRST + 1)
    untoned: dict[str, str] = {}
    for found in _BLOCK_ENTRY.finditer(text):
        code, toned = found.groups()
        index = int(code) - FIRST
        if 0 <= index <= LAST - FIRST:
            syllable = untoned.get(toned)
            if syllable is None:
                syllable = untoned[toned] = sys.intern(_untoned(toned))
            table[index] = syllable
    return tuple(table)


def char_pinyin(char: str) -> str:
    """The first reading of a CJK character without tones; any other character as it is."""
    code = ord(char)
    if FIRST <= code <= LAST:
        return _table()[code - FIRST] or char
    return char


def pinyin_of(text: str) -> list[str]:
    """char_pinyin of each character of a text, the table looked up once: the matcher's build calls it
    for 33,000 characters."""
    table = _table()
    return [table[code - FIRST] or char if FIRST <= (code := ord(char)) <= LAST else char for char in text]
