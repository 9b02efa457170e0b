"""Outbox de-duplication keys: one builder, so every producer and every deletion agrees on them.

A key is "<topic>:<part>:<part>…". Deleting what concerns a person goes by the outbox row's
`about_*` columns (see Notice.about), never by pattern-matching keys.
"""

from __future__ import annotations

from enum import StrEnum


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
    LATE_REPLY = "late-reply"  # a reply that missed a channel's passive-reply deadline


def outbox_key(topic: Topic, *parts: object) -> str:
    return ":".join([topic.value, *(str(p) for p in parts)])
