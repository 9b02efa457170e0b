"""The compact pinyin table gives what pypinyin itself gives, without loading its phrase dictionary."""

from __future__ import annotations

from pypinyin import Style, pinyin

from common.pinyin import FIRST, LAST, char_pinyin


def test_every_character_of_the_cjk_block_reads_as_pypinyin_reads_it():
    differ = [
        chr(code)
        for code in range(FIRST, LAST + 1)
        if char_pinyin(chr(code)) != pinyin(chr(code), style=Style.NORMAL, heteronym=False)[0][0]
    ]
    assert not differ


def test_umlaut_and_toneless_letters_are_written_as_the_matcher_compares_them():
    assert [char_pinyin(c) for c in "女绿嗯公证"] == ["nv", "lv", "n", "gong", "zheng"]
    assert [char_pinyin(c) for c in "a1，"] == ["a", "1", "，"]  # not Chinese: left as typed
