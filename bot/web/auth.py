"""Signing in and out, and the session of every request.

The cookie holds a random token; the database keeps only its SHA-256, the account and the form
token (CSRF) of the session. Cookies are HttpOnly, SameSite=Strict, and Secure when the console
is served over HTTPS (directly, or behind a trusted proxy: bot/web/client.py); a session idle for
30 minutes, 12 hours old, or of an account no longer allowed in is closed. Signing in closes the
browser's earlier session. Before signing in, the form token is a double-submit cookie of the
sign-in page. Throttling and hashing: services/accounts.py.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from aiohttp import web

from bot.web.client import client_of
from bot.web.pages import redirect
from bot.web.render import render
from bot.web.routing import ACTOR, CSRF, SERVICES, USER, Access, Handler, Routes
from services import accounts
from services.accounts import SESSION_IDLE, SESSION_MAX_AGE, Locked

log = logging.getLogger(__name__)

SESSION_COOKIE = "legalaid_session"
LOGIN_COOKIE = "legalaid_login"
# last_seen is written at most this often, not on every page.
TOUCH_EVERY = timedelta(seconds=30)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def served_over_https(request: web.Request) -> bool:
    return client_of(request, request.app[SERVICES].settings.web_trusted_proxies).https


def _cookie(response: web.StreamResponse, request: web.Request, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="Strict", secure=served_over_https(request), path="/")


@web.middleware
async def session(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Puts the signed-in user, their actor and their form token on the request. A cookie whose
    session is over (expired, closed, or never ours) is cleared in the answer, so the browser stops
    sending it: the session's row is deleted once, not looked up and deleted on every request."""
    services = request.app[SERVICES]
    token = request.cookies.get(SESSION_COOKIE)
    stale = False
    if token:
        store, now = accounts.users(services), services.clock()
        found = await store.session(_hash(token))
        live = found is not None and now - found.last_seen <= SESSION_IDLE and now - found.created_at <= SESSION_MAX_AGE
        actor = await accounts.actor_for(services, found.user) if live else None
        if live and actor is not None:
            request[USER], request[ACTOR], request[CSRF] = found.user, actor, found.csrf
            if now - found.last_seen > TOUCH_EVERY:
                await store.touch(_hash(token), now)
        else:
            stale = True
            if found is not None:  # expired, or a lawyer deactivated since: gone for good, not suspended
                await store.close_session(_hash(token))
    if USER not in request:
        request[CSRF] = request.cookies.get(LOGIN_COOKIE, "")
    if not stale:
        return await handler(request)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _forget(exc)
        raise
    _forget(response)
    return response


def _forget(response: web.StreamResponse) -> None:
    """Clear the session cookie, unless the answer sets a new one (signing in)."""
    if SESSION_COOKIE not in response.cookies:
        response.del_cookie(SESSION_COOKIE, path="/")


async def csrf_ok(request: web.Request) -> bool:
    expected = request.get(CSRF, "")
    given = (await request.post()).get("csrf", "")
    return bool(expected) and isinstance(given, str) and hmac.compare_digest(expected, given)


async def login_page(request: web.Request) -> web.StreamResponse:
    if USER in request:
        return redirect("/")
    token = request.get(CSRF) or secrets.token_urlsafe(24)
    request[CSRF] = token
    response = render(request, "login.html")
    _cookie(response, request, LOGIN_COOKIE, token)
    return response


async def login(request: web.Request) -> web.StreamResponse:
    services = request.app[SERVICES]
    form = await request.post()
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    now = services.clock()
    try:
        address = client_of(request, services.settings.web_trusted_proxies).address
        signed = await accounts.sign_in(services, name, password, address, now)
    except Locked:
        log.warning("web: sign-in refused, account or address locked")
        return render(request, "login.html", status=429, error="web.login.locked")
    if signed is None:
        log.info("web: sign-in failed")
        return render(request, "login.html", status=401, error="web.login.wrong")
    token, form_token = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    store = accounts.users(services)
    if earlier := request.cookies.get(SESSION_COOKIE):
        await store.close_session(_hash(earlier))  # one session per browser: the old token is dead
    await accounts.drop_old(services, now)  # so the tables stay small between retention runs
    await store.open_session(_hash(token), signed.user.id, form_token, now)
    response = redirect("/")
    _cookie(response, request, SESSION_COOKIE, token)
    response.del_cookie(LOGIN_COOKIE, path="/")
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await accounts.users(request.app[SERVICES]).close_session(_hash(token))
    response = redirect("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


def add_routes(routes: Routes) -> None:
    routes.get("/login", login_page, Access.PUBLIC)
    routes.post("/login", login, Access.PUBLIC)
    routes.post("/logout", logout, Access.SIGNED_IN)
