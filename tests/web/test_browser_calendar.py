"""日历与名额 in a real headless Chromium: staff close a day for a typhoon in 柯城区, and the chat no
longer offers that day there (while 江山市 still does). Skipped, with the reason, without chromium."""

from __future__ import annotations

import asyncio

import pytest

from tests.auxil.chat import Chat
from tests.web.browser import browser_test
from tests.web.conftest import STAFF_PASSWORD
from tests.web.test_browser_journeys import browser  # noqa: F401 - the fixture

pytestmark = [browser_test, pytest.mark.browser, pytest.mark.timeout(180)]


async def offered_days(rt, user_id: str, county: str) -> list[str]:
    chat = Chat(rt, channel="console", user_id=user_id)
    await chat.send("预约上门办申请")
    await chat.tap("是")
    await chat.tap(county)
    return [o.payload.removeprefix("book:answer:date=") for o in chat.options
            if o.payload.startswith("book:answer:date=")]


def fill_close_form(driver, day: str, county: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    form = driver.find_element(By.CSS_SELECTOR, "form[action='/calendar/close']")
    # A date input takes keystrokes in the browser's locale: set the ISO value as a picker would.
    driver.execute_script("arguments[0].value = arguments[1]", form.find_element(By.NAME, "day"), day)
    Select(form.find_element(By.NAME, "county")).select_by_visible_text(county)
    form.find_element(By.NAME, "reason").send_keys("台风")


async def test_staff_close_a_day_for_a_typhoon_and_the_chat_no_longer_offers_it(rt, people, browser):  # noqa: F811
    t = rt.services.texts
    before = await offered_days(rt, "elder-7", "柯城区")
    typhoon = before[0]
    await browser.sign_in("admin", STAFF_PASSWORD, t("web.login.submit"))
    await browser.open("/calendar")
    await asyncio.to_thread(fill_close_form, browser.driver, typhoon, "柯城区")
    await browser.press(t("web.calendar.close"))
    page = await browser.text()
    assert t("web.calendar.result.closed") in page and "台风" in page and "web:admin" in page
    after = await offered_days(rt, "elder-8", "柯城区")
    assert typhoon not in after and after[0] != typhoon
    assert typhoon in await offered_days(rt, "elder-9", "江山市")
