"""Normalisation: the many ways older people type the same question end up alike."""

from __future__ import annotations

import pytest

from faq.normalize import normalize, to_pinyin


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
