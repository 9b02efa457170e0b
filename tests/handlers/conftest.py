"""A runtime with staff configured, for the lawyer, staff and review tests; a typist on a channel with buttons."""

from __future__ import annotations

import pytest

from bot.runtime import Runtime
from tests.auxil.chat import Chat

STAFF_ID = 900001
STAFF_CHAT = -100


@pytest.fixture
async def rt(settings, clock):
    staffed = settings.model_copy(update={"staff_ids": frozenset({STAFF_ID}), "staff_chat_id": STAFF_CHAT})
    runtime = await Runtime.open(staffed, clock)
    yield runtime
    await runtime.close()


@pytest.fixture
def typist(runtime) -> Chat:
    """Someone on a channel with buttons who types anyway (no option numbers)."""
    return Chat(runtime, channel="telegram", user_id="typist")
