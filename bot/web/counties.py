"""县(市、区)实行情况 (staff): whether each county applies the measures 3号 二 leaves to "有条件的县(市、区)",
since when, where staff read it, and who recorded it when; the check and the answers follow it at once."""

from __future__ import annotations

from aiohttp import web

from bot.eligibility_cli import STATUS_TEXT
from bot.web.pages import actor_of, day_arg, form_of, redirect, refusals, services_of
from bot.web.render import render
from bot.web.routing import Access, Routes
from policy.county_status import County, CountyStatus
from services import county_status

async def page(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    saved = request.query.get("saved")
    return render(request, "county_status.html", rows=await county_status.table(services, actor), status_text=STATUS_TEXT,
                  saved=saved if saved in {c.value for c in County} else None)


@refusals
async def record(request: web.Request) -> web.StreamResponse:
    services, actor, form = services_of(request), actor_of(request), await form_of(request)
    county, status = County(form.get("county", "")), CountyStatus(form.get("status", ""))
    since = day_arg(form.get("since"), None) if form.get("since") else None
    await county_status.record(services, actor, county, status, since, form.get("source", ""), services.clock())
    return redirect("/knowledge/counties", saved=county.value)


def add_routes(routes: Routes) -> None:
    routes.get("/knowledge/counties", page, Access.STAFF)
    routes.post("/knowledge/counties", record, Access.STAFF)
