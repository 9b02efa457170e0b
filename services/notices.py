"""Notices to the centre and to a lawyer, addressed on whichever channel each is reached."""

from __future__ import annotations

from datetime import datetime

from common.messages import Address, Notice, Reply
from common.privacy import redact
from services.context import Services
from storage.lawyers import Lawyer
from storage.outbox import Topic, outbox_key
from storage.store import Queued


def to_staff(services: Services, reply: Reply, key: str, about: Address | None = None) -> list[Notice]:
    """For the staff chat (LEGALAID_STAFF_CHAT_ID); nothing when none is configured."""
    chat = services.settings.staff_chat
    return [] if chat is None else [Notice(chat.channel, chat.user_id, reply, key, about)]


def to_lawyer(lawyer: Lawyer | None, reply: Reply, key: str, about: Address | None = None) -> list[Notice]:
    """For a lawyer on the chat account they registered from; nothing when they have none."""
    if lawyer is None or not lawyer.bound:
        return []
    return [Notice(lawyer.channel, lawyer.user_id, reply, key, about)]


def undelivered(services: Services, queued: Queued, unreachable: bool) -> list[Notice]:
    """Staff hear of a message given up after its useful life, or at once when the channel cannot
    reach the person at all, so someone can telephone instead."""
    staff = services.settings.staff_chat
    if staff is not None and (queued.channel, queued.user_id) == (staff.channel, staff.user_id):
        return []  # the staff chat itself is unreachable: the log says so
    start = redact(str(queued.reply.get("text", "")))[:40]
    text = (services.texts("outbox.unreachable", start=start) if unreachable
            else services.texts("outbox.undelivered", attempts=queued.attempts, start=start))
    return to_staff(services, Reply(text), outbox_key(Topic.UNDELIVERED, queued.id))


def backlogged(services: Services, count: int, now: datetime) -> list[Notice]:
    text = services.texts("outbox.backlog", count=count)
    return to_staff(services, Reply(text), outbox_key(Topic.BACKLOG, f"{now:%Y%m%d%H}"))
