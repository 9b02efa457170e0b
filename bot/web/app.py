"""The web console (管理后台): an aiohttp application over the service layer.

Every route is registered through `Routes` with the roles that may use it, so the role check is
one middleware and no route can be added without saying who may open it (tests/web check every
route for anonymous, lawyer and staff). Middlewares, outermost first: security headers, the
session (30 minutes idle), the role, the CSRF token of every POST.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from bot.web import accounts, auth, bookings, calendar, knowledge, lawyers, mine, points, questions, today
from bot.web.pages import redirect
from bot.web.render import RENDERER, Renderer, render
from bot.web.routing import SERVICES, Access, Handler, Routes, route_of
from faq.kb import read_files
from services import calendar_admin
from services import knowledge as knowledge_service
from services.context import Services

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
STATIC_NAME = "static"
# Scripts only from this server, no inline script or style, no frames, forms only to this server.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self';"
       " frame-ancestors 'none'; base-uri 'none'")


@web.middleware
async def headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """On every answer, refusals and errors (404, 400) included."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _secure(request, exc)
        raise
    _secure(request, response)
    return response


def _secure(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    if auth.served_over_https(request):
        response.headers["Strict-Transport-Security"] = "max-age=31536000"  # never again over plain HTTP
    if not request.path.startswith("/static/"):
        # Pages show personal data: never kept by the browser or a proxy.
        response.headers["Cache-Control"] = "no-store"


@web.middleware
async def access(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Who may open the route. Only the static files are public without being in the table."""
    route = route_of(request)
    if route is None and request.match_info.http_exception is None and request.match_info.route.name != STATIC_NAME:
        log.error("web: %s %s has no roles in the route table; refused", request.method, request.path)
        return render(request, "refused.html", status=403)
    needed = route.access if route else Access.PUBLIC
    user = request.get(auth.USER)
    if needed == Access.PUBLIC:
        return await handler(request)
    if user is None:
        if request.method == "GET":
            return redirect("/login")
        return render(request, "refused.html", status=403)
    if needed != Access.SIGNED_IN and user.role != needed:
        log.warning("web: %s refused %s %s", user.role, request.method, route.path if route else request.path)
        return render(request, "refused.html", status=403)
    return await handler(request)


@web.middleware
async def csrf(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method == "POST" and not await auth.csrf_ok(request):
        log.warning("web: POST %s without a valid form token", request.path)
        return render(request, "refused.html", status=403)
    return await handler(request)


async def _kept_current(app: web.Application) -> AsyncIterator[None]:
    """A console in its own process (`legalaid web`): its own matcher and the calendar staff keep
    in the database at start-up, then other processes' changes to either, checked every
    CHECK_SECONDS, as the bot's scheduler does on its tick."""
    services: Services = app[SERVICES]
    if services.edition is None:
        await knowledge_service.open_knowledge(services, read_files(services.settings.faq_dir))
    await calendar_admin.refresh(services)

    async def check_every() -> None:
        while True:
            await asyncio.sleep(knowledge_service.CHECK_SECONDS)
            for refresh in (calendar_admin.refresh, knowledge_service.refresh):
                try:
                    await refresh(services)
                except Exception:  # noqa: BLE001 - the next check tries again
                    log.exception("checking for other processes' changes (%s) failed", refresh.__module__)

    task = asyncio.create_task(check_every())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def create_app(services: Services) -> web.Application:
    app = web.Application(middlewares=[headers, auth.session, access, csrf], client_max_size=256 * 1024)
    app[SERVICES] = services
    app[RENDERER] = Renderer(services.texts)
    routes = Routes(app)
    for module in (auth, today, bookings, calendar, questions, mine, points, lawyers, knowledge, accounts):
        module.add_routes(routes)
    app.cleanup_ctx.append(_kept_current)
    app.router.add_static("/static/", STATIC, name=STATIC_NAME)
    return app
