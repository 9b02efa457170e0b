"""律师 (staff): the roster with who is bound and on the duty switch, the 值班表 of the coming
non-working days (add or remove a lawyer for a day), deactivating a lawyer, and registering one
(the one-time code for /register is shown once, on the page that follows)."""

from __future__ import annotations

from aiohttp import web

from bot.web.pages import actor_of, day_arg, form_of, number, queue, redirect, refusals, services_of
from bot.web.render import render
from bot.web.routing import Access, Routes
from services import duty, lawyers
from services.actor import Actor
from services.context import Services

# ?result= after a change of the 值班表 → what the page says.
DUTY_RESULTS = {"added": "duty.web.result.added", "removed": "duty.web.result.removed",
                "unchanged": "duty.web.result.unchanged"}


async def listing(request: web.Request, added: tuple | None = None) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    roster = await lawyers.roster(services, actor)
    days = await duty.roster(services, actor, services.today())
    return render(request, "lawyers.html", roster=roster, added=added, days=days,
                  choosable=[x for x in roster if x.active], result=DUTY_RESULTS.get(request.query.get("result", "")))


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


async def change_roster(services: Services, actor: Actor, action: str, form: dict[str, str], lawyer_id: int) -> str:
    """Add or remove one 值班表 entry (staff for anyone, a lawyer for themself); the result's key."""
    now = services.clock()
    if not form.get("day"):
        raise ValueError("which day?")
    day = day_arg(form["day"], services.today(now))
    done = await (duty.add if action == "add" else duty.remove)(services, actor, day, lawyer_id, now)
    await queue(services, done.notices)
    return ("added" if action == "add" else "removed") if done.value else "unchanged"


@refusals
async def roster_change(request: web.Request) -> web.StreamResponse:
    services, actor, form = services_of(request), actor_of(request), await form_of(request)
    result = await change_roster(services, actor, request.match_info["action"], form, number(form.get("lawyer")))
    return redirect("/lawyers", result=result)


def add_routes(routes: Routes) -> None:
    routes.get("/lawyers", listing, Access.STAFF)
    routes.post("/lawyers/add", add, Access.STAFF)
    routes.post("/lawyers/{id}/{action:on-duty|off-duty|deactivate|activate}", change, Access.STAFF)
    routes.post("/lawyers/duty/{action:add|remove}", roster_change, Access.STAFF)
