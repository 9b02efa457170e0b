"""Match a typed question to a knowledge-base entry: answer, ask to clarify, or admit we do not know.

Two signals, measured to help on the development set (see bench/matcher.py):
- lexical coverage: how much of the question (character uni/bigrams, and pinyin bigrams so
  that 公正 still finds 公证) appears in an entry's phrasings, weighted by rarity (IDF), so
  that words the knowledge base has never seen (天气, 离婚) pull the score down;
- rapidfuzz's plain `ratio` against the entry's closest phrasing, computed only for the
  lexical top candidates (WRatio over-rewards one-word queries; token scorers do nothing on
  unsegmented Chinese, so neither is used).
A decision needs both a score threshold and a margin over the runner-up.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz import fuzz

from faq.kb import Audience, Entry, KnowledgeBase
from faq.normalize import normalize, to_pinyin

GREETINGS = frozenset(
    {"你好", "您好", "在吗", "在不在", "hello", "hi", "喂", "早上好", "下午好", "晚上好", "你是谁", "谢谢", "好的", "嗯"}
)

# Characters too common in questions to say anything about the topic.
STOP_CHARS = frozenset("的了吗是我你他她它们有在要能可以不没么什怎样这那就都也和与或及吧呢啊呀哦个一")


class Kind(StrEnum):
    ANSWER = "answer"
    CLARIFY = "clarify"
    FALLBACK = "fallback"
    GREETING = "greeting"


@dataclass(frozen=True)
class Thresholds:
    answer: float = 62.0  # at or above: confident enough to answer
    margin: float = 6.0  # and ahead of the runner-up by at least this much
    clarify: float = 45.0  # at or above (but not confident): offer the top 3


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float


@dataclass(frozen=True)
class Match:
    kind: Kind
    score: float
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)

    @property
    def entry(self) -> Entry | None:
        return self.candidates[0].entry if self.kind is Kind.ANSWER else None


def features(norm: str) -> dict[str, float]:
    """Weighted features of a normalised text: char unigrams, bigrams, pinyin bigrams."""
    feats: dict[str, float] = {}
    chars = [c for c in norm]
    for c in chars:
        if c not in STOP_CHARS:
            feats["u" + c] = 0.5
    for a, b in zip(chars, chars[1:]):
        if a in STOP_CHARS and b in STOP_CHARS:
            continue
        feats["b" + a + b] = 1.0
    syllables = to_pinyin(norm)
    for a, b in zip(syllables, syllables[1:]):
        key = "p" + a + "|" + b
        feats.setdefault(key, 0.6)
    return feats


class Matcher:
    LEXICAL_TOP = 8

    def __init__(self, kb: KnowledgeBase, thresholds: Thresholds = Thresholds()):
        self.kb = kb
        self.thresholds = thresholds
        self._entries = kb.entries
        self._phrasings: list[list[str]] = []
        postings: dict[str, set[int]] = defaultdict(set)
        for index, entry in enumerate(self._entries):
            texts = [normalize(t) for t in [entry.question, *entry.phrasings]]
            self._phrasings.append([t for t in texts if t])
            for text in texts:
                for feat in features(text):
                    postings[feat].add(index)
            for word in entry.keywords:
                for feat in features(normalize(word)):
                    postings[feat].add(index)
        n = len(self._entries)
        self._idf = {f: math.log(1 + n / len(ids)) for f, ids in postings.items()}
        self._unseen_idf = math.log(1 + n)  # a feature no entry has is as rare as it gets
        self._postings = {f: tuple(ids) for f, ids in postings.items()}

    def match(self, text: str, audience: Audience | None = None) -> Match:
        norm = normalize(text)
        if not norm or norm in GREETINGS or text.strip() in GREETINGS:
            return Match(Kind.GREETING, 0.0)
        ranked = self.rank(norm, audience)
        if not ranked:
            return Match(Kind.FALLBACK, 0.0)
        best = ranked[0].score
        second = ranked[1].score if len(ranked) > 1 else 0.0
        th = self.thresholds
        if best >= th.answer and best - second >= th.margin:
            kind = Kind.ANSWER
        elif best >= th.clarify:
            kind = Kind.CLARIFY
        else:
            kind = Kind.FALLBACK
        return Match(kind, round(best, 1), tuple(ranked[:3]))

    def rank(self, norm: str, audience: Audience | None = None) -> list[Candidate]:
        feats = features(norm)
        if not feats:
            return []
        total = 0.0
        gained: dict[int, float] = defaultdict(float)
        for feat, weight in feats.items():
            idf = self._idf.get(feat, self._unseen_idf)
            total += weight * idf
            for index in self._postings.get(feat, ()):
                gained[index] += weight * idf
        if not gained:
            return []
        top = sorted(gained, key=gained.__getitem__, reverse=True)[: self.LEXICAL_TOP]
        scored = []
        for index in top:
            coverage = gained[index] / total
            closeness = max(fuzz.ratio(norm, p) for p in self._phrasings[index]) / 100
            score = 100 * (0.65 * coverage + 0.35 * closeness)
            entry = self._entries[index]
            if audience is not None and entry.audience is audience:
                score += 0.5  # audience only breaks near-ties
            scored.append(Candidate(entry, score))
        scored.sort(key=lambda c: c.score, reverse=True)
        return scored
