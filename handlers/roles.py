"""Who may do what: residents (everyone), lawyers (bound to a registered lawyer), staff (allow-list).

Every lawyer or staff action asks here first; a refusal is polite to the person and logged.
"""

from __future__ import annotations

import hashlib
import logging

from handlers.turn import Turn
from storage.ledger import Lawyer

log = logging.getLogger(__name__)


def actor(turn: Turn) -> str:
    return f"{turn.ev.channel}:{turn.ev.user_id}"


def pseudonym(turn: Turn) -> str:
    """A stable, non-reversible name for log lines (chat ids are personal data too)."""
    return hashlib.sha256(actor(turn).encode()).hexdigest()[:10]


async def as_lawyer(turn: Turn, action: str) -> Lawyer | None:
    lawyer = await turn.services.ledger.lawyer_for(turn.ev.channel, turn.ev.user_id)
    if lawyer is None or not lawyer.active:
        refuse(turn, action)
        return None
    return lawyer


def as_staff(turn: Turn, action: str) -> bool:
    if turn.services.is_staff(turn.ev.channel, turn.ev.user_id):
        return True
    refuse(turn, action)
    return False


def refuse(turn: Turn, action: str) -> None:
    log.warning("refused %s to %s", action, pseudonym(turn))
    turn.state.reset()
    turn.say(turn.t("roles.refused"), (turn.menu_option(),))
