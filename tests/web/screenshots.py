"""`make screenshots`: every console page at phone and desktop width, as PNGs (not committed).

    python -m tests.web.screenshots [FOLDER]      (default: screenshots/)

A throw-away database with a visit booked through the chat and a question left in it, staff and
lawyer accounts, and the system Chromium; nothing is downloaded.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp.test_utils import TestServer

from bot.runtime import Runtime
from bot.web.app import create_app
from common.config import Settings
from services import accounts
from services.actor import Actor
from storage.users import WebRole
from tests.auxil.chat import Chat
from tests.handlers.test_booking_flow import book
from tests.web.browser import Browser, missing, quit_quietly, start_chromium

WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
STAFF_PAGES = ("/", "/bookings", "/bookings/{ref}", "/bookings/sheet", "/calendar", "/questions", "/questions/1",
               "/points", "/lawyers", "/knowledge", "/knowledge/entries", "/knowledge/entries/document_drafting",
               "/knowledge/entries/document_drafting/retire",
               "/knowledge/new", "/knowledge/counties", "/accounts")
LAWYER_PAGES = ("/my/questions", "/my/questions/1", "/my/points")
PASSWORD = "screenshot-password"


async def prepare(folder: Path) -> Runtime:
    now = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    settings = Settings(_env_file=None, LEGALAID_DATA_DIR=str(folder), LEGALAID_RATE_LIMIT_PER_MINUTE=10_000)
    rt = await Runtime.open(settings, lambda: now)
    lawyer, code = await rt.services.ledger.add_lawyer("王律师", "衢州某律师事务所", now)
    await rt.services.ledger.bind(code, "telegram", "501", now)
    cli = Actor.staff("cli")
    await accounts.add_user(rt.services, cli, "admin", WebRole.STAFF, None, PASSWORD, now)
    await accounts.add_user(rt.services, cli, "wang", WebRole.LAWYER, lawyer.id, PASSWORD, now)
    resident = Chat(rt, channel="console", user_id="elder-1")
    await book(resident)
    await resident.tap("确认预约")
    await resident.send("/ask")
    await resident.send("儿子不给赡养费怎么办")
    await rt.services.store.record_miss("fallback", "邻居的狗咬人怎么办", [], [], now)
    return rt


async def shoot(folder: Path, out: Path) -> int:
    rt = await prepare(folder)
    [booking] = await rt.services.bookings.list_for_user("console", "elder-1")
    server = TestServer(create_app(rt.services), host="127.0.0.1")
    await server.start_server()
    written = 0
    try:
        for width_name, (width, height) in WIDTHS.items():
            for name, pages in (("admin", STAFF_PAGES), ("wang", LAWYER_PAGES)):
                profile = folder / f"profile-{width_name}-{name}"
                driver = await asyncio.to_thread(start_chromium, profile, width, height)
                browser = Browser(driver, str(server.make_url("")).rstrip("/"))
                try:
                    await browser.sign_in(name, PASSWORD, rt.services.texts("web.login.submit"))
                    for page in pages:
                        await browser.open(page.format(ref=booking.ref))
                        slug = page.strip("/").replace("/", "-").replace("{ref}", "ref") or "today"
                        await browser.screenshot(out / f"{slug}-{width_name}.png")
                        written += 1
                finally:
                    await asyncio.to_thread(quit_quietly, driver, profile)
    finally:
        await server.close()
        await rt.close()
    return written


def main(argv: list[str]) -> int:
    reason = missing()
    if reason:
        print(f"screenshots: no browser: {reason}", file=sys.stderr)
        return 1
    out = Path(argv[0] if argv else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        written = asyncio.run(shoot(Path(folder), out))
    print(f"{written} screenshots in {out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
