"""A runtime with staff configured, for the lawyer, staff and review tests."""

from __future__ import annotations

import pytest

from bot.runtime import Runtime

STAFF_ID = 900001
STAFF_CHAT = -100


@pytest.fixture
async def rt(settings, clock):
    staffed = settings.model_copy(update={"staff_ids": frozenset({STAFF_ID}), "staff_chat_id": STAFF_CHAT})
    runtime = await Runtime.open(staffed, clock)
    yield runtime
    await runtime.close()
