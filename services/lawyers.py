"""The lawyers' roster: staff register a lawyer (who gets a one-time code), a lawyer binds their
chat account with it and goes on or off duty."""

from __future__ import annotations

from datetime import datetime

from common.messages import Address
from services.actor import Actor, Role, require, require_lawyer
from services.context import Services
from storage.lawyers import Lawyer


async def add_lawyer(services: Services, actor: Actor, name: str, firm: str, now: datetime) -> tuple[Lawyer, str]:
    """A new lawyer and the one-time code they send the bot (/register CODE)."""
    require(actor, "register a lawyer", Role.STAFF)
    return await services.ledger.add_lawyer(name, firm, now)


async def roster(services: Services, actor: Actor) -> list[Lawyer]:
    require(actor, "list lawyers", Role.STAFF)
    return await services.ledger.list_lawyers()


async def register(services: Services, sender: Address, code: str, now: datetime) -> Lawyer | None:
    """Anyone may try a code; None when it is unknown, used or expired."""
    return await services.ledger.bind(code, sender.channel, sender.user_id, now)


async def toggle_duty(services: Services, actor: Actor) -> Lawyer:
    lawyer = require_lawyer(actor, "go on or off duty")
    return await services.ledger.set_on_duty(lawyer.id, not lawyer.on_duty)


async def set_duty(services: Services, actor: Actor, lawyer_id: int, on_duty: bool) -> Lawyer:
    """Staff keep the duty roster (who is sent new questions, e.g. on non-working days)."""
    require(actor, "set a lawyer's duty", Role.STAFF)
    return await services.ledger.set_on_duty(lawyer_id, on_duty)


async def set_active(services: Services, actor: Actor, lawyer_id: int, active: bool) -> Lawyer:
    require(actor, "deactivate a lawyer", Role.STAFF)
    return await services.ledger.set_active(lawyer_id, active)
