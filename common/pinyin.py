"""Toneless pinyin of one Chinese character, from pypinyin's single-character dictionary only.

Importing pypinyin loads its phrase dictionary too (about 55 MB of resident memory); the matcher
only ever asks for one character at a time, the first reading, without tones. So this reads
pypinyin's pinyin_dict.json (its data file, found without importing the package) once, on first use, into one
interned syllable per code point of the CJK block. tests/faq/test_pinyin.py checks that it gives
what pypinyin's own `pinyin(char, style=Style.NORMAL)` gives for every character of the block.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import unicodedata
from functools import cache
from itertools import repeat
from pathlib import Path

FIRST, LAST = 0x4E00, 0x9FFF


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

    json.loads and C-level maps rather than a loop per character: of its 42,000 entries only the
    1,400 distinct first readings are untoned in Python (40 ms, against 60 ms for a regex over the text).
    """
    readings: dict[str, str] = json.loads(_dictionary_file().read_bytes())
    firsts = [r.partition(",")[0] for r in readings.values()]
    plain = {toned: sys.intern(_untoned(toned)) for toned in set(firsts)}
    by_code = dict(zip(map(int, readings), map(plain.__getitem__, firsts)))
    return tuple(map(by_code.get, range(FIRST, LAST + 1), repeat("")))


def char_pinyin(char: str) -> str:
    """The first reading of a CJK character without tones; any other character as it is."""
    code = ord(char)
    if FIRST <= code <= LAST:
        return _table()[code - FIRST] or char
    return char
