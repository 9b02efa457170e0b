"""积分 (staff): one lawyer's statement with who entered each line and when, an entry from the
catalogue (the form offers 二(一)9 only for a non-working day; every entry passes the ledger's
rules), reversing an entry with a note, the corrections queue, and the ranking as a file."""

from __future__ import annotations

from aiohttp import web

from bot.web.pages import actor_of, day_arg, form_of, number, redirect, refusals, services_of, queue
from bot.web.render import render
from bot.web.routing import Access, Routes
from common.exports import FORMATS
from policy.ledger import NON_WORKDAY_CONSULT_KEY
from policy.points import AWARDS, DEDUCTIONS, VETOES, quarter_of
from services import lawyers, points

RESULTS = ("added", "reversed", "decided")


def _optional(text: str | None) -> int | None:
    return number(text) if text else None


@refusals
async def page(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    today = services.today()
    roster = await lawyers.roster(services, actor)
    chosen = _optional(request.query.get("lawyer")) or (roster[0].id if roster else None)
    year = number(request.query.get("year", str(today.year)))
    quarter = _optional(request.query.get("quarter"))
    day = day_arg(request.query.get("day"), today)
    statement = await points.statement(services, actor, chosen, year, quarter) if chosen else None
    items = [i for i in AWARDS + DEDUCTIONS + VETOES
             if i.key != NON_WORKDAY_CONSULT_KEY or not services.calendar.is_workday(day)]
    result = request.query.get("result")
    return render(request, "points.html", roster=roster, chosen=chosen, year=year, quarter=quarter, day=day,
                  statement=statement, items=items, waiting=await points.waiting_corrections(services, actor),
                  formats=FORMATS, quarters=(1, 2, 3, 4), current_quarter=quarter_of(today),
                  result=result if result in RESULTS else None)


@refusals
async def add(request: web.Request) -> web.StreamResponse:
    services, actor, form = services_of(request), actor_of(request), await form_of(request)
    lawyer_id, item = number(form.get("lawyer")), form.get("item", "")
    day = day_arg(form.get("day"), services.clock().date())
    discretionary = item == "other_award"  # 二(一)12: the number typed is its points
    await points.add_entry(services, actor, lawyer_id, item, day, services.clock(), note=form.get("note", ""),
                           points=_optional(form.get("points")) if discretionary else None,
                           quantity=_optional(form.get("quantity")) or 1, people=_optional(form.get("people")))
    return redirect("/points", lawyer=lawyer_id, year=day.year, result="added")


@refusals
async def reverse(request: web.Request) -> web.StreamResponse:
    services, actor, form = services_of(request), actor_of(request), await form_of(request)
    entry = await points.reverse(services, actor, number(request.match_info["id"]), form.get("note", ""),
                                 services.clock())
    return redirect("/points", lawyer=entry.lawyer_id, year=entry.occurred_on.year, result="reversed")


@refusals
async def decide(request: web.Request) -> web.StreamResponse:
    services, actor, form = services_of(request), actor_of(request), await form_of(request)
    done = await points.decide_correction(services, actor, number(request.match_info["id"]),
                                          form.get("decision") == "accept", form.get("reason", ""), services.clock())
    await queue(services, done.notices)
    return redirect("/points", lawyer=done.value.lawyer_id, year=done.value.year, result="decided")


@refusals
async def export(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    fmt = request.query.get("format", "xlsx")
    if fmt not in FORMATS:
        raise web.HTTPBadRequest()
    year, quarter = number(request.query.get("year")), _optional(request.query.get("quarter"))
    document = await points.report(services, actor, year, quarter, fmt)
    return web.Response(body=document.content, content_type=document.mime_type,
                        headers={"Content-Disposition": f'attachment; filename="{document.filename}"'})


def add_routes(routes: Routes) -> None:
    routes.get("/points", page, Access.STAFF)
    routes.post("/points/add", add, Access.STAFF)
    routes.post("/points/entries/{id}/reverse", reverse, Access.STAFF)
    routes.post("/points/corrections/{id}", decide, Access.STAFF)
    routes.get("/points/export", export, Access.STAFF)
