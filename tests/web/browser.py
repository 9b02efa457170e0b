"""A real headless Chromium (Debian's chromium and chromium-driver) driven by Selenium, for the
console's journeys. Nothing is downloaded: the driver is given by path and Selenium Manager is
told to stay offline. Without the browser the tests are skipped, saying why."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage")


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            return f"{path} is missing: apt-get install -y chromium chromium-driver"
    return None


browser_test = pytest.mark.skipif(missing() is not None, reason=f"no browser: {missing()}")


def start_chromium(profile: Path, width: int = 1280, height: int = 900):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never fetch a browser or a driver
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


class Browser:
    """The driver's blocking calls run in a thread, so the console served by this test's event
    loop keeps answering while the browser waits for it."""

    def __init__(self, driver, base: str):
        self.driver = driver
        self.base = base

    async def open(self, path: str) -> None:
        await asyncio.to_thread(self.driver.get, self.base + path)

    async def fill(self, name: str, value: str) -> None:
        from selenium.webdriver.common.by import By

        def type_in() -> None:
            field = self.driver.find_element(By.NAME, name)
            field.clear()
            field.send_keys(value)
        await asyncio.to_thread(type_in)

    async def choose(self, name: str, visible_text: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        await asyncio.to_thread(lambda: Select(self.driver.find_element(By.NAME, name))
                                .select_by_visible_text(visible_text))

    async def press(self, label: str) -> None:
        """Click the button whose text is `label`, and wait for the page it leads to."""
        from selenium.webdriver.common.by import By

        def click() -> None:
            old = self.driver.find_element(By.TAG_NAME, "html")
            button = self.driver.find_element(By.XPATH, f"//button[normalize-space()='{label}']")
            button.click()
            for _ in range(200):
                try:
                    old.is_enabled()  # raises once the old page is gone
                except Exception:  # noqa: BLE001 - StaleElementReferenceException: the new page is here
                    return
                time.sleep(0.05)
        await asyncio.to_thread(click)

    async def text(self) -> str:
        from selenium.webdriver.common.by import By

        return await asyncio.to_thread(lambda: self.driver.find_element(By.TAG_NAME, "body").text)

    async def path(self) -> str:
        url = await asyncio.to_thread(lambda: self.driver.current_url)
        return url.removeprefix(self.base)

    async def screenshot(self, target: Path) -> None:
        await asyncio.to_thread(self.driver.save_screenshot, str(target))

    async def sign_in(self, name: str, password: str, label: str) -> None:
        await self.open("/login")
        await self.fill("name", name)
        await self.fill("password", password)
        await self.press(label)


def quit_quietly(driver, profile: Path) -> None:
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
