"""知识库 in a real headless Chromium: staff add a question the chat could not answer as a phrasing
of an entry, with one click, and the chat then answers that question outright."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.auxil.chat import Chat
from tests.web.browser import browser_test
from tests.web.conftest import STAFF_PASSWORD
from tests.web.test_browser_journeys import browser  # noqa: F401 - the fixture
from tests.web.test_knowledge_pages import MISS, missed

pytestmark = [browser_test, pytest.mark.browser, pytest.mark.timeout(180)]


async def click_and_wait(driver, css: str) -> None:
    """Click the element `css` selects and wait for the page it leads to."""
    from selenium.webdriver.common.by import By

    def click() -> None:
        old = driver.find_element(By.TAG_NAME, "html")
        driver.find_element(By.CSS_SELECTOR, css).click()
        for _ in range(200):
            try:
                old.is_enabled()
            except Exception:  # noqa: BLE001 - the old page is gone: the new one is here
                return
            time.sleep(0.05)
    await asyncio.to_thread(click)


async def test_staff_add_a_miss_as_a_phrasing_and_the_chat_then_answers_it(rt, people, browser):  # noqa: F811
    t = rt.services.texts
    await missed(rt)
    await browser.sign_in("admin", STAFF_PASSWORD, t("web.login.submit"))
    await browser.open("/knowledge")
    assert MISS in await browser.text()
    await click_and_wait(browser.driver, "button[data-entry='document_drafting']")
    assert t("web.kb.phrasing_added") in await browser.text()
    chat = Chat(rt, user_id="elder-5")
    await chat.send(MISS)
    assert rt.services.matcher.kb.get("document_drafting").answer.splitlines()[0] in chat.text
    await browser.open("/knowledge/entries/document_drafting")
    page = await browser.text()
    assert f"+ {MISS}" in page and "web:admin" in page


async def test_staff_retire_an_entry_through_its_confirm_page_and_restore_it(rt, people, browser):  # noqa: F811
    t, wages = rt.services.texts, "讨工资能找法律援助吗"
    answer = rt.services.matcher.kb.get("unpaid_wages").answer.splitlines()[0]
    await browser.sign_in("admin", STAFF_PASSWORD, t("web.login.submit"))
    await browser.open("/knowledge/entries/unpaid_wages")
    await browser.press(t("web.kb.retire"))
    assert (await browser.path()).startswith("/knowledge/entries/unpaid_wages/retire")
    assert t("web.kb.retire_explain") in await browser.text() and rt.services.matcher.kb.get("unpaid_wages")
    await browser.fill("reason", "与老年人法律援助无关")
    await browser.press(t("web.kb.retire_confirm"))
    page = await browser.text()
    assert t("web.kb.retired") in page and t("web.kb.history_retired") in page and "与老年人法律援助无关" in page
    chat = Chat(rt, user_id="elder-6")
    await chat.send(wages)
    assert answer not in chat.text
    await browser.press(t("web.kb.restore"))
    assert t("web.kb.restored") in await browser.text()
    await chat.send(wages)
    assert answer in chat.text
