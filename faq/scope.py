"""Is a question inside the two texts at all? Evidence the decision weighs beside the score.

A high score alone is not enough: "重大疾病保险买哪家的好" shares 重大疾病 with an entry, and
"出国公证要多少钱" shares 公证 and 收费. What tells them apart:
- the question names legal aid (援助, by characters or by sound, or 12348): then it is ours;
- it names a subject outside the texts (insurance, shopping, weather …) without naming legal aid;
- how much of it is in words the knowledge base has never seen, neither by characters nor by
  sound (typos by sound are not foreign: 公正 is 公证).
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass

from faq.normalize import to_pinyin

# Subjects people ask a helper like this about that neither 3号 nor 4号 covers. Written as
# everyday categories (money products, shopping, medicine, travel, celebrations, setting up a
# business), not as the development set's questions; none of them is a word of the knowledge
# base (a test checks this), so no entry's own subject is ever declined.
OUTSIDE_TEXTS = (
    "保险", "利息", "信用卡", "超市", "兑换", "摆酒", "酒席", "酒店", "设立", "出国", "天气",
    "公交", "火车", "吃什么药", "社保卡", "医保", "所得税", "高龄补贴", "高龄津贴", "笑话", "几天假",
)
_OUTSIDE = re.compile("|".join(OUTSIDE_TEXTS))

# 援助 by sound (圆助, 援住 are typed for it), or the hotline.
_NAMES_LEGAL_AID = re.compile(r"\|yuan\|zhu\||12348")

STOP_CHARS = frozenset("的了吗是我你他她它们有在要能可以不没么什怎样这那就都也和与或及吧呢啊呀哦个一")


@dataclass(frozen=True)
class Scope:
    names_legal_aid: bool
    outside: str | None  # a subject outside the texts, named without naming legal aid
    foreign: float  # share of the question's weight in pairs of characters unknown by sight and sound


def scope_of(norm: str, fenced_pinyin: str, weights: dict[str, float], total: float, known: Container[str]) -> Scope:
    """`weights` are the question's features (faq.matcher.features) times their rarity."""
    named = bool(_NAMES_LEGAL_AID.search(fenced_pinyin))
    outside = None if named else (found.group(0) if (found := _OUTSIDE.search(norm)) else None)
    syllables = to_pinyin(norm)
    foreign = 0.0
    for i, (a, b) in enumerate(zip(norm, norm[1:])):
        if a in STOP_CHARS and b in STOP_CHARS:
            continue
        if "b" + a + b in known or "p" + syllables[i] + "|" + syllables[i + 1] in known:
            continue
        foreign += weights.get("b" + a + b, 0.0)
    return Scope(named, outside, foreign / total if total else 0.0)
