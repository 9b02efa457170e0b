"""知识库 entries (staff): find, edit, add, retire (停用, after a confirm page asking why) and restore
entries, and each entry's history (who, when, why, and what changed in its phrasings and answer).
A save that the knowledge base's validation refuses is shown with the validator's words, and the
form keeps what was typed."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from aiohttp import web

from bot.web.pages import actor_of, form_of, redirect, services_of
from bot.web.render import render
from bot.web.routing import Access, Routes
from faq.kb import FOLLOW_UPS, Audience, Entry
from services import knowledge
from services.knowledge import KnowledgeRefused
from storage.kb_revisions import RETIRED, Revision

RESULTS = {"saved": "web.kb.saved", "added": "web.kb.added", "retired": "web.kb.retired",
           "restored": "web.kb.restored"}
AUDIENCE_TEXT = {Audience.PUBLIC.value: "web.kb.audience_public", Audience.LAWYER.value: "web.kb.audience_lawyer"}
_SEPARATORS = re.compile(r"[\s,，、;；]+")


@dataclass
class Diff:
    """What one revision changed against the one before it (or the file)."""

    added: list[str] = field(default_factory=list)  # phrasings
    removed: list[str] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)  # changed answer lines, "+ …" / "- …"
    other: list[str] = field(default_factory=list)  # the names of the other fields changed


def diff(before: dict | None, after: dict) -> Diff:
    before = before or {}
    old, new = before.get("phrasings", []), after.get("phrasings", [])
    lines = difflib.ndiff(str(before.get("answer", "")).splitlines(), str(after.get("answer", "")).splitlines())
    return Diff(
        added=[p for p in new if p not in old], removed=[p for p in old if p not in new],
        answer=[line for line in lines if line[:1] in "+-"],
        other=[k for k in knowledge.EDITABLE if k not in ("phrasings", "answer") and before.get(k) != after.get(k)],
    )


def _event(before: dict | None, revision: Revision) -> str | None:
    """A revision that retired or restored its entry, by the catalog id that says so."""
    if revision.retired:
        return "web.kb.history_retired"
    return "web.kb.history_restored" if before and before.get(RETIRED) is True else None


def _form_of_entry(entry: Entry, based_on: int) -> dict:
    """What the edit form shows for an entry as it is in use."""
    return {
        "id": entry.id, "audience": entry.audience.value, "question": entry.question,
        "phrasings": "\n".join(entry.phrasings), "answer": entry.answer, "source": entry.source,
        "keywords": "\n".join(entry.keywords), "related": " ".join(entry.related), "buttons": list(entry.buttons),
        "guidance": entry.guidance, "note": "", "based_on": str(based_on),
    }


def _typed(form: dict[str, str]) -> dict:
    """The form as typed, to show again when a save is refused."""
    return form | {"buttons": [b for b in FOLLOW_UPS if form.get(f"button_{b}")], "guidance": bool(form.get("guidance"))}


def _fields(typed: dict) -> dict:
    """The entry the form describes: phrasings and keywords one a line, related ids split on spaces or commas."""
    return {
        "id": typed.get("id", ""), "audience": typed.get("audience", ""), "question": typed.get("question", ""),
        "phrasings": [line.strip() for line in typed.get("phrasings", "").splitlines() if line.strip()],
        "answer": typed.get("answer", "").replace("\r\n", "\n"), "source": typed.get("source", ""),
        "keywords": [line.strip() for line in typed.get("keywords", "").splitlines() if line.strip()],
        "related": [r for r in _SEPARATORS.split(typed.get("related", "")) if r],
        "buttons": typed["buttons"], "guidance": typed["guidance"],
    }


async def listing(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    query = request.query.get("q", "")
    return render(request, "kb_entries.html", audience_text=AUDIENCE_TEXT, query=query,
                  entries=knowledge.find(services, actor, query), retired=await knowledge.retired(services, actor),
                  result=RESULTS.get(request.query.get("result", "")))


async def _entry_page(request: web.Request, entry_id: str, form: dict | None = None, refused: str | None = None,
                      status: int = 200) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    revisions = await knowledge.history(services, actor, entry_id)
    entry = services.matcher.kb.get(entry_id)
    retired = entry is None and bool(revisions) and revisions[0].retired
    if retired:
        entry = knowledge.as_entry(revisions[0])
    if entry is None:
        raise web.HTTPNotFound()
    shipped = knowledge.shipped(services, entry_id)
    bodies = [r.body for r in revisions] + [shipped]
    changes = [(r, diff(before, r.body), _event(before, r)) for r, before in zip(revisions, bodies[1:])]
    return render(request, "kb_entry.html", status=status, entry=entry, new=False, refused=refused, retired=retired,
                  form=form or _form_of_entry(entry, revisions[0].id if revisions else 0), changes=changes,
                  follow_ups=FOLLOW_UPS, audiences=list(Audience), audience_text=AUDIENCE_TEXT, result=RESULTS.get(request.query.get("result", "")))


async def entry_page(request: web.Request) -> web.StreamResponse:
    return await _entry_page(request, request.match_info["entry_id"])


async def save(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    entry_id = request.match_info["entry_id"]
    if services.matcher.kb.get(entry_id) is None:
        raise web.HTTPNotFound()
    typed = _typed(await form_of(request)) | {"id": entry_id}
    based_on = typed.get("based_on", "")
    try:
        await knowledge.save_entry(services, actor, _fields(typed), typed.get("note", ""), services.clock(),
                                   int(based_on) if based_on.isdecimal() else -1)
    except KnowledgeRefused as exc:
        return await _entry_page(request, entry_id, typed, services.texts(exc.text_id, **exc.fields), 400)
    return redirect(f"/knowledge/entries/{entry_id}", result="saved")


def _blank() -> dict:
    return {"id": "", "audience": Audience.PUBLIC.value, "question": "", "phrasings": "", "answer": "", "source": "",
            "keywords": "", "related": "", "buttons": [], "guidance": False, "note": ""}


def _new_page(request: web.Request, form: dict, refused: str | None = None, status: int = 200) -> web.Response:
    return render(request, "kb_entry.html", status=status, entry=None, new=True, refused=refused, retired=False,
                  form=form, changes=[], follow_ups=FOLLOW_UPS, audiences=list(Audience), audience_text=AUDIENCE_TEXT,
                  result=None)


async def new_form(request: web.Request) -> web.StreamResponse:
    return _new_page(request, _blank())


async def create(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    typed = _blank() | _typed(await form_of(request))
    try:
        await knowledge.save_entry(services, actor, _fields(typed), typed.get("note", ""), services.clock(), None)
    except KnowledgeRefused as exc:
        return _new_page(request, typed, services.texts(exc.text_id, **exc.fields), 400)
    return redirect(f"/knowledge/entries/{typed['id']}", result="added")


async def _retire_page(request: web.Request, reason: str = "", refused: str | None = None,
                       status: int = 200) -> web.StreamResponse:
    """The confirm step of 停用: what it does, the entries that link to this one, and the reason."""
    services, actor = services_of(request), actor_of(request)
    entry_id = request.match_info["entry_id"]
    pointing = knowledge.pointing_at(services, actor, entry_id)
    entry = services.matcher.kb.get(entry_id)
    if entry is None:
        raise web.HTTPNotFound()
    return render(request, "kb_retire.html", status=status, entry=entry, reason=reason, refused=refused,
                  pointing=pointing)


async def retire_form(request: web.Request) -> web.StreamResponse:
    return await _retire_page(request)


async def retire(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    entry_id, reason = request.match_info["entry_id"], (await form_of(request)).get("reason", "")
    try:
        await knowledge.retire(services, actor, entry_id, reason, services.clock())
    except KnowledgeRefused as exc:
        if exc.text_id == "web.kb.not_found":
            raise web.HTTPNotFound() from None
        return await _retire_page(request, reason, services.texts(exc.text_id, **exc.fields), 400)
    return redirect(f"/knowledge/entries/{entry_id}", result="retired")


async def restore(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    entry_id = request.match_info["entry_id"]
    try:
        await knowledge.restore(services, actor, entry_id, (await form_of(request)).get("note", ""), services.clock())
    except KnowledgeRefused as exc:
        return await _entry_page(request, entry_id, refused=services.texts(exc.text_id, **exc.fields), status=400)
    return redirect(f"/knowledge/entries/{entry_id}", result="restored")


def add_routes(routes: Routes) -> None:
    routes.get("/knowledge/entries", listing, Access.STAFF)
    routes.get("/knowledge/entries/{entry_id}", entry_page, Access.STAFF)
    routes.post("/knowledge/entries/{entry_id}", save, Access.STAFF)
    routes.get("/knowledge/entries/{entry_id}/retire", retire_form, Access.STAFF)
    routes.post("/knowledge/entries/{entry_id}/retire", retire, Access.STAFF)
    routes.post("/knowledge/entries/{entry_id}/restore", restore, Access.STAFF)
    routes.get("/knowledge/new", new_form, Access.STAFF)
    routes.post("/knowledge/new", create, Access.STAFF)
