"""The knowledge base in use: faq/data with staff revisions on top, and the matcher built from it.

A change is validated by the same function as the files (faq.kb.validate) over the whole merged
set, saved as a revision with who, when and a note, and the matcher of this process is rebuilt
at once. Retiring an entry is such a change too: it is no longer matched or offered anywhere,
and restoring it is a later save. Other processes see the revision version move on their
scheduler's next check (one indexed read a minute, never per turn) and rebuild too. A rebuild
runs off the event loop and replaces `services.matcher` in one assignment; one that fails keeps
the matcher in use.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime

from faq.edition import Edition, laid, merged
from faq.kb import Entry, KnowledgeBase, KnowledgeBaseError, RawEntry, overlaid, validate
from faq.matcher import Kind, Matcher
from services.actor import Actor, Role, require
from services.context import Services
from storage.kb_revisions import RETIRED, Revision

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


# What a save makes of an entry: given the knowledge base in use, the entry in it (None: no such id
# yet, or retired) and its newest revision (None: as in the files), the whole entry wanted.
Change = Callable[[KnowledgeBase, Entry | None, Revision | None], dict]


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
            newest = next((r for r in latest if r.entry_id == entry_id), None)
            wanted = change(current, current.get(entry_id), newest)
            rest = laid(edition.base, [r for r in latest if r.entry_id != entry_id])
            if wanted.get(RETIRED) is True:
                # The set without it must still validate (faq check, start-up): the same rules as a save.
                validate([i for i in rest if not (isinstance(i.data, dict) and i.data.get("id") == entry_id)])
                return wanted
            candidate = validate(overlaid(rest, [RawEntry("this change", "", wanted)]))
        except KnowledgeBaseError as exc:
            raise KnowledgeRefused("web.kb.invalid", detail=" ".join(str(exc).split())) from None
        entry = candidate.get(entry_id)
        if entry == current.get(entry_id):
            raise KnowledgeRefused("web.kb.unchanged")
        return entry.model_dump(mode="json")

    revision = await services.revisions.add(entry_id, prepare, note, actor.name, now)
    await _rebuild(services, edition)
    return revision


def _existing(entry: Entry | None) -> Entry:
    """The entry a change is made to; refused when there is no such entry in use."""
    if entry is None:
        raise KnowledgeRefused("web.kb.not_found")
    return entry


async def save_entry(services: Services, actor: Actor, fields: dict, note: str, now: datetime,
                     based_on: int | None) -> Revision:
    """Edit an entry (`based_on`: the revision the form showed, 0 for the file) or add one (None)."""
    entry_id = str(fields.get("id", ""))

    def change(kb: KnowledgeBase, entry: Entry | None, newest: Revision | None) -> dict:
        if based_on is None:
            if entry is not None:
                raise KnowledgeRefused("web.kb.id_taken", entry_id=entry_id)
            if newest is not None and newest.retired:  # its history is another question's: restore it instead
                raise KnowledgeRefused("web.kb.id_retired", entry_id=entry_id)
            return fields
        entry = _existing(entry)
        if based_on != (newest.id if newest else 0):
            raise KnowledgeRefused("web.kb.changed_meanwhile")
        return entry.model_dump(mode="json") | {k: v for k, v in fields.items() if k in EDITABLE}

    return await _save(services, actor, entry_id, change, note, now)


async def add_phrasing(services: Services, actor: Actor, entry_id: str, text: str, now: datetime) -> bool:
    """A question people asked becomes a phrasing of `entry_id`. True when the matcher now answers
    it outright with that entry (False: saved, but another signal still holds it back)."""
    text = " ".join(text.split())
    if not text:
        raise KnowledgeRefused("web.kb.empty")

    def change(kb: KnowledgeBase, entry: Entry | None, newest: Revision | None) -> dict:
        entry = _existing(entry)
        for other in kb.entries:
            if text == other.question or text in other.phrasings:
                raise KnowledgeRefused("web.kb.already_phrasing", entry_id=other.id, question=other.question)
        return entry.model_dump(mode="json") | {"phrasings": [*entry.phrasings, text]}

    await _save(services, actor, entry_id, change, services.texts("web.kb.note_from_miss"), now)
    match = await asyncio.to_thread(services.matcher.match, text)
    return match.kind is Kind.ANSWER and match.entry is not None and match.entry.id == entry_id


def _pointing(kb: KnowledgeBase, entry_id: str) -> list[Entry]:
    return [e for e in kb.entries if entry_id in e.related]


def pointing_at(services: Services, actor: Actor, entry_id: str) -> list[Entry]:
    """The entries in use that list `entry_id` among their related entries (相关问题)."""
    require(actor, "read the knowledge base", Role.STAFF)
    return _pointing(services.matcher.kb, entry_id)


async def retire(services: Services, actor: Actor, entry_id: str, reason: str, now: datetime) -> Revision:
    """Retire an entry (停用): no longer matched, offered as a related question or suggested, nor
    exported; kept whole in a revision whose note is the reason. Refused while other entries list it
    as related, naming them: dropping their links silently would change entries nobody chose to
    edit, and a later restore would not bring the links back."""
    require(actor, "edit the knowledge base", Role.STAFF)
    reason = " ".join(reason.split())
    if not reason:
        raise KnowledgeRefused("web.kb.reason_required")

    def change(kb: KnowledgeBase, entry: Entry | None, newest: Revision | None) -> dict:
        entry = _existing(entry)
        if pointing := _pointing(kb, entry_id):
            raise KnowledgeRefused("web.kb.retire_linked", entry_id=entry_id,
                                   entries="、".join(e.id for e in pointing))
        return entry.model_dump(mode="json") | {RETIRED: True}

    return await _save(services, actor, entry_id, change, reason, now)


async def restore(services: Services, actor: Actor, entry_id: str, note: str, now: datetime) -> Revision:
    """A retired entry in use again, as it was when retired (validated like any save: a phrasing
    another entry took meanwhile is refused, naming it)."""

    def change(kb: KnowledgeBase, entry: Entry | None, newest: Revision | None) -> dict:
        if entry is not None or newest is None or not newest.retired:
            raise KnowledgeRefused("web.kb.not_retired")
        return {k: v for k, v in newest.body.items() if k != RETIRED}

    return await _save(services, actor, entry_id, change, note.strip() or services.texts("web.kb.note_restored"), now)


async def retired(services: Services, actor: Actor) -> list[Entry]:
    """The retired entries, as they were when retired."""
    require(actor, "read the knowledge base", Role.STAFF)
    return [as_entry(r) for r in await services.revisions.latest() if r.retired]


def as_entry(revision: Revision) -> Entry:
    """The entry a revision holds (a retired one as it was)."""
    return Entry.model_validate({k: v for k, v in revision.body.items() if k != RETIRED})


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

