"""知识库 (staff): the questions the knowledge base answered only with "您是想问" or "答不好", most
frequent first, each with the 3 entries the matcher ranks first and one click to add it as a
phrasing of one of them; the entries themselves (kb_entries.py) and the county status table
(counties.py) hang off this page.

Edits are saved as revisions and this process's matcher is rebuilt at once; the console also
looks every half minute for edits another process saved (the bot's scheduler does the same)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiohttp import web

from bot.web import counties, kb_entries
from bot.web.pages import actor_of, form_of, redirect, services_of
from bot.web.render import render
from bot.web.routing import Access, Routes
from services import knowledge, misses
from services.knowledge import KnowledgeRefused

DAYS = (7, 30, 365)
RESULTS = {"added": "web.kb.phrasing_added", "held": "web.kb.phrasing_held"}


def _days(text: str | None) -> int:
    return int(text) if text in {str(d) for d in DAYS} else 30


async def page(request: web.Request) -> web.StreamResponse:
    return await _misses(request, _days(request.query.get("days")), result=RESULTS.get(request.query.get("result", "")))


async def _misses(request: web.Request, days: int, result: str | None = None, refused: str | None = None,
                  status: int = 200) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    rows = await misses.misses(services, actor, services.clock() - timedelta(days=days), 100)
    # Ranking 100 questions takes a few hundred ms of CPU: off the event loop.
    ranked = await asyncio.to_thread(knowledge.ranked, services, [m.question for m in rows])
    return render(request, "knowledge.html", status=status, rows=list(zip(rows, ranked)), days=days,
                  choices=DAYS, result=result, refused=refused)


async def add_phrasing(request: web.Request) -> web.StreamResponse:
    services, actor, form = services_of(request), actor_of(request), await form_of(request)
    days = _days(form.get("days"))
    try:
        answered = await knowledge.add_phrasing(services, actor, form.get("entry", ""), form.get("question", ""),
                                                services.clock())
    except KnowledgeRefused as exc:
        return await _misses(request, days, refused=services.texts(exc.text_id, **exc.fields), status=400)
    return redirect("/knowledge", days=days, result="added" if answered else "held")


def add_routes(routes: Routes) -> None:
    """The 知识库 pages."""
    routes.get("/knowledge", page, Access.STAFF)
    routes.post("/knowledge/phrasing", add_phrasing, Access.STAFF)
    kb_entries.add_routes(routes)
    counties.add_routes(routes)
