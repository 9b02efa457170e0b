"""Text as it should be read aloud: clause citations spoken the way a person would say them.

"（3号 二）" on screen is short and exact; read aloud it means nothing. A speech server reads
"衢市司发〔2020〕4号 二(一)9" letter by letter, so citations become "依据衢州市司法局2020年4号文件
第二条第一款第九项". Pure functions over the citation forms the knowledge base and the catalog use.
"""

from __future__ import annotations

import re

# Abbreviated issuers the texts cite; the centre's own is said in full, the others as written.
ISSUERS = {"衢市司发": "衢州市司法局", "浙政办发": "浙政办发", "衢政办发": "衢政办发"}
# The year when a short form ("3号 二") leaves it out: both source texts are of 2020.
SHORT_FORM_YEAR = 2020
_DIGITS = "零一二三四五六七八九"
_NUMERAL = "一二三四五六七八九十"
_PARTS = {"施行日期": "关于施行日期的规定", "序言": "序言"}

# One clause: 二 | 二(一) | 二(一)9 | (序言) | (施行日期); several joined by 、
_CLAUSE = rf"(?:[{_NUMERAL}]+(?:[(（][{_NUMERAL}]+[)）])?\d*|[(（](?:施行日期|序言)[)）])"
_CLAUSES = rf"{_CLAUSE}(?:、{_CLAUSE})*"
# 衢市司发〔2020〕3号 二 | 浙政办发〔2018〕32号 | 3号 二 (the short form needs its clause)
_ISSUER = "|".join(ISSUERS)
_FULL = re.compile(rf"(?P<issuer>{_ISSUER})〔(?P<year>\d{{4}})〕(?P<number>\d+)号(?:\s*(?P<clauses>{_CLAUSES}))?")
_SHORT = re.compile(rf"(?<![\d〕])(?P<number>[34])号\s+(?P<clauses>{_CLAUSES})")
_BASIS_WORDS = ("依据", "按", "根据", "参考")


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (clause numbers stay below 100)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def spoken_clause(clause: str) -> str:
    """二 → 第二条; 二(一) → 第二条第一款; 二(一)9 → 第二条第一款第九项; (序言) → 序言."""
    inner = clause.strip("()（）")
    if inner in _PARTS:
        return _PARTS[inner]
    match = re.fullmatch(rf"([{_NUMERAL}]+)(?:[(（]([{_NUMERAL}]+)[)）])?(\d*)", clause)
    if match is None:
        return clause
    article, paragraph, item = match.groups()
    words = f"第{article}条"
    if paragraph:
        words += f"第{paragraph}款"
    if item:
        words += f"第{chinese_number(int(item))}项"
    return words


def spoken_citation(issuer: str, year: int, number: str, clauses: str | None) -> str:
    document = f"{ISSUERS[issuer]}{year}年{number}号文件"
    if not clauses:
        return document
    return document + "、".join(spoken_clause(c) for c in clauses.split("、"))


def _with_basis(text: str, start: int, words: str) -> str:
    """"依据" before a citation, unless the sentence already says so ("依据：…", "按…")."""
    return words if text[:start].rstrip("：:（( ").endswith(_BASIS_WORDS) else "依据" + words


def spoken(text: str) -> str:
    """`text` with every clause citation written out as it is said."""

    def full(m: re.Match) -> str:
        words = spoken_citation(m["issuer"], int(m["year"]), m["number"], m["clauses"])
        return _with_basis(m.string, m.start(), words) if m["clauses"] else words

    def short(m: re.Match) -> str:
        words = spoken_citation("衢市司发", SHORT_FORM_YEAR, m["number"], m["clauses"])
        return _with_basis(m.string, m.start(), words)

    return _SHORT.sub(short, _FULL.sub(full, text))
