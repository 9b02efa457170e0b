"""Notices to the centre and to a lawyer, addressed on whichever channel each is reached."""

from __future__ import annotations

from common.messages import Address, Notice, Reply
from services.context import Services
from storage.lawyers import Lawyer


def to_staff(services: Services, reply: Reply, key: str, about: Address | None = None) -> list[Notice]:
    """For the staff chat (LEGALAID_STAFF_CHAT_ID); nothing when none is configured."""
    chat = services.settings.staff_chat
    return [] if chat is None else [Notice(chat.channel, chat.user_id, reply, key, about)]


def to_lawyer(lawyer: Lawyer | None, reply: Reply, key: str, about: Address | None = None) -> list[Notice]:
    """For a lawyer on the chat account they registered from; nothing when they have none."""
    if lawyer is None or not lawyer.bound:
        return []
    return [Notice(lawyer.channel, lawyer.user_id, reply, key, about)]
