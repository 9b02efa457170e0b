"""Knowledge-base misses: questions answered only with "您是想问" or "答不好", most frequent first,
so the centre knows which answers to write next."""

from __future__ import annotations

from datetime import datetime

from services.actor import Actor, Role, require
from services.context import Services
from storage.store import Miss


async def misses(services: Services, actor: Actor, since: datetime | None, limit: int = 50) -> list[Miss]:
    require(actor, "read knowledge-base misses", Role.STAFF)
    return await services.store.misses(since, limit)
