"""A runtime with staff and a staff chat, and the actors the service layer is called with."""

from __future__ import annotations

import pytest

from bot.runtime import Runtime
from services.actor import Actor

STAFF_CHAT = -100


@pytest.fixture
async def rt(settings, clock):
    staffed = settings.model_copy(update={"staff_ids": frozenset({900001}), "staff_chat_id": STAFF_CHAT})
    runtime = await Runtime.open(staffed, clock)
    yield runtime
    await runtime.close()


@pytest.fixture
def staff() -> Actor:
    return Actor.staff("telegram:900001")


@pytest.fixture
async def lawyer(rt):
    """A registered lawyer bound to telegram:501, as an actor."""
    ledger = rt.services.ledger
    lawyer, code = await ledger.add_lawyer("王律师", "衢州某律师事务所", rt.now())
    bound = await ledger.bind(code, "telegram", "501", rt.now())
    return Actor.of_lawyer(bound, "telegram:501")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    """The service layer runs on both databases."""
    return request.param
