"""`legalaid wechat`: the WeChat Official Account channel (微信公众号) from the command line.

    legalaid wechat --listen 0.0.0.0 --port 8080    serve the message endpoint at /wechat
    legalaid wechat menu                             create the account's custom menu

The endpoint: wechat_endpoint.py; the API client: wechat_api.py; settings: wechat_settings.py;
signatures, encryption and XML: wechat_protocol.py.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Any

import aiohttp
from aiohttp import web
from pydantic import ValidationError

from bot.channels.wechat_api import WeChatApi, WeChatApiError
from bot.channels.wechat_endpoint import TEXT_IDS, create_app
from bot.channels.wechat_settings import WeChatSettings
from bot.runtime import Runtime
from common.catalog import Catalog, load_catalog
from common.config import Settings
from handlers.menu import MAIN_MENU

log = logging.getLogger(__name__)


def menu_definition(t: Catalog) -> dict[str, Any]:
    """The custom menu: WeChat allows 3 top-level buttons, so the lawyer entries share one."""
    (faq_id, faq_key), (elig_id, elig_key), *lawyer = MAIN_MENU
    return {
        "button": [
            {"type": "click", "name": t(faq_id), "key": faq_key},
            {"type": "click", "name": t(elig_id), "key": elig_key},
            {
                "name": t("wechat.menu_lawyer"),
                "sub_button": [{"type": "click", "name": t(i), "key": key} for i, key in lawyer],
            },
        ]
    }


def add_parser(sub: argparse._SubParsersAction) -> None:
    wechat = sub.add_parser("wechat", help="WeChat Official Account endpoint (WECHAT_* settings)")
    wechat.add_argument("--listen", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    wechat.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    actions = wechat.add_subparsers(dest="wechat_command")
    actions.add_parser("menu", help="create the account's custom menu from the text catalog")


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        wechat_settings = WeChatSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = first["loc"][0] if first["loc"] else "WECHAT_*"
        print(f"invalid configuration {name}: {first['msg']}", file=sys.stderr)
        return 2
    missing = sorted(TEXT_IDS - load_catalog().keys())
    if missing:
        print(f"legalaid: common/texts.yaml has no {', '.join(missing)}", file=sys.stderr)
        return 2
    if getattr(args, "wechat_command", None) == "menu":
        return asyncio.run(_create_menu(wechat_settings))
    web.run_app(_serving(settings, wechat_settings), host=args.listen, port=args.port, access_log=None,
                print=lambda line: log.info("%s", line.strip()))
    return 0


async def _serving(settings: Settings, wechat_settings: WeChatSettings) -> web.Application:
    runtime = await Runtime.open(settings)
    try:
        app = create_app(runtime, wechat_settings)
    except BaseException:
        await runtime.close()  # an open aiosqlite connection would keep the process alive
        raise

    async def close_runtime(_: web.Application):
        yield
        await runtime.close()

    # First in, last out: the runtime closes after the endpoint, even if the endpoint failed to start.
    app.cleanup_ctx.insert(0, close_runtime)
    mode = "safe (encrypted)" if wechat_settings.encoding_aes_key else "plain"
    log.info("wechat: %s mode, replying within %.1f s", mode, wechat_settings.reply_deadline_seconds)
    return app


async def create_menu(api: WeChatApi, t: Catalog) -> dict[str, Any]:
    menu = menu_definition(t)
    await api.create_menu(menu)
    return menu


async def _create_menu(settings: WeChatSettings) -> int:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        try:
            menu = await create_menu(WeChatApi(session, settings), load_catalog())
        except WeChatApiError as exc:
            print(f"legalaid: menu not created: {exc}", file=sys.stderr)
            return 1
    print("menu created: " + " | ".join(b["name"] for b in menu["button"]))
    return 0
