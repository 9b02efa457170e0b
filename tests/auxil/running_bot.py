"""Run the real Telegram Application of this bot against a FakeBotApi, as `legalaid telegram` does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from pydantic import SecretStr
from telegram.ext import Application

from bot.channels.telegram import build_application
from bot.channels.telegram_run import polling, running
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
    """Start and stop exactly as production does, polling with a short long-poll timeout."""
    app = build_application(telegram_settings(settings, api), clock)
    async with running(app, partial(polling, timeout=1)) as started:
        yield started
