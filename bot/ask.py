"""`legalaid ask`: one question in, the reply a person would see out (no channel), from the
knowledge base in use — the files with the edits staff saved in the configured database, when
there is one (`--files-only`: the files alone). `legalaid health` checks that same knowledge base."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from common.catalog import load_catalog
from faq.edition import merged
from faq.kb import Audience, KnowledgeBase, read_files
from faq.matcher import Kind, Matcher
from handlers.faq_flow import render_match

if TYPE_CHECKING:
    from common.config import Settings
    from storage.kb_revisions import Revision


def _revisions(settings: Settings) -> list[Revision]:
    """The newest staff revision of each entry in the configured database; none when there is no
    database yet (nothing is created). Storage is imported only when there is one to read."""
    url = settings.database
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            return []
        from storage.kb_revisions import latest_in_file

        return latest_in_file(path)
    from storage.kb_revisions import latest_on_server

    return asyncio.run(latest_on_server(url))


def knowledge_in_use(settings: Settings, files_only: bool = False) -> KnowledgeBase:
    """The knowledge base the bot answers from, validated as at start-up (a revision that no longer
    fits the files raises KnowledgeBaseError, naming it)."""
    return merged(read_files(settings.faq_dir), [] if files_only else _revisions(settings))


def answer_one(question: str, settings: Settings, audience: str = "public", files_only: bool = False) -> dict:
    matcher = Matcher(knowledge_in_use(settings, files_only))
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
