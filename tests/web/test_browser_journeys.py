"""The console's journeys in a real headless Chromium: staff complete a visit booked in the chat
and see the +10; a lawyer answers a question and the resident reads it in the chat; a lawyer
cannot open a staff page. Skipped, with the reason, where Debian's chromium is not installed."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from aiohttp.test_utils import TestServer

from bot.web.app import create_app
from common.messages import Reply
from tests.conftest import SHANGHAI
from tests.web.browser import Browser, browser_test, quit_quietly, start_chromium
from tests.web.conftest import LAWYER_PASSWORD, STAFF_PASSWORD, booked_through_the_chat
from tests.web.test_work_pages import asked

pytestmark = [browser_test, pytest.mark.browser, pytest.mark.timeout(180)]


@pytest.fixture
async def browser(rt, tmp_path):
    server = TestServer(create_app(rt.services), host="127.0.0.1")
    await server.start_server()
    profile = tmp_path / "chromium-profile"
    driver = await asyncio.to_thread(start_chromium, profile)
    yield Browser(driver, str(server.make_url("")).rstrip("/"))
    await asyncio.to_thread(quit_quietly, driver, profile)
    await server.close()


async def test_staff_complete_a_visit_booked_in_the_chat_and_see_the_ten_points(rt, people, browser, clock):
    t = rt.services.texts
    ref = await booked_through_the_chat(rt)
    booking = await rt.services.bookings.get(ref)
    clock.now = datetime.combine(booking.visit_date, datetime.min.time(), SHANGHAI).replace(hour=15)
    await browser.sign_in("admin", STAFF_PASSWORD, t("web.login.submit"))
    assert ref in await browser.text()  # 今天 lists the day's visit
    await browser.open(f"/bookings/{ref}")
    await browser.choose("lawyer", "王律师（衢州某律师事务所）")
    await browser.press(t("web.booking.assign"))
    await browser.press(t("web.booking.complete"))
    assert t("staff.change.visited") in await browser.text()
    await browser.open(f"/points?lawyer={people.lawyer_id}&year={booking.visit_date.year}")
    page = await browser.text()
    assert "二(一)4" in page and "+10" in page and "web:admin" in page


async def test_a_lawyer_answers_and_the_resident_reads_the_answer_in_the_chat(rt, people, browser):
    t = rt.services.texts
    question = await asked(rt, "儿子不给赡养费怎么办")
    await browser.sign_in("wang", LAWYER_PASSWORD, t("web.login.submit"))
    assert await browser.path() == "/my/questions"
    await browser.open(f"/my/questions/{question}")
    await browser.press(t("lawyer.claim_button"))
    await browser.fill("answer", "可以先协商，协商不成可以向法院起诉要求支付赡养费。")
    await browser.press(t("web.mine.send"))
    assert t("web.mine.result.answered") in await browser.text()

    received: list[Reply] = []

    async def resident_chat(user_id: str, reply: Reply) -> None:
        if user_id == "elder-2":
            received.append(reply)

    rt.courier.register("console", resident_chat)
    await rt.courier.deliver()
    assert any("向法院起诉要求支付赡养费" in r.text and "王律师" in r.text for r in received)


async def test_a_lawyer_cannot_open_a_staff_page(rt, people, browser):
    t = rt.services.texts
    await browser.sign_in("wang", LAWYER_PASSWORD, t("web.login.submit"))
    for path in ("/bookings", "/accounts", "/points"):
        await browser.open(path)
        page = await browser.text()
        assert t("web.refused.text") in page and t("web.nav.bookings") not in page
