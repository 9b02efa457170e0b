"""Chinese numerals → digits exactly as cn2an's transform writes them, without importing cn2an at run time."""

from __future__ import annotations

import ast
import re
import unicodedata
import warnings
from pathlib import Path

import cn2an
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from faq.normalize import normalize, numerals_to_digits, strip_symbols, to_simplified
from faq.numerals import to_digits

REPO = Path(__file__).resolve().parents[2]
# Every character that can start or take part in a conversion; a text without one is left alone by both.
_RELEVANT = re.compile("[零〇一壹幺二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万亿点负半廿]")


def cn2an_reads(text: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it warns on each fragment it leaves as typed
        return cn2an.transform(text, "cn2an")


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("八十二岁", "82岁"),
        ("老人七十五了", "老人75了"),
        ("一九四八年出生", "1948年出生"),
        ("二〇二〇年三月五日", "2020年3月5日"),
        ("第三条", "第3条"),
        ("一万二", "12000"),  # the unit after the last digit is implied
        ("三百四", "340"),
        ("一千零五十", "1050"),
        ("幺二三四八", "12348"),  # a telephone number said digit by digit
        ("两个月", "2个月"),
        ("两边", "两边"),  # 两 alone without a measure word is not a number
        ("半天", "0.5天"),
        ("三分之一", "1/3"),
        ("百分之五十", "50%"),
        ("万一", "万一"),  # "in case": not a number
        ("千万别去", "千万别去"),
        ("三点五", "3.5"),
    ],
)
def test_numerals_become_digits_as_cn2an_writes_them(typed, digits):
    assert to_digits(typed) == digits
    assert cn2an_reads(typed) == digits


def _strings(node: object):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _corpus() -> list[str]:
    """The knowledge base, the development set, the urgent cases, the catalog, and every string of the tests."""
    files = [*sorted((REPO / "faq" / "data").glob("*.yaml")), *sorted((REPO / "tests" / "data").glob("*.yaml"))]
    texts = [s for f in [*files, REPO / "common" / "texts.yaml"] for s in _strings(yaml.safe_load(f.read_text()))]
    for source in sorted((REPO / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                texts.append(node.value)
    return [t for t in dict.fromkeys(texts) if _RELEVANT.search(t)]


def test_every_text_we_have_reads_as_cn2an_reads_it():
    corpus = _corpus()
    assert len(corpus) > 700  # hundreds: the knowledge base alone has many numerals
    differ = []
    for text in corpus:
        simplified = to_simplified(unicodedata.normalize("NFKC", text))  # as handlers/parse.py feeds it
        for fed in (simplified, strip_symbols(simplified)):  # and as normalize() does
            if to_digits(fed) != cn2an_reads(fed):
                differ.append(fed)
    assert not differ


# Numerals, units, the words around dates, fractions, percentages and temperatures, measure words,
# digits and the punctuation handlers/parse.py leaves in (1948-03-02, 1.5).
_PIECES = [
    *"零〇一壹幺二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万亿点负年月日半廿个天岁的号第",
    *"0123456789.-/% ",
    "分之", "百分之", "摄氏度", "零下", "小时", "公斤", "元", "角", "分",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=14).map("".join))
def test_generated_text_reads_as_cn2an_reads_it(text):
    assert to_digits(text) == cn2an_reads(text)


def test_traditional_numerals_are_read_once_simplified():
    """The one difference by design: 貳 參 萬 are cn2an's to simplify; ours are simplified before."""
    assert numerals_to_digits(to_simplified("貳拾萬")) == "200000"
    assert normalize("八十貳歲") == "80多岁"
