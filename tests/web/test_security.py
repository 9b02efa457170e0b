"""The console's locks: every route checks the role (a test per route and role, taken from the
app's own route table, so a new route cannot escape), form tokens, sign-in throttling with a
lock-out staff can lift, 30 minutes idle, the CSP header, and nothing personal in URLs or logs."""

from __future__ import annotations

import dataclasses
import logging
import re
from types import SimpleNamespace

import pytest

from bot.web.app import create_app
from bot.web.routing import ROUTES, Access
from common.catalog import load_catalog
from services import accounts
from services.accounts import MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS
from services.actor import Actor
from tests.web.conftest import LAWYER_PASSWORD, STAFF_PASSWORD
from tests.web.test_work_pages import asked

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
    if role != "anonymous":  # signed in for real: a refused POST must not be an anonymous one
        assert (await console.sign_in("admin" if role == "staff" else "wang",
                                      STAFF_PASSWORD if role == "staff" else LAWYER_PASSWORD)).status == 303
    else:
        await console.get("/login")  # the sign-in page's token: a POST is refused for the role, not the token
    path = concrete(route.path, ref)
    if route.method == "GET":
        response = await console.get(path)
    else:
        response = await console.post(path, {"reason": "测试", "note": "测试", "password": "x"})
    admitted = route.access == Access.PUBLIC or (role != "anonymous" and route.access in (Access.SIGNED_IN, role))
    if admitted:
        # 401 is a wrong password at /login, 400/404 the test's made-up arguments; never 403 or a crash.
        assert response.status != 403 and response.status < 500, console.last[:300]
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


def behind_a_proxy(rt):
    """The console as deployed behind a reverse proxy on this machine (the test client's address)."""
    settings = rt.services.settings.model_copy(update={"web_trusted_proxies": frozenset({"127.0.0.1"})})
    return dataclasses.replace(rt.services, settings=settings)


def from_client(address: str, proto: str = "http") -> dict:
    return {"X-Forwarded-For": f"{address}, 127.0.0.1", "X-Forwarded-Proto": proto}


async def test_behind_a_trusted_proxy_one_outsider_cannot_lock_everyone_out(rt, make_console, people):
    console = await make_console(behind_a_proxy(rt))
    for n in range(MAX_FAILURES_PER_ADDRESS):
        await console.sign_in(f"guess{n}", "wrong-password", headers=from_client("203.0.113.9"))
    assert (await console.sign_in("admin", STAFF_PASSWORD, headers=from_client("203.0.113.9"))).status == 429
    assert (await console.sign_in("admin", STAFF_PASSWORD, headers=from_client("198.51.100.7"))).status == 303


async def test_forwarded_headers_from_an_untrusted_peer_are_ignored(make_console, people):
    console = await make_console()  # no trusted proxy: a client cannot pick its own address
    for n in range(MAX_FAILURES_PER_ADDRESS):
        await console.sign_in(f"guess{n}", "wrong-password", headers=from_client(f"203.0.113.{n}"))
    assert (await console.sign_in("admin", STAFF_PASSWORD, headers=from_client("198.51.100.7"))).status == 429


async def test_behind_a_trusted_https_proxy_cookies_are_secure_with_hsts(rt, make_console, people):
    # (The test client speaks plain HTTP, so it would not send a Secure cookie back: the sign-in
    # page's own cookie shows the flag.)
    console = await make_console(behind_a_proxy(rt))
    response = await console.get("/login", headers=from_client("198.51.100.7", "https"))
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = await make_console()  # the same header from a client directly: not believed
    response = await plain.get("/login", headers=from_client("198.51.100.7", "https"))
    assert "Secure" not in response.headers["Set-Cookie"] and "Strict-Transport-Security" not in response.headers


async def test_the_cli_lifts_every_lock_out_when_nobody_can_sign_in(rt, make_console, people):
    console = await make_console()
    for n in range(MAX_FAILURES_PER_ADDRESS):
        await console.sign_in(f"guess{n}", "wrong-password")
    assert (await console.sign_in("admin", STAFF_PASSWORD)).status == 429
    assert await accounts.lift(rt.services, Actor.staff("cli"), None, rt.now()) == MAX_FAILURES_PER_ADDRESS
    assert (await console.sign_in("admin", STAFF_PASSWORD)).status == 303


def test_passwords_are_hashed_with_argon2id_at_rfc_9106_s_low_memory_cost(cheap_password_hashing):
    # The tests sign in with argon2's cheapest parameters (tests/conftest.py); what ships is this.
    from argon2 import Type, profiles

    shipped = cheap_password_hashing
    assert shipped.type == Type.ID
    low = profiles.RFC_9106_LOW_MEMORY
    assert shipped.hash("a-password-1").startswith(f"$argon2id$v=19$m={low.memory_cost},t={low.time_cost},p={low.parallelism}$")


async def test_a_password_set_in_the_console_is_kept_exactly_as_typed(staff, make_console, people):
    spaced = "  clerk-password  "
    await staff.get("/accounts")
    assert (await staff.post("/accounts/add", {"name": "clerk", "role": "staff", "password": spaced})).status == 303
    console = await make_console()
    assert (await console.sign_in("clerk", spaced)).status == 303
    assert (await (await make_console()).sign_in("clerk", spaced.strip())).status == 401


async def test_signing_in_again_ends_the_browser_s_earlier_session(make_console, people):
    console = await make_console()
    assert (await console.sign_in("admin", STAFF_PASSWORD)).status == 303
    old = console.client.session.cookie_jar.filter_cookies(console.client.make_url("/"))["legalaid_session"].value
    assert (await console.sign_in("admin", STAFF_PASSWORD)).status == 303
    thief = await make_console()
    thief.client.session.cookie_jar.update_cookies({"legalaid_session": old}, console.client.make_url("/"))
    assert (await thief.get("/")).status == 303  # to /login: the old token opens nothing


async def test_a_session_ends_after_twelve_hours_however_busy(staff, clock):
    minutes = 0
    while (await staff.get("/")).status == 200 and minutes < 24 * 60:
        clock.advance(minutes=15)
        minutes += 15
    assert minutes == 12 * 60 + 15  # in use every quarter of an hour, and still closed after 12 hours


async def test_a_deactivated_lawyer_s_session_is_gone_not_suspended(rt, staff, lawyer, people):
    await staff.get("/lawyers")
    await staff.post(f"/lawyers/{people.lawyer_id}/deactivate")
    assert (await lawyer.get("/my/questions")).status == 303
    await staff.post(f"/lawyers/{people.lawyer_id}/activate")
    assert (await lawyer.get("/my/questions")).status == 303  # reactivated: signs in again


async def test_old_sign_in_attempts_and_sessions_are_deleted(rt, make_console, staff, people, clock):
    console = await make_console()
    await console.sign_in("admin", "wrong-password")
    clock.advance(days=2)
    assert await accounts.drop_old(rt.services, rt.now()) >= 3  # the attempts, and both idle sessions
    assert not await rt.services.store.db.fetchall("SELECT * FROM login_attempts")
    assert not await rt.services.store.db.fetchall("SELECT * FROM web_sessions")


async def test_errors_carry_the_security_headers_too(staff):
    for path in ("/bookings/NOPE", "/bookings?from=bad", "/no-such-page"):
        response = await staff.get(path)
        assert response.status in (400, 404), path
        assert "default-src 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Frame-Options"] == "DENY"


async def test_a_lawyer_reading_a_question_is_in_the_access_log(rt, lawyer):
    question = await asked(rt)
    await lawyer.get(f"/my/questions/{question}")
    assert "儿子不给赡养费" in lawyer.last
    rows = await rt.db.fetchall("SELECT actor, action, subject FROM access_log")
    assert [tuple(r) for r in rows] == [("web:wang", "consultation.read", "Q00001")]


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
