"""Shared fixtures: settings in a temporary folder, a runtime with a controlled clock."""

from __future__ import annotations

import os

# Opt in to python-telegram-bot's future timedelta API so its deprecation warnings stay quiet.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from common.config import Settings
from bot.runtime import Runtime
from tests.auxil.chat import Chat

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    # A Thursday that is an ordinary working day.
    return Clock(datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "LEGALAID_STAFF_IDS", "LEGALAID_FAQ_DIR"):
        monkeypatch.delenv(name, raising=False)
    # The test clock stands still while a test types quickly: lift the per-person limit here
    # (tests/handlers/test_robustness.py checks the limit itself).
    return Settings(_env_file=None, LEGALAID_DATA_DIR=str(tmp_path / "data"), LEGALAID_RATE_LIMIT_PER_MINUTE=10_000)


@pytest.fixture
async def runtime(settings, clock):
    rt = await Runtime.open(settings, clock)
    yield rt
    await rt.close()


@pytest.fixture
def chat(runtime) -> Chat:
    return Chat(runtime, channel="console", user_id="elder-1")
