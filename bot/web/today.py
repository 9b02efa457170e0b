"""今天: the visits of today and tomorrow by county and half-day, questions nobody claimed in time,
corrections waiting, and this week's knowledge-base misses. A lawyer starts at 我的留言."""

from __future__ import annotations

from itertools import groupby

from aiohttp import web

from bot.web.pages import actor_of, redirect, services_of
from bot.web.render import render
from bot.web.routing import Access, Routes
from services import calendar_status, overview
from services.actor import Role


def by_county(bookings: list) -> list[tuple[str, list]]:
    ordered = sorted(bookings, key=lambda b: (b.county, b.window, b.seat))
    return [(county, list(group)) for county, group in groupby(ordered, key=lambda b: b.county)]


async def start(request: web.Request) -> web.StreamResponse:
    actor = actor_of(request)
    if actor.role != Role.STAFF:
        return redirect("/my/questions")
    services = services_of(request)
    day = await overview.today(services, actor, services.clock())
    local = services.today()
    return render(request, "today.html", day=day, today_groups=by_county(day.today),
                  tomorrow_groups=by_county(day.tomorrow), timeout=services.settings.claim_timeout_minutes,
                  who=await overview.who_goes(services, actor, day.today + day.tomorrow),
                  provisional=calendar_status.provisional_years(services, local))


def add_routes(routes: Routes) -> None:
    routes.get("/", start, Access.SIGNED_IN)
