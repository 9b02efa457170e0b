"""A browser holding a session cookie that no longer opens anything (idle too long, or a token we
never issued) has it cleared in the first answer: the session's row is deleted once, and the
requests after it carry no cookie to look up or delete."""

from __future__ import annotations

import pytest

from storage.users import UserStore
from tests.web.conftest import STAFF_PASSWORD

SESSION = "legalaid_session"


@pytest.fixture
def deletes(monkeypatch) -> list[str]:
    """Every session delete, by token hash."""
    calls: list[str] = []
    close = UserStore.close_session

    async def counted(self, token_hash: str) -> None:
        calls.append(token_hash)
        await close(self, token_hash)

    monkeypatch.setattr(UserStore, "close_session", counted)
    return calls


def held(console) -> str | None:
    cookie = console.client.session.cookie_jar.filter_cookies(console.client.make_url("/")).get(SESSION)
    return cookie.value if cookie else None


async def test_an_expired_session_s_cookie_is_cleared_and_its_row_deleted_once(rt, staff, clock, deletes):
    clock.advance(minutes=31)
    response = await staff.get("/bookings")
    assert (response.status, response.headers["Location"]) == (303, "/login")
    assert response.cookies[SESSION].value == "" and held(staff) is None
    for path in ("/login", "/", "/bookings", "/login"):
        await staff.get(path)
    assert len(deletes) == 1
    assert not await rt.db.fetchall("SELECT * FROM web_sessions")


async def test_a_cookie_we_never_issued_is_cleared_without_a_delete(make_console, people, deletes):
    console = await make_console()
    console.client.session.cookie_jar.update_cookies({SESSION: "made-up"}, console.client.make_url("/"))
    response = await console.get("/login")
    assert response.status == 200 and response.cookies[SESSION].value == "" and held(console) is None
    await console.get("/")
    assert deletes == []


async def test_signing_in_over_a_stale_cookie_keeps_the_new_session(staff, clock):
    clock.advance(minutes=31)
    assert (await staff.sign_in("admin", STAFF_PASSWORD)).status == 303
    assert held(staff) and (await staff.get("/bookings")).status == 200
