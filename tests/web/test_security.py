"""The console's locks: every route checks the role (a test per route and role, taken from the
app's own route table, so a new route cannot escape), form tokens, sign-in throttling with a
lock-out staff can lift, 30 minutes idle, the CSP header, and nothing personal in URLs or logs."""

from __future__ import annotations

import logging
import re
from types import SimpleNamespace

import pytest
from aiohttp import web

from bot.web.app import create_app
from bot.web.routing import ROUTES, Access
from common.catalog import load_catalog
from services.accounts import MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS
from tests.web.conftest import LAWYER_PASSWORD, STAFF_PASSWORD

PARAM = re.compile(r"\{(\w+)(?::([^}]+))?\}")


def route_table():
    app = create_app(SimpleNamespace(texts=load_catalog()))
    registered = {(r.method, r.resource.canonical) for r in app.router.routes()
                  if r.method != "HEAD" and not r.resource.canonical.startswith("/static")}
    return app[ROUTES], registered


def test_every_route_is_registered_with_the_roles_that_may_open_it():
    table, registered = route_table()
    assert registered == set(table)
    assert all(isinstance(route.access, Access) for route in table.values())


def concrete(path: str, ref: str) -> str:
    """A path with its parameters filled: the booking made for the test, id 1, the last action."""
    def fill(m: re.Match) -> str:
        name, pattern = m.group(1), m.group(2)
        return ref if name == "ref" else pattern.split("|")[-1] if pattern else "1"
    return PARAM.sub(fill, path)


ROUTE_DEFS = sorted(route_table()[0].values(), key=lambda r: (r.path, r.method))


@pytest.mark.parametrize("role", ["anonymous", "lawyer", "staff"])
@pytest.mark.parametrize("route", ROUTE_DEFS, ids=[f"{r.method} {r.path}" for r in ROUTE_DEFS])
async def test_each_route_admits_exactly_its_roles(route, role, make_console, people, ref):
    console = await make_console()
    if role != "anonymous":
        await console.sign_in("admin" if role == "staff" else "wang",
                              STAFF_PASSWORD if role == "staff" else LAWYER_PASSWORD)
    else:
        await console.get("/login")  # the sign-in page's token: a POST is refused for the role, not the token
    path = concrete(route.path, ref)
    if route.method == "GET":
        response = await console.get(path)
    else:
        response = await console.post(path, {"reason": "测试", "note": "测试", "password": "x"})
    admitted = route.access == Access.PUBLIC or (role != "anonymous" and route.access in (Access.SIGNED_IN, role))
    if admitted:
        assert response.status != 403, console.last[:300]  # 401 is a wrong password at /login
    elif role == "anonymous" and route.method == "GET":
        assert (response.status, response.headers.get("Location")) == (303, "/login")
    else:
        assert response.status == 403
        assert load_catalog()("web.refused.text") in console.last or role == "anonymous"


async def test_a_form_without_its_token_is_refused_and_changes_nothing(rt, staff, ref):
    response = await staff.post(f"/bookings/{ref}/cancel", {"reason": "x"}, csrf=False)
    assert response.status == 403
    response = await staff.client.post(f"/bookings/{ref}/cancel", data={"reason": "x", "csrf": "forged"},
                                       allow_redirects=False)
    assert response.status == 403
    assert (await rt.services.bookings.get(ref)).status == "active"


async def test_signing_in_needs_the_sign_in_page_s_token(make_console, people):
    console = await make_console()
    response = await console.post("/login", {"name": "admin", "password": STAFF_PASSWORD}, csrf=False)
    assert response.status == 403


async def test_an_account_is_locked_after_repeated_failures_until_staff_lift_it(make_console, staff, people):
    console = await make_console()
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert (await console.sign_in("wang", "wrong-password")).status == 401
    response = await console.sign_in("wang", LAWYER_PASSWORD)
    assert response.status == 429 and load_catalog()("web.login.locked") in console.last
    await staff.get("/accounts")
    assert load_catalog()("web.accounts.locked") in staff.last
    assert (await staff.post(f"/accounts/{people.lawyer_user_id}/lift")).status == 303
    assert (await console.sign_in("wang", LAWYER_PASSWORD)).status == 303


async def test_an_address_trying_many_names_is_locked_for_every_name(make_console, people):
    console = await make_console()
    for n in range(MAX_FAILURES_PER_ADDRESS):
        await console.sign_in(f"guess{n}", "wrong-password")
    assert (await console.sign_in("admin", STAFF_PASSWORD)).status == 429


async def test_a_session_ends_after_thirty_idle_minutes(staff, clock):
    clock.advance(minutes=29)
    assert (await staff.get("/")).status == 200
    clock.advance(minutes=29)  # active a moment ago: still signed in
    assert (await staff.get("/")).status == 200
    clock.advance(minutes=31)
    response = await staff.get("/")
    assert (response.status, response.headers["Location"]) == (303, "/login")
    assert (await staff.get("/bookings")).status == 303  # the session is gone, not just refused once


async def test_signing_out_ends_the_session(staff):
    assert (await staff.post("/logout")).status == 303
    assert (await staff.get("/")).status == 303


async def test_a_disabled_account_is_signed_out_at_once(staff, lawyer, people):
    await staff.get("/accounts")
    await staff.post(f"/accounts/{people.lawyer_user_id}/disable")
    assert (await lawyer.get("/my/questions")).status == 303


async def test_cookies_are_http_only_and_same_site_strict(make_console, people):
    console = await make_console()
    await console.get("/login")
    response = await console.post("/login", {"name": "admin", "password": STAFF_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on loopback; Secure when served over HTTPS


async def test_every_page_has_a_content_security_policy_and_is_not_cached(staff, ref):
    for path in ("/", "/bookings", f"/bookings/{ref}", "/login"):
        response = await staff.get(path)
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"
        assert "<script>" not in staff.last and "style=" not in staff.last


async def test_no_personal_data_in_urls_or_logs(rt, staff, people, ref, caplog):
    caplog.set_level(logging.INFO)
    secrets_of_the_resident = ("13812345678", "张桂英", "某某村12号", "想立遗嘱", "elder-1")
    await staff.post(f"/bookings/{ref}/show")
    shown = staff.last
    urls = re.findall(r'(?:href|action)="([^"]*)"', shown)
    await staff.post(f"/bookings/{ref}/assign", {"lawyer": str(people.lawyer_id)})
    response = await staff.post(f"/bookings/{ref}/cancel", {"reason": "律师生病"})
    urls.append(response.headers["Location"])
    for path in ("/", "/bookings", "/questions", "/accounts", "/bookings/sheet"):
        await staff.get(path)
        urls += re.findall(r'(?:href|action)="([^"]*)"', staff.last)
    assert urls and not [u for u in urls if any(s in u for s in secrets_of_the_resident)]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not [s for s in secrets_of_the_resident + (STAFF_PASSWORD,) if s in logged]


def test_templates_hold_markup_and_the_catalog_holds_the_words():
    from bot.web.render import TEMPLATES

    chinese = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
    assert [p.name for p in TEMPLATES.glob("*.html") if chinese.search(p.read_text("utf-8"))] == []
