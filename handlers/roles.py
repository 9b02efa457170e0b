"""Who may do what: residents (everyone), lawyers (bound to a registered lawyer), staff (allow-list).

A flow asks here for the `Actor` it hands to the service layer; a refusal is polite to the
person and logged.
"""

from __future__ import annotations

import logging

from common.privacy import pseudonym as keyed_pseudonym
from handlers.turn import Turn
from services.actor import Actor

log = logging.getLogger(__name__)


def audit_name(turn: Turn) -> str:
    return f"{turn.ev.channel}:{turn.ev.user_id}"


def pseudonym(turn: Turn) -> str:
    """A stable, non-reversible name for log lines (chat ids are personal data too)."""
    return keyed_pseudonym(turn.services.pseudonym_key, audit_name(turn))


async def as_lawyer(turn: Turn, action: str) -> Actor | None:
    lawyer = await turn.services.ledger.lawyer_for(turn.ev.channel, turn.ev.user_id)
    if lawyer is None or not lawyer.active:
        refuse(turn, action)
        return None
    return Actor.of_lawyer(lawyer, audit_name(turn))


def as_staff(turn: Turn, action: str) -> Actor | None:
    if turn.services.is_staff(turn.ev.channel, turn.ev.user_id):
        return Actor.staff(audit_name(turn))
    refuse(turn, action)
    return None


def refuse(turn: Turn, action: str) -> None:
    log.warning("refused %s to %s", action, pseudonym(turn))
    turn.state.reset()
    turn.say(turn.t("roles.refused"), (turn.menu_option(),))
