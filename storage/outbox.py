"""The outbox's contract: one builder of de-duplication keys, and the one insert every producer uses.

A key is "<topic>:<part>:<part>…". Deleting what concerns a person goes by the outbox row's
`about_*` columns (see Notice.about), never by pattern-matching keys.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from enum import StrEnum

from common.messages import Notice
from storage.db import Statement, rows, stored_time


# How long an undelivered message stays worth delivering unless its notice says otherwise.
DEFAULT_LIFETIME = timedelta(days=7)


class Topic(StrEnum):
    NEW_QUESTION = "new-question"  # a resident's question, to a duty lawyer
    RENOTIFY = "renotify"  # the same, sent again when nobody claimed it
    FOLLOW_UP = "follow-up"
    ANSWER = "answer"  # a lawyer's answer, to the resident
    NO_DUTY_LAWYER = "no-duty"
    UNCLAIMED = "unclaimed"
    STALLED = "stalled"
    PRAISE = "praise"
    CORRECTION_FILED = "correction-filed"
    CORRECTION_DECIDED = "correction-decided"
    STATEMENT = "statement"
    NEW_BOOKING = "staff-new-booking"
    ASSIGNED = "assigned"
    VISIT_CHANGED = "visit-changed"  # moved or cancelled: to its lawyer and to staff
    REMINDER = "reminder"
    DUTY = "duty"  # to a lawyer: the day before their duty day, or someone else changed their 值班表
    LATE_REPLY = "late-reply"  # a reply that missed a channel's passive-reply deadline
    UNDELIVERED = "undelivered"  # to staff: a message given up after its useful life
    BACKLOG = "backlog"  # to staff: many messages waiting (at most hourly)
    CALENDAR = "calendar"  # to staff: a year's holidays are computed, its 调休 unknown (once a year)
    REPLY = "reply"  # a turn's reply to the person who wrote, saved with the turn (inbox key, number)


def outbox_key(topic: Topic, *parts: object) -> str:
    return ":".join([topic.value, *(str(p) for p in parts)])


async def enqueue_in(conn, notice: Notice, at: datetime) -> bool:
    """Queue a message inside the caller's transaction; False if its key was queued before."""
    step = queuing(notice, at)
    return inserted_id(await conn.fetchall(step.sql, *step.args)) is not None


def queuing(notice: Notice, at: datetime, reply_to: str | None = None) -> Statement:
    """The one insert that queues a message (a plan's statement); `inserted_id` reads its rows.
    `reply_to`: the inbox key of the event this message answers (a turn's own reply)."""
    about = notice.about
    expires = notice.expires_at or at + DEFAULT_LIFETIME
    return rows(
        "INSERT INTO outbox (channel, user_id, reply, dedupe_key, created_at, about_channel, about_user_id,"
        " expires_at, reply_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING"
        " RETURNING id",
        notice.channel, notice.user_id, json.dumps(notice.reply.to_dict(), ensure_ascii=False),
        notice.dedupe_key, stored_time(at), about and about.channel, about and about.user_id, stored_time(expires),
        reply_to,
    )


def inserted_id(found: list) -> int | None:
    """The new message's id, None if its key was queued before."""
    return found[0][0] if found else None
