"""Normalisation: the many ways older people type the same question end up alike."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest
import yaml

from faq.kb import load_kb
from faq.normalize import normalize, to_pinyin, to_simplified


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("遺囑公證", "遗嘱公证"),  # traditional characters
        ("１２３４８", "12348"),  # full-width digits
        ("八十二岁", "80多岁"),  # Chinese numerals, then the age's decade
        ("七十岁", "70岁"),
        ("一九四八年", "1948年"),
        ("我爸能不能申请法援?", "老人能不能申请法律援助"),  # synonyms, punctuation
        ("请问一下啊，老太太走不动😢", "老人行动不便"),  # filler, emoji
        ("律師能到家裡來嗎", "律师能上门来吗"),
        ("衢市司发〔2020〕3号", "衢市司发2020年3号"),  # a document number, not the number 20203
        ("儿子不肯养我", "儿子不养我"),  # refusing to support, with a modal verb in between
        ("女儿不愿意养", "女儿不养"),
    ],
)
def test_variants_normalise_to_one_form(typed, expected):
    assert normalize(typed) == expected


def test_homophones_share_their_pinyin():
    assert to_pinyin(normalize("公正")) == to_pinyin(normalize("公证"))
    assert to_pinyin(normalize("遗瞩")) == to_pinyin(normalize("遗嘱"))


def test_hotline_and_years_are_not_mistaken_for_ages():
    assert normalize("12348") == "12348"
    assert normalize("2020年") == "2020年"


def test_simplified_as_opencc_writes_it_for_every_character_and_each_phrase_of_its_dictionary():
    opencc_t2s = opencc.OpenCC("t2s")
    characters = "".join(chr(code) for code in range(0x3000, 0xA000))
    assert [to_simplified(c) for c in characters] == [opencc_t2s.convert(c) for c in characters]
    devset = yaml.safe_load((Path(__file__).parents[1] / "data" / "faq_devset.yaml").read_text(encoding="utf-8"))
    typed = [item["q"] if isinstance(item, dict) else item for items in devset.values() for item in items]
    typed += [text for entry in load_kb().entries for text in (entry.question, *entry.phrasings, entry.answer)]
    assert len(typed) > 1000
    assert [to_simplified(t) for t in typed] == [opencc_t2s.convert(t) for t in typed]
