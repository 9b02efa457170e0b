"""Match a typed question to a knowledge-base entry: answer, ask to clarify, or admit we do not know.

Signals, each measured on the development set (bench/matcher.py prints the figures):
- entry coverage: how much of the question (character uni/bigrams, and pinyin bigrams so
  that 公正 still finds 公证) appears anywhere in an entry, weighted by rarity (IDF). Words
  the knowledge base has never seen (天气, 离婚) count as rare, so they pull the score down;
- phrasing overlap: the same weighted features against each phrasing, both ways (how much
  of the question the phrasing explains, and how much of the phrasing the question has);
- rapidfuzz `ratio` on the characters and on the pinyin (typos), and `partial_ratio` for
  long questions that wrap a short one in context. WRatio over-rewards one-word queries and
  the token scorers do nothing on unsegmented Chinese, so neither is used.
Only the lexical top candidates are scored in full, which keeps a query well under 5 ms.
Entry keywords add evidence (faq/topics.py); a guarded topic (工资, 邻居 …) cuts entries about
something else, and an age below every age an entry's question names cuts that entry.
A decision needs both a score threshold and a margin over the runner-up; an answer carries the
runner-up (Match.runner_up) so the chat can offer it as a button.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz import fuzz

from faq.kb import SOURCES, Audience, Entry, KnowledgeBase
from faq.normalize import normalize, to_pinyin
from faq.scope import STOP_CHARS, Scope, scope_of
from faq.topics import (
    MATTERS, Keyword, aspects_in, below_age, document_named, keywords_of, query_pinyin, section_named, sections_cited,
    topics_in, youngest_age,
)

GREETINGS = frozenset(
    {"你好", "您好", "在吗", "在不在", "hello", "hi", "喂", "早上好", "下午好", "晚上好", "你是谁", "谢谢", "好的", "嗯"}
)



class Kind(StrEnum):
    ANSWER = "answer"
    CLARIFY = "clarify"
    FALLBACK = "fallback"
    GREETING = "greeting"


@dataclass(frozen=True)
class Thresholds:
    """Tuned on the development set's tuning half only (bench/matcher.py: split by a hash of the
    question); the other half is held out and reported separately."""

    # Confidence = score + MARGIN_WEIGHT x the lead over the runner-up (capped) - FOREIGN_WEIGHT x
    # the share of the question the knowledge base has never seen. Answer at or above:
    answer: float = 47.0  # … a question that does not name legal aid
    answer_named: float = 40.0  # … a question that names it (援助, 12348): it is ours
    margin: float = 1.0  # and always ahead of the runner-up by at least this much
    clarify: float = 36.0  # score at or above (but not confident): offer the top 3
    # A question of one to four characters ("扣分", "公证") says too little to answer outright
    # unless it matches very clearly: its own bar on the score and the lead, before confidence.
    short_length: int = 4
    short_answer: float = 60.0
    short_margin: float = 8.0
    # A run-on message tells a lot: below the clarify score it still gets "您是想问", never a
    # bare "答不好", as long as something in it matches at all.
    long_length: int = 20
    long_clarify: float = 15.0


MARGIN_WEIGHT, MARGIN_CAP, FOREIGN_WEIGHT = 1.0, 20.0, 40.0
# 4号 二 is how lawyers are scored: a resident is answered from it, or offered it, only when asking about
# points (律师上门服务能加几分, 办一件案件是二十分吗, 积份 mistyped); 上门服务是什么 is not about the 10 points a
# lawyer earns for one, nor 律师态度不好怎么投诉 about the 2 deducted. 4号 一 (what 值班 is …) stays open to all.
_ABOUT_POINTS = re.compile(r"积分|分数|[几少]分(?!钟)|\d分(?!钟)|[得加扣算给记]分|考核|一票否决")
_ABOUT_POINTS_SOUND = re.compile(r"\|ji\|fen\|(?!zhong\|)")


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float


@dataclass(frozen=True)
class Match:
    kind: Kind
    score: float
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)

    runner_up_at: float = 0.0
    # Not answered because the texts do not say it: the subject outside them (高龄补贴, as the question
    # names it) or the aspect no entry states (faq.topics.ASPECTS: court_costs, how_long).
    not_in_texts: str | None = None
    aspect: bool = False
    # With an answer, the other candidates the question names by one of their keywords: a run-on about wages
    # that asks whether legal aid writes the 状子 is offered 代书 beside the wages answer.
    also: tuple[Entry, ...] = ()

    @property
    def entry(self) -> Entry | None:
        return self.candidates[0].entry if self.kind is Kind.ANSWER else None

    @property
    def runner_up(self) -> Entry | None:
        """With an answer, the next-best entry when it scored high enough to be worth a button."""
        if self.kind is not Kind.ANSWER or len(self.candidates) < 2:
            return None
        second = self.candidates[1]
        return second.entry if second.score >= self.runner_up_at else None


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


@dataclass(frozen=True)
class _Phrasing:
    text: str
    pinyin: str
    weights: dict[str, float]  # feature -> weight x idf
    total: float


# How the signals combine (weights sum to 1; measured, see the module docstring).
W_COVERAGE, W_OVERLAP, W_BACK, W_RATIO, W_PINYIN, W_PARTIAL = 0.2, 0.3, 0.1, 0.1, 0.1, 0.2


# Phone-like numbers (5+ digits) in a question must appear in the entry, or its score is cut.
_LONG_NUMBER = re.compile(r"\d{5,}")
NUMBER_MISMATCH = 0.6

# Each of an entry's keywords found in the question adds this much (at most KEYWORD_CAP of them).
KEYWORD_BONUS, KEYWORD_CAP = 6.0, 2
# A question on a guarded topic (工资, 邻居 …) never gets an entry on another guarded topic, and
# scores this fraction on entries that name none.
TOPIC_CLASH = 0.75
# A question about someone younger than every age an entry speaks of (70多 asking the 80+ entry),
# or older than the age an entry is about not having reached (70多 asking the under-70 entry).
TOO_YOUNG = 0.85
# A question asking what an entry does not speak of (faq.topics.ASPECTS: 诉讼费, 多久).
UNSTATED = 0.75


class Matcher:
    LEXICAL_TOP = 8

    def __init__(self, kb: KnowledgeBase, thresholds: Thresholds = Thresholds()):
        self.kb = kb
        self.thresholds = thresholds
        self._entries = kb.entries
        texts_by_entry: list[list[str]] = []
        postings: dict[str, set[int]] = defaultdict(set)
        featured: dict[str, dict[str, float]] = {}  # each phrasing's features, computed once
        for index, entry in enumerate(self._entries):
            texts = list(dict.fromkeys(t for t in (normalize(x) for x in [entry.question, *entry.phrasings]) if t))
            texts_by_entry.append(texts)
            for text in texts:
                if text not in featured:
                    featured[text] = features(text)
                for feat in featured[text]:
                    postings[feat].add(index)
            for word in entry.keywords:
                for feat in features(normalize(word)):
                    postings[feat].add(index)
        n = len(self._entries)
        self._idf = {f: math.log(1 + n / len(ids)) for f, ids in postings.items()}
        self._unseen_idf = math.log(1 + n)  # a feature no entry has is as rare as it gets
        self._postings = {f: tuple(ids) for f, ids in postings.items()}
        self._phrasings = [[self._phrasing(t, featured[t]) for t in texts] for texts in texts_by_entry]
        self._numbers = {e.id: set(_LONG_NUMBER.findall("".join(t))) for e, t in zip(self._entries, texts_by_entry)}
        self._keywords = [keywords_of(e) for e in self._entries]
        # Each distinct keyword once, with the entries that have it: a question is searched for each
        # word once, not once per entry that lists it.
        self._keyword_entries: dict[Keyword, list[int]] = defaultdict(list)
        for index, words in enumerate(self._keywords):
            for word in words:
                self._keyword_entries[word].append(index)
        self._index = {e.id: i for i, e in enumerate(self._entries)}
        # The subject an entry is about, as its question names it (not examples in its phrasings).
        self._headline_topics = [topics_in(normalize(e.question)) & MATTERS for e in self._entries]
        self._topics = [
            topics_in("".join(texts) + "".join(normalize(w) for w in e.keywords))
            for e, texts in zip(self._entries, texts_by_entry)
        ]
        self._aspects = [
            aspects_in("".join(texts) + "".join(normalize(w) for w in e.keywords))
            for e, texts in zip(self._entries, texts_by_entry)
        ]
        self._youngest = [youngest_age(normalize(e.question)) for e in self._entries]
        self._below = [below_age(normalize(e.question)) for e in self._entries]
        self._document = ["3" if e.source.startswith(SOURCES[0]) else "4" for e in self._entries]
        self._sections = [sections_cited(e.source) for e in self._entries]
        self._scoring = [d == "4" and 2 in cited for d, cited in zip(self._document, self._sections)]

    def _phrasing(self, text: str, feats: dict[str, float]) -> _Phrasing:
        weights = {f: w * self._idf[f] for f, w in feats.items()}
        return _Phrasing(text, "".join(to_pinyin(text)), weights, sum(weights.values()) or 1.0)

    def match(self, text: str, audience: Audience | None = None) -> Match:
        norm = normalize(text)
        if not norm or norm in GREETINGS or text.strip() in GREETINGS:
            return Match(Kind.GREETING, 0.0)
        aspects, fenced = aspects_in(norm), query_pinyin(norm)  # fenced: the question's pinyin, worked out once
        ranked, scope = self._ranked(norm, fenced, audience, aspects)
        if not ranked:
            return Match(Kind.FALLBACK, 0.0)
        best = ranked[0].score
        second = ranked[1].score if len(ranked) > 1 else 0.0
        th = self.thresholds
        # 12345 is not 12348: an entry that does not have the number asked about is never the answer.
        other_number = bool(set(_LONG_NUMBER.findall(norm)) - self._numbers[ranked[0].entry.id])
        # 诉讼费能减免吗: the top entry (the will-notarisation fee) does not speak of court fees at all.
        unstated = sorted(aspects - self._aspects[self._index[ranked[0].entry.id]])
        if (
            not other_number and not unstated and self._on_its_subject(norm, fenced, ranked[0].entry)
            and self._confident(best, second, scope, len(norm))
        ):
            kind = Kind.ANSWER
        elif (scope.outside is not None or unstated) and len(norm) < th.long_length:
            kind = Kind.FALLBACK  # 高龄补贴 is not ours: say so rather than offer look-alikes
        elif best >= th.clarify or (len(norm) >= th.long_length and best >= th.long_clarify):
            kind = Kind.CLARIFY
        else:
            kind = Kind.FALLBACK
        missing = scope.outside if scope.outside is not None else unstated[0] if unstated else None
        also = tuple(
            c.entry for c in ranked[1:3]
            if kind is Kind.ANSWER and any(k.found_in(norm, fenced) for k in self._keywords[self._index[c.entry.id]])
        )
        return Match(
            kind, round(best, 1), tuple(ranked[:3]), runner_up_at=th.clarify,
            not_in_texts=None if kind is Kind.ANSWER else missing, aspect=scope.outside is None and bool(unstated),
            also=also,
        )

    def _on_its_subject(self, norm: str, fenced: str, entry: Entry) -> bool:
        """An entry on a matter people lead with (wages, neighbours, support) answers only a question that names
        it or one of the entry's keywords: 借出去的钱要不回来 reads like 工钱要不回来, but is not wages."""
        index = self._index[entry.id]
        own = self._headline_topics[index]
        if not own or own & topics_in(norm):
            return True
        return any(k.found_in(norm, fenced) for k in self._keywords[index])

    def _confident(self, best: float, second: float, scope: Scope, length: int) -> bool:
        th = self.thresholds
        if scope.outside is not None or best - second < th.margin:
            return False
        if length <= th.short_length and (best < th.short_answer or best - second < th.short_margin):
            return False
        confidence = best + MARGIN_WEIGHT * min(best - second, MARGIN_CAP) - FOREIGN_WEIGHT * scope.foreign
        needed = th.answer_named if scope.names_legal_aid else th.answer
        return confidence >= needed

    def _ranked(
        self, norm: str, fenced: str, audience: Audience | None, aspects: frozenset[str] = frozenset()
    ) -> tuple[list[Candidate], Scope]:
        """Candidates for a normalised question, best first, scores 0-100, and its scope evidence."""
        query = {f: w * self._idf.get(f, self._unseen_idf) for f, w in features(norm).items()}
        total = sum(query.values())
        scope = scope_of(norm, fenced, query, total, self._idf)
        if not total:
            return [], scope
        gained: dict[int, float] = defaultdict(float)
        for feat, weight in query.items():
            for index in self._postings.get(feat, ()):
                gained[index] += weight
        if not gained:
            return [], scope
        counted: dict[int, int] = defaultdict(int)
        for word, indexes in self._keyword_entries.items():
            if word.found_in(norm, fenced):
                for index in indexes:
                    counted[index] += 1
        hits = dict(sorted(counted.items()))  # by entry, as ties are broken below
        asked = topics_in(norm)
        age = youngest_age(norm)
        document = document_named(norm)
        section = section_named(norm)
        # A resident asking about 上门服务 is asking for one, not what a lawyer scores for it (4号 二(一)4).
        residents = (audience is Audience.PUBLIC and document != "4"
                     and not _ABOUT_POINTS.search(norm) and not _ABOUT_POINTS_SOUND.search(fenced))
        top = sorted(gained, key=gained.__getitem__, reverse=True)[: self.LEXICAL_TOP]
        # Entries named by a keyword join them, the most named first, at most LEXICAL_TOP: a run-on
        # names many keywords, and in a large knowledge base each is in many entries.
        named = sorted(hits, key=lambda i: (hits[i], gained.get(i, 0.0)), reverse=True)
        top += [i for i in named if i not in top][: self.LEXICAL_TOP]
        query_pinyin_text = "".join(to_pinyin(norm))
        numbers = set(_LONG_NUMBER.findall(norm))
        scored = []
        for index in top:
            best = max(self._phrasing_score(norm, query_pinyin_text, query, total, p) for p in self._phrasings[index])
            score = 100 * (W_COVERAGE * gained[index] / total + best)
            score += KEYWORD_BONUS * min(hits.get(index, 0), KEYWORD_CAP)
            if asked and not asked & self._topics[index]:
                if self._topics[index]:
                    continue  # an entry about another guarded subject: 工资 never lands on 公证
                score *= TOPIC_CLASH
            if residents and self._scoring[index]:
                continue
            if document is not None and document != self._document[index]:
                continue  # a question naming 3号 is not answered from 4号, nor the other way round
            if section is not None and section not in self._sections[index]:
                continue  # 第三条 is answered only from an entry citing part 三 (4号 has none: declined)
            if age is not None and self._youngest[index] is not None and age < self._youngest[index]:
                score *= TOO_YOUNG
            if age is not None and self._below[index] is not None and age >= self._below[index]:
                score *= TOO_YOUNG  # 70多 asking the entry on those not yet 70
            if aspects - self._aspects[index]:
                score *= UNSTATED  # 打官司要多久 is not answered by an entry that never says how long
            if numbers - self._numbers[self._entries[index].id]:
                score *= NUMBER_MISMATCH  # 12345 is not 12348: a different number is a different thing
            entry = self._entries[index]
            if audience is not None and entry.audience is audience:
                score += 0.5  # audience only breaks near-ties
            scored.append(Candidate(entry, min(score, 100.0)))
        scored.sort(key=lambda c: c.score, reverse=True)
        return scored, scope

    @staticmethod
    def _phrasing_score(norm: str, norm_pinyin: str, query: dict[str, float], total: float, p: _Phrasing) -> float:
        shared = query.keys() & p.weights.keys()
        # map(dict.__getitem__) rather than a generator: the same sums in the same order, at half the cost.
        forward = sum(map(query.__getitem__, shared)) / total
        back = sum(map(p.weights.__getitem__, shared)) / p.total
        overlap = 2 * forward * back / (forward + back) if shared else 0.0
        ratio = fuzz.ratio(norm, p.text) / 100
        partial = fuzz.partial_ratio(p.text, norm) / 100 if len(norm) > len(p.text) else ratio
        return (
            W_OVERLAP * overlap
            + W_BACK * back
            + W_RATIO * ratio
            + W_PINYIN * fuzz.ratio(norm_pinyin, p.pinyin) / 100
            + W_PARTIAL * partial
        )
