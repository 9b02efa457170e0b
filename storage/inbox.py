"""What arrived, once: incoming events recorded with their turn, and WeChat's signed-request bindings.

A channel names each event it de-duplicates (a Telegram update_id, a WeChat MsgId); the name is
stored hashed, with the channel, in the transaction that saves the event's turn, so an event
delivered again after a crash or a restart is recognised. An event may also be accepted before its
turn runs (WeChat answered "success" to it): it is kept until its turn is saved, and a restart
runs it. Rows are pruned after INBOX_DAYS: Telegram and WeChat re-deliver within a day.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from storage.db import Plan, Statement, changes, rows, stored_time

INBOX_DAYS = timedelta(days=3)


def event_key(channel: str, event: str) -> str:
    return hashlib.sha256(f"{channel}\0{event}".encode()).hexdigest()[:40]


def handling(channel: str, key: str, at: datetime) -> Statement:
    """Record the event's turn as saved (a statement of the turn's plan): it changes one row, or
    none if the turn was saved before."""
    return changes(
        "INSERT INTO inbox (channel, event_key, received_at, handled_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (channel, event_key) DO UPDATE SET handled_at = excluded.handled_at, event = NULL"
        " WHERE inbox.handled_at IS NULL",
        channel, key, stored_time(at), stored_time(at),
    )


def accept(channel: str, key: str, event: str, at: datetime) -> Plan[bool]:
    """Keep an event whose turn has not run yet; False if the event is known already. Its transaction
    is locked on "inbox", so the numbers it gives are in order of arrival."""
    return (yield changes(
        "INSERT INTO inbox (channel, event_key, received_at, event, seq)"
        " VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM inbox WHERE channel = ?))"
        " ON CONFLICT (channel, event_key) DO NOTHING",
        channel, key, stored_time(at), event, channel,
    )) == 1


async def waiting(db, channel: str) -> list[str]:
    """Events accepted and not handled (a crash came between), oldest first."""
    rows = await db.fetchall(
        "SELECT event FROM inbox WHERE channel = ? AND handled_at IS NULL AND event IS NOT NULL"
        " ORDER BY received_at, seq, event_key", channel,
    )
    return [row[0] for row in rows]


def bind_body(request_key: str, body_sha256: str, at: datetime) -> Plan[bool]:
    """A signed request comes with one body only: True if this is its first body or the same one.
    The first body is kept by one plain insert (no RETURNING: the common case, and the cheaper);
    only a request seen before reads the body it came with."""
    if (yield changes(
        "INSERT INTO signed_requests (request_key, body_sha256, seen_at) VALUES (?, ?, ?)"
        " ON CONFLICT (request_key) DO NOTHING",
        request_key, body_sha256, stored_time(at),
    )) == 1:
        return True
    kept = yield rows("SELECT body_sha256 FROM signed_requests WHERE request_key = ?", request_key)
    # Empty only if a prune removed the row between the two statements (PostgreSQL, READ COMMITTED).
    return bool(kept) and kept[0][0] == body_sha256


async def prune(conn, handled_before: datetime, signed_before: datetime) -> int:
    pruned = await conn.execute("DELETE FROM inbox WHERE handled_at IS NOT NULL AND received_at < ?",
                                stored_time(handled_before))
    await conn.execute("DELETE FROM signed_requests WHERE seen_at < ?", stored_time(signed_before))
    return pruned
