"""律师 (staff): the roster with who is bound and on duty, and registering a lawyer (the one-time
code for /register is shown once, on the page that follows)."""

from __future__ import annotations

from aiohttp import web

from bot.web.pages import actor_of, form_of, refusals, services_of
from bot.web.render import render
from bot.web.routing import Access, Routes
from services import lawyers


async def listing(request: web.Request, added: tuple | None = None) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    return render(request, "lawyers.html", roster=await lawyers.roster(services, actor), added=added)


@refusals
async def add(request: web.Request) -> web.StreamResponse:
    services, actor, form = services_of(request), actor_of(request), await form_of(request)
    if not form.get("name") or not form.get("firm"):
        raise ValueError("name and firm are needed")
    lawyer, code = await lawyers.add_lawyer(services, actor, form["name"], form["firm"], services.clock())
    # Shown in this response only, never in a URL: the code binds a chat account to the lawyer.
    return await listing(request, (lawyer, code))


def add_routes(routes: Routes) -> None:
    routes.get("/lawyers", listing, Access.STAFF)
    routes.post("/lawyers/add", add, Access.STAFF)
