"""留言 (staff): every question with its status and age; a question's words, answer and follow-up
(the read is logged); re-assigning a claimed question to another lawyer."""

from __future__ import annotations

from aiohttp import web

from bot.web.pages import actor_of, form_of, number, queue, redirect, refusals, services_of
from bot.web.render import render
from bot.web.routing import Access, Routes
from services import consultations, lawyers, overview

RESULTS = ("reassigned", "not_reassigned")


async def listing(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    return render(request, "questions.html", rows=await overview.questions(services, actor))


async def detail(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    c = await overview.question(services, actor, number(request.match_info["id"]), services.clock())
    if c is None:
        raise web.HTTPNotFound()
    lawyer = await services.ledger.get_lawyer(c.lawyer_id) if c.lawyer_id else None
    roster = [x for x in await lawyers.roster(services, actor) if x.active and x.bound]
    result = request.query.get("result")
    return render(request, "question.html", c=c, lawyer=lawyer, roster=roster,
                  result=result if result in RESULTS else None)


@refusals
async def reassign(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    question_id, form = number(request.match_info["id"]), await form_of(request)
    done = await consultations.reassign(services, actor, question_id, number(form.get("lawyer")), services.clock())
    await queue(services, done.notices)
    return redirect(f"/questions/{question_id}", result=RESULTS[0] if done.value else RESULTS[1])


def add_routes(routes: Routes) -> None:
    routes.get("/questions", listing, Access.STAFF)
    routes.get("/questions/{id}", detail, Access.STAFF)
    routes.post("/questions/{id}/reassign", reassign, Access.STAFF)
