"""A lawyer's own pages: 我的留言 (claim, answer, the follow-up; the resident gets the answer in
their chat through the outbox, with the +5 of 4号 二(一)9 on a non-working day; below, their own
days on the 值班表, where they put themself down or take themself off, 4号 一(三) 自主报名) and 我的积分
(statements by quarter, and a correction request within 5 days of finding an omission, 二(四))."""

from __future__ import annotations

from aiohttp import web

from bot.web.pages import actor_of, day_arg, form_of, number, queue, redirect, refusals, services_of
from bot.web.render import render
from bot.web.lawyers import DUTY_RESULTS, change_roster
from bot.web.routing import Access, Routes
from policy.points import quarter_of
from services import consultations, duty, overview, points
from storage.consultations import Answered, Claim

RESULTS = {*Claim, *Answered, "correction_filed"}


async def listing(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    days = await duty.my_days(services, actor, services.today())
    return render(request, "my_questions.html", rows=await overview.questions(services, actor),
                  me=actor.lawyer.id, days=days, result=DUTY_RESULTS.get(request.query.get("result", "")))


@refusals
async def duty_change(request: web.Request) -> web.StreamResponse:
    """自主报名: a lawyer puts themself down for a non-working day, or takes themself off."""
    services, actor, form = services_of(request), actor_of(request), await form_of(request)
    result = await change_roster(services, actor, request.match_info["action"], form, actor.lawyer.id)
    return redirect("/my/questions", result=result)


@refusals
async def detail(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    c = await overview.question(services, actor, number(request.match_info["id"]), services.clock())
    if c is None:
        raise web.HTTPNotFound()
    result = request.query.get("result")
    return render(request, "my_question.html", c=c, me=actor.lawyer.id, result=result if result in RESULTS else None)


@refusals
async def claim(request: web.Request) -> web.StreamResponse:
    services, actor, question_id = services_of(request), actor_of(request), number(request.match_info["id"])
    result = await consultations.claim(services, actor, question_id, services.clock())
    return redirect(f"/my/questions/{question_id}", result=result.value)


@refusals
async def answer(request: web.Request) -> web.StreamResponse:
    services, actor, question_id = services_of(request), actor_of(request), number(request.match_info["id"])
    text = (await form_of(request)).get("answer", "")
    c = await services.consultations.get(question_id)
    if c is None:
        raise web.HTTPNotFound()
    if not text:
        raise ValueError("empty answer")
    result = await consultations.answer(services, actor, c, text, services.clock())
    return redirect(f"/my/questions/{question_id}", result=result.status.value)


@refusals
async def my_points(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    today = services.today()
    year = number(request.query.get("year", str(today.year)))
    quarter = number(request.query.get("quarter", str(quarter_of(today))))
    statement = await points.statement(services, actor, actor.lawyer.id, year, quarter if 1 <= quarter <= 4 else None)
    result = request.query.get("result")
    return render(request, "my_points.html", statement=statement, year=year, quarter=quarter,
                  result=result if result in RESULTS else None)


@refusals
async def correction(request: web.Request) -> web.StreamResponse:
    services, actor, form = services_of(request), actor_of(request), await form_of(request)
    now = services.clock()
    found = day_arg(form.get("discovered_on"), services.today(now))
    done = await points.file_correction(services, actor, number(form.get("year")), number(form.get("quarter")),
                                        form.get("text", ""), found, now)
    await queue(services, done.notices)
    return redirect("/my/points", result="correction_filed")


def add_routes(routes: Routes) -> None:
    routes.get("/my/questions", listing, Access.LAWYER)
    routes.get("/my/questions/{id}", detail, Access.LAWYER)
    routes.post("/my/questions/{id}/claim", claim, Access.LAWYER)
    routes.post("/my/questions/{id}/answer", answer, Access.LAWYER)
    routes.post("/my/duty/{action:add|remove}", duty_change, Access.LAWYER)
    routes.get("/my/points", my_points, Access.LAWYER)
    routes.post("/my/points/correction", correction, Access.LAWYER)
