"""Run the real Telegram Application of this bot against a FakeBotApi, as `run_polling` would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pydantic import SecretStr
from telegram.ext import Application

from bot.channels.telegram import build_application
from common.config import Settings
from tests.auxil.fake_bot_api import FakeBotApi

TOKEN = "123456:TEST-TOKEN"


def telegram_settings(settings: Settings, api: FakeBotApi, **extra: object) -> Settings:
    root = api.base_url.removesuffix("/bot")
    return settings.model_copy(
        update={"telegram_bot_token": SecretStr(TOKEN), "telegram_api_base_url": root, **extra}
    )


@asynccontextmanager
async def running_bot(settings: Settings, api: FakeBotApi, clock=None) -> AsyncIterator[Application]:
    """Start polling like `run_polling` does (initialize, post_init, start), and stop the same way."""
    app = build_application(telegram_settings(settings, api), clock)
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        if app.post_shutdown:
            await app.post_shutdown(app)
        await app.shutdown()
