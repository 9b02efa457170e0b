"""日历与名额 (staff): places per county and half-day, closed days with the visits already booked on
them, and the State Council's holiday notice for years the calendar package does not know. Every
change is shown with who and when. Over services.calendar_admin, like the CLI could be."""

from __future__ import annotations


from aiohttp import web

from bot.web.pages import actor_of, day_arg, form_of, number, redirect, refusals, services_of
from bot.web.render import render
from bot.web.routing import Access, Routes
from policy.county_status import County
from services import calendar_admin

RESULTS = ("places", "closed", "reopened", "day", "entered", "unchanged")
CHANGES = ("places", "close", "reopen", "holiday", "workday", "unset", "entered")
# Another process (the bot, a second console) may change the calendar: read its version this often.


async def page(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    await calendar_admin.refresh(services)
    today = services.today()
    found = await calendar_admin.page(services, actor, today)
    result = request.query.get("result")
    return render(request, "calendar_page.html", cal=found, counties=list(County), years=(today.year, today.year + 1),
                  provisional=found.provisional, result=result if result in RESULTS else None)


@refusals
async def places(request: web.Request) -> web.StreamResponse:
    """One county's row: each half-day whose number changed is set (an empty box leaves it)."""
    services, actor, form = services_of(request), actor_of(request), await form_of(request)
    county = County(form.get("county", ""))
    current = await calendar_admin.places(services, actor)
    changed = False
    for window in [w.key for w in services.settings.slot_rules.windows]:
        text = form.get(window, "")
        if not text:
            continue
        wanted = number(text)
        if current.get((county.value, window), services.settings.visit_capacity) != wanted:
            await calendar_admin.set_places(services, actor, county, window, wanted, services.clock())
            changed = True
    return redirect("/calendar", result="places" if changed else "unchanged")


@refusals
async def close(request: web.Request) -> web.StreamResponse:
    services, actor, form = services_of(request), actor_of(request), await form_of(request)
    county = County(form["county"]) if form.get("county") else None
    if not form.get("day"):
        raise web.HTTPBadRequest()
    day = day_arg(form["day"], None)
    await calendar_admin.close_day(services, actor, day, county, form.get("window") or None,
                                   form.get("reason", ""), services.clock())
    return redirect("/calendar", result="closed")


@refusals
async def reopen(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    done = await calendar_admin.reopen(services, actor, number(request.match_info["id"]), services.clock())
    return redirect("/calendar", result="reopened" if done else "unchanged")


@refusals
async def notice_day(request: web.Request) -> web.StreamResponse:
    services, actor, form = services_of(request), actor_of(request), await form_of(request)
    if not form.get("day"):
        raise web.HTTPBadRequest()
    day = day_arg(form["day"], None)
    await calendar_admin.set_day(services, actor, day, form.get("kind", ""), services.clock())
    return redirect("/calendar", result="day")


@refusals
async def entered(request: web.Request) -> web.StreamResponse:
    services, actor, form = services_of(request), actor_of(request), await form_of(request)
    await calendar_admin.enter_year(services, actor, number(form.get("year")), services.clock())
    return redirect("/calendar", result="entered")


def add_routes(routes: Routes) -> None:
    routes.get("/calendar", page, Access.STAFF)
    routes.post("/calendar/places", places, Access.STAFF)
    routes.post("/calendar/close", close, Access.STAFF)
    routes.post("/calendar/closed/{id}/reopen", reopen, Access.STAFF)
    routes.post("/calendar/days", notice_day, Access.STAFF)
    routes.post("/calendar/years", entered, Access.STAFF)
