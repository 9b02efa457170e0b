"""律师 (staff): the roster with who is bound and on duty, the duty roster (who is sent new
questions, e.g. on non-working days), deactivating a lawyer, and registering one (the one-time
code for /register is shown once, on the page that follows)."""

from __future__ import annotations

from aiohttp import web

from bot.web.pages import actor_of, form_of, number, redirect, refusals, services_of
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


@refusals
async def change(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    lawyer_id, action = number(request.match_info["id"]), request.match_info["action"]
    if action in ("on-duty", "off-duty"):
        await lawyers.set_duty(services, actor, lawyer_id, action == "on-duty")
    else:
        await lawyers.set_active(services, actor, lawyer_id, action == "activate")
    return redirect("/lawyers")


def add_routes(routes: Routes) -> None:
    routes.get("/lawyers", listing, Access.STAFF)
    routes.post("/lawyers/add", add, Access.STAFF)
    routes.post("/lawyers/{id}/{action:on-duty|off-duty|deactivate|activate}", change, Access.STAFF)
