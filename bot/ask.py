"""`legalaid ask`: one question in, the reply a person would see out (no channel, no database)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from common.catalog import load_catalog
from faq.kb import Audience, load_kb
from faq.matcher import Kind, Matcher
from handlers.faq_flow import render_match


@cache
def _matcher(faq_dir: Path | None) -> Matcher:
    return Matcher(load_kb(faq_dir))


def answer_one(question: str, audience: str = "public", faq_dir: Path | None = None) -> dict:
    matcher = _matcher(faq_dir)
    match = matcher.match(question, Audience(audience))
    text, options = render_match(load_catalog(), matcher.kb, match)
    if match.kind is Kind.CLARIFY:
        suggestions = [c.entry.question for c in match.candidates]
    else:
        suggestions = [o.label for o in options]
    return {
        "kind": "fallback" if match.kind is Kind.GREETING else match.kind.value,
        "faq_id": match.entry.id if match.entry else None,
        "score": float(match.score),
        "text": text,
        "suggestions": suggestions,
    }
