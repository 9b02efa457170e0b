"""The knowledge base in use: faq/data with staff revisions on top, and the matcher built from it.

A change is validated by the same function as the files (faq.kb.validate) over the whole merged
set, saved as a revision with who, when and a note, and the matcher of this process is rebuilt
at once. Other processes see the revision version move on their scheduler's next check (one
indexed read a minute, never per turn) and rebuild too. A rebuild runs off the event loop and
replaces `services.matcher` in one assignment; one that fails keeps the matcher in use.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime

from faq.edition import Edition
from faq.kb import Entry, KnowledgeBase, KnowledgeBaseError, RawEntry, file_for, overlaid, validate
from faq.matcher import Kind, Matcher
from services.actor import Actor, Role, require
from services.context import Services
from storage.kb_revisions import Revision

log = logging.getLogger(__name__)

# How often another process's saves are looked for (bot/scheduler.py, the web console's own loop).
CHECK_SECONDS = 30
EDITABLE = ("question", "phrasings", "answer", "source", "keywords", "related", "buttons", "guidance")


class KnowledgeRefused(Exception):
    """A change refused, with the catalog text that says why (`detail`: the validator's own words)."""

    def __init__(self, text_id: str, **fields: object):
        super().__init__(text_id)
        self.text_id = text_id
        self.fields = fields


def _raw(revisions: list[Revision]) -> list[RawEntry]:
    return [RawEntry(f"revision {r.id}", file_for(str(r.body.get("audience"))), r.body) for r in revisions]


def merged(base: list[RawEntry], revisions: list[Revision]) -> KnowledgeBase:
    """The knowledge base in use: the files with each entry's newest revision, validated."""
    return validate(overlaid(base, _raw(revisions)))


async def open_knowledge(services: Services, base: list[RawEntry]) -> KnowledgeBase:
    """At start-up: the merged knowledge base and its matcher. A merged set that does not
    validate stops start-up, as a broken file does, naming the revision."""
    revisions = await services.revisions.latest()
    kb = merged(base, revisions)
    services.matcher = await asyncio.to_thread(Matcher, kb)
    services.edition = Edition(base, max((r.id for r in revisions), default=0))
    return kb


async def refresh(services: Services, every: float | None = None) -> bool:
    """Rebuild when another process saved a revision since; True when the matcher was replaced.
    Looks at the version at most once in `every` seconds (CHECK_SECONDS), however often it is called."""
    edition = services.edition
    if edition is None or time.monotonic() - edition.checked_at < (CHECK_SECONDS if every is None else every):
        return False
    edition.checked_at = time.monotonic()
    version = await services.revisions.version()
    if version in (edition.version, edition.failed_at):
        return False
    return await _rebuild(services, edition)


async def _rebuild(services: Services, edition: Edition) -> bool:
    async with edition.lock:
        revisions = await services.revisions.latest()
        version = max((r.id for r in revisions), default=0)
        if version <= edition.version:
            return False  # another rebuild got there first
        thresholds = services.matcher.thresholds if services.matcher else None

        def build() -> Matcher:
            kb = merged(edition.base, revisions)
            return Matcher(kb, thresholds) if thresholds else Matcher(kb)

        try:
            matcher = await asyncio.to_thread(build)
        except KnowledgeBaseError as exc:
            if edition.failed_at != version:
                log.error("knowledge base: revision %d does not validate here, the previous one stays: %s", version, exc)
            edition.failed_at = version
            return False
        services.matcher, edition.version = matcher, version
        log.info("knowledge base: revision %d in use, %d entries", version, len(matcher.kb))
        return True


# What a save makes of an entry: given the knowledge base in use, the entry (None: no such id yet)
# and its newest revision's id (0: as in the files), the whole entry wanted.
Change = Callable[[KnowledgeBase, Entry | None, int], dict]


async def _save(services: Services, actor: Actor, entry_id: str, change: Change, note: str,
                now: datetime) -> Revision:
    """Save what `change` makes of the entry, if the whole merged set still validates."""
    require(actor, "edit the knowledge base", Role.STAFF)
    edition = services.edition
    if edition is None:
        raise RuntimeError("the knowledge base is not open in this process")

    def prepare(latest: list[Revision]) -> dict:
        try:
            current = merged(edition.base, latest)
            newest = max((r.id for r in latest if r.entry_id == entry_id), default=0)
            wanted = change(current, current.get(entry_id), newest)
            candidate = validate(overlaid(overlaid(edition.base, _raw(latest)), [RawEntry("this change", "", wanted)]))
        except KnowledgeBaseError as exc:
            raise KnowledgeRefused("web.kb.invalid", detail=" ".join(str(exc).split())) from None
        entry = candidate.get(entry_id)
        if entry == current.get(entry_id):
            raise KnowledgeRefused("web.kb.unchanged")
        return entry.model_dump(mode="json")

    revision = await services.revisions.add(entry_id, prepare, note, actor.name, now)
    await _rebuild(services, edition)
    return revision


async def save_entry(services: Services, actor: Actor, fields: dict, note: str, now: datetime,
                     based_on: int | None) -> Revision:
    """Edit an entry (`based_on`: the revision the form showed, 0 for the file) or add one (None)."""
    entry_id = str(fields.get("id", ""))

    def change(kb: KnowledgeBase, entry: Entry | None, newest: int) -> dict:
        if based_on is None:
            if entry is not None:
                raise KnowledgeRefused("web.kb.id_taken", entry_id=entry_id)
            return fields
        if entry is None:
            raise KnowledgeRefused("web.kb.not_found")
        if based_on != newest:
            raise KnowledgeRefused("web.kb.changed_meanwhile")
        return entry.model_dump(mode="json") | {k: v for k, v in fields.items() if k in EDITABLE}

    return await _save(services, actor, entry_id, change, note, now)


async def add_phrasing(services: Services, actor: Actor, entry_id: str, text: str, now: datetime) -> bool:
    """A question people asked becomes a phrasing of `entry_id`. True when the matcher now answers
    it outright with that entry (False: saved, but another signal still holds it back)."""
    text = " ".join(text.split())
    if not text:
        raise KnowledgeRefused("web.kb.empty")

    def change(kb: KnowledgeBase, entry: Entry | None, newest: int) -> dict:
        if entry is None:
            raise KnowledgeRefused("web.kb.not_found")
        for other in kb.entries:
            if text == other.question or text in other.phrasings:
                raise KnowledgeRefused("web.kb.already_phrasing", entry_id=other.id, question=other.question)
        return entry.model_dump(mode="json") | {"phrasings": [*entry.phrasings, text]}

    await _save(services, actor, entry_id, change, services.texts("web.kb.note_from_miss"), now)
    match = await asyncio.to_thread(services.matcher.match, text)
    return match.kind is Kind.ANSWER and match.entry is not None and match.entry.id == entry_id


async def history(services: Services, actor: Actor, entry_id: str) -> list[Revision]:
    require(actor, "read the knowledge base's history", Role.STAFF)
    return await services.revisions.history(entry_id)


def shipped(services: Services, entry_id: str) -> dict | None:
    """An entry as faq/data has it (None: added by staff), in the form revisions are kept."""
    for item in services.edition.base if services.edition else ():
        if isinstance(item.data, dict) and item.data.get("id") == entry_id:
            return Entry.model_validate(item.data).model_dump(mode="json")
    return None


def find(services: Services, actor: Actor, query: str) -> list[Entry]:
    """Entries whose id, question, phrasings, answer, source or keywords hold `query` (all when empty)."""
    require(actor, "read the knowledge base", Role.STAFF)
    entries = services.matcher.kb.entries
    query = query.strip()
    if not query:
        return list(entries)
    return [e for e in entries if any(query in part for part in
                                      (e.id, e.question, e.answer, e.source, *e.phrasings, *e.keywords))]


def ranked(services: Services, texts: list[str]) -> list[list[Entry]]:
    """For each text, the entries the matcher ranks first (at most 3)."""
    matcher = services.matcher
    return [[c.entry for c in matcher.match(text).candidates] for text in texts]

