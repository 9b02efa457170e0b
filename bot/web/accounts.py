"""账号与日志 (staff): the console's accounts and roles, lock-outs to lift, and the access log of
personal data (every 显示, day sheet, export and question read)."""

from __future__ import annotations

from aiohttp import web

from bot.web.pages import actor_of, form_of, number, redirect, refusals, services_of
from bot.web.render import render
from bot.web.routing import Access, Routes
from services import accounts, lawyers
from services.accounts import UserExists, WeakPassword, WebRole

RESULTS = ("added", "disabled", "enabled", "lifted", "password_set", "exists", "weak")


async def page(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    result = request.query.get("result")
    return render(request, "accounts.html", users=await accounts.list_users(services, actor),
                  locked=await accounts.locked(services, actor, services.clock()),
                  roster=await lawyers.roster(services, actor), log=await services.store.access_log(200),
                  result=result if result in RESULTS else None, min_password=accounts.MIN_PASSWORD)


async def _password(request: web.Request) -> str:
    """As typed: sign-in does not trim a password, so setting one must not either."""
    value = (await request.post()).get("password", "")
    return value if isinstance(value, str) else ""


@refusals
async def add(request: web.Request) -> web.StreamResponse:
    services, actor, form = services_of(request), actor_of(request), await form_of(request)
    role = WebRole(form.get("role", ""))
    lawyer = number(form.get("lawyer")) if role == WebRole.LAWYER else None
    try:
        await accounts.add_user(services, actor, form.get("name", ""), role, lawyer, await _password(request),
                                services.clock())
    except UserExists:
        return redirect("/accounts", result="exists")
    except WeakPassword:
        return redirect("/accounts", result="weak")
    return redirect("/accounts", result="added")


@refusals
async def change(request: web.Request) -> web.StreamResponse:
    services, actor = services_of(request), actor_of(request)
    user_id, action = number(request.match_info["id"]), request.match_info["action"]
    user = next((u for u in await accounts.list_users(services, actor) if u.id == user_id), None)
    if user is None:
        raise web.HTTPNotFound()
    if action in ("disable", "enable"):
        await accounts.set_active(services, actor, user.name, action == "enable")
        return redirect("/accounts", result=f"{action}d")
    if action == "lift":
        await accounts.lift(services, actor, user.name, services.clock())
        return redirect("/accounts", result="lifted")
    try:
        await accounts.reset_password(services, actor, user.name, await _password(request))
    except WeakPassword:
        return redirect("/accounts", result="weak")
    return redirect("/accounts", result="password_set")


def add_routes(routes: Routes) -> None:
    routes.get("/accounts", page, Access.STAFF)
    routes.post("/accounts/add", add, Access.STAFF)
    routes.post("/accounts/{id}/{action:disable|enable|lift|password}", change, Access.STAFF)
