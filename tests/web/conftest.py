"""The web console over a runtime with a controlled clock: accounts for staff and for a lawyer,
an HTTP client that signs in as either, and a booking and a question made through the chat."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.runtime import Runtime
from bot.web.app import create_app
from services import accounts
from services.actor import Actor
from storage.users import WebRole
from tests.auxil.chat import Chat
from tests.handlers.test_booking_flow import book

STAFF_PASSWORD = "staff-password-1"
LAWYER_PASSWORD = "lawyer-password-1"
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]*)"')


@pytest.fixture
async def rt(settings, clock):
    staffed = settings.model_copy(update={"staff_ids": frozenset({900001}), "staff_chat_id": -100})
    runtime = await Runtime.open(staffed, clock)
    yield runtime
    await runtime.close()


@dataclass
class People:
    lawyer_id: int
    staff_user_id: int
    lawyer_user_id: int


@pytest.fixture
async def people(rt) -> People:
    """A staff account "admin", and "wang" for 王律师, whose chat account is telegram:501."""
    services, now = rt.services, rt.now()
    lawyer, code = await services.ledger.add_lawyer("王律师", "衢州某律师事务所", now)
    await services.ledger.bind(code, "telegram", "501", now)
    await services.ledger.set_on_duty(lawyer.id, True)
    cli = Actor.staff("cli")
    staff = await accounts.add_user(services, cli, "admin", WebRole.STAFF, None, STAFF_PASSWORD, now)
    own = await accounts.add_user(services, cli, "wang", WebRole.LAWYER, lawyer.id, LAWYER_PASSWORD, now)
    return People(lawyer.id, staff.id, own.id)


class Console:
    """A browser without a browser: cookies kept, the form token read from the last page."""

    def __init__(self, client: TestClient):
        self.client = client
        self.csrf = ""
        self.last = ""

    async def get(self, path: str, **kw):
        response = await self.client.get(path, allow_redirects=False, **kw)
        self.last = await response.text()
        found = CSRF_FIELD.search(self.last)
        if found:
            self.csrf = found.group(1)
        return response

    async def post(self, path: str, data: dict | None = None, csrf: bool = True, headers: dict | None = None):
        form = dict(data or {})
        if csrf:
            form["csrf"] = self.csrf
        response = await self.client.post(path, data=form, allow_redirects=False, headers=headers)
        self.last = await response.text()
        return response

    async def sign_in(self, name: str, password: str, headers: dict | None = None):
        await self.get("/login", headers=headers)
        response = await self.post("/login", {"name": name, "password": password}, headers=headers)
        if response.status == 303:
            landing = await self.get("/")  # the session's own form token, on the start page
            if landing.status == 303:
                await self.get(landing.headers["Location"])
        return response


@pytest.fixture
async def make_console(rt):
    clients = []

    async def make(services=None) -> Console:
        client = TestClient(TestServer(create_app(services or rt.services)))
        await client.start_server()
        clients.append(client)
        return Console(client)

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def staff(make_console, people) -> Console:
    console = await make_console()
    assert (await console.sign_in("admin", STAFF_PASSWORD)).status == 303
    return console


@pytest.fixture
async def lawyer(make_console, people) -> Console:
    console = await make_console()
    assert (await console.sign_in("wang", LAWYER_PASSWORD)).status == 303
    return console


async def booked_through_the_chat(rt, user_id: str = "elder-1") -> str:
    """A visit booked by a resident in the chat (龙游县, the first day offered, 上午); its reference."""
    chat = Chat(rt, channel="console", user_id=user_id)
    await book(chat)
    await chat.tap("确认预约")
    [booking] = await rt.services.bookings.list_for_user("console", user_id)
    return booking.ref


@pytest.fixture
async def ref(rt) -> str:
    return await booked_through_the_chat(rt)


async def queued_for(rt, channel: str, user_id: str) -> list[dict]:
    rows = await rt.db.fetchall("SELECT reply FROM outbox WHERE channel = ? AND user_id = ? ORDER BY id",
                                channel, user_id)
    return [json.loads(r["reply"]) for r in rows]
