"""知识库 (staff): the questions the knowledge base answered only with "您是想问" or "答不好",
most frequent first, so the centre knows which answers to write next."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from bot.web.pages import actor_of, services_of
from bot.web.render import render
from bot.web.routing import Access, Routes
from services import misses

DAYS = (7, 30, 365)


async def page(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    days = int(request.query.get("days", "30")) if request.query.get("days", "30") in {str(d) for d in DAYS} else 30
    rows = await misses.misses(services, actor, services.clock() - timedelta(days=days), 100)
    return render(request, "knowledge.html", rows=rows, days=days, choices=DAYS)


def add_routes(routes: Routes) -> None:
    routes.get("/knowledge", page, Access.STAFF)
