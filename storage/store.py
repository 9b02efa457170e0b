"""The data-access interface the flows use. SQL stays in this package.

Kept deliberately narrow (plain values in, plain values out) so that a PostgreSQL
backend can implement the same methods without the flows noticing.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from common.messages import Address, Notice, Reply
from storage import bookings, consultations, inbox
from storage.bookings import Booking
from storage.db import Database, Plan, changes, single, stored_time
from storage.outbox import DEFAULT_LIFETIME, Topic, enqueue_in, outbox_key, inserted_id, queuing


@dataclass(frozen=True)
class Queued:
    """One outbox message waiting for delivery."""

    id: int
    channel: str
    user_id: str
    reply: dict
    attempts: int
    next_attempt_at: datetime | None = None  # None: due now
    expires_at: datetime | None = None
    turn_reply: bool = False  # a turn's reply to the person who wrote (the turn remembered its options)


@dataclass(frozen=True)
class TurnStart:
    """What a turn needs before it runs, read in one statement (`Store.begin_turn`)."""

    state: str | None  # the saved conversation (JSON), None for someone new
    times: tuple[datetime, ...] = ()  # the rate limit's window: their recent message times
    warned: datetime | None = None  # when they were last told to slow down
    handled: bool = False  # the event's turn was saved before: a re-delivery, not to be handled again
    lawyer: bool = False  # the account is bound to an active registered lawyer
    undelivered: bool = False  # a message to this person is still in the outbox (sending or waiting)


@dataclass(frozen=True)
class Miss:
    question: str
    count: int
    kind: str
    best_ids: list[str]
    last_asked: str




class Store:
    def __init__(self, db: Database):
        self.db = db

    # --- conversation state -------------------------------------------------
    async def load_state(self, channel: str, user_id: str) -> str | None:
        return await self.db.fetchval(
            "SELECT state FROM conversations WHERE channel = ? AND user_id = ?", channel, user_id
        )

    def one_at_a_time(self, channel: str, user_id: str):
        """Hold this person's turn against every other process, so their messages are handled in
        order wherever they arrive (PostgreSQL; with SQLite one process owns the file)."""
        return self.db.serialised(f"person:{channel}:{user_id}")

    async def begin_turn(self, channel: str, user_id: str, event: str = "") -> TurnStart:
        """Everything a turn reads before it runs, in one statement: the saved state, the rate limit's
        window, whether the event (`event`: the channel's id for it) was handled before, whether
        the account is a registered lawyer's, and whether a message to them is still undelivered. The turn then writes once (`save_turn`)."""
        row = await self.db.fetchone(
            "SELECT (SELECT state FROM conversations WHERE channel = ? AND user_id = ?) AS state,"
            " (SELECT times FROM rate_windows WHERE channel = ? AND user_id = ?) AS times,"
            " (SELECT warned_at FROM rate_windows WHERE channel = ? AND user_id = ?) AS warned_at,"
            " (SELECT handled_at FROM inbox WHERE channel = ? AND event_key = ?) AS handled_at,"
            " EXISTS (SELECT 1 FROM lawyers WHERE channel = ? AND user_id = ? AND active = 1) AS lawyer,"
            " EXISTS (SELECT 1 FROM outbox WHERE channel = ? AND user_id = ? AND sent_at IS NULL"
            " AND given_up_at IS NULL) AS undelivered",
            *(channel, user_id) * 3, channel, inbox.event_key(channel, event) if event else "", *(channel, user_id) * 2,
        )
        times, warned = _window(row["times"], row["warned_at"])
        return TurnStart(row["state"], times, warned, row["handled_at"] is not None, bool(row["lawyer"]),
                         bool(row["undelivered"]))

    async def rate_window(self, channel: str, user_id: str) -> tuple[tuple[datetime, ...], datetime | None]:
        """A person's message times of late and when they were last told to slow down (the rate limit's
        memory, shared by every process)."""
        row = await self.db.fetchone(
            "SELECT times, warned_at FROM rate_windows WHERE channel = ? AND user_id = ?", channel, user_id)
        return ((), None) if row is None else _window(row["times"], row["warned_at"])

    async def save_state(self, channel: str, user_id: str, state_json: str, at: datetime) -> None:
        await self.save_turn(channel, user_id, state_json, [], at)

    async def states_untouched_since(self, before: datetime, holding: list[str]) -> list[tuple[str, str]]:
        """People whose saved state was last touched before `before` and holds one of these keys."""
        if not holding:
            return []
        likes = " OR ".join("state LIKE ?" for _ in holding)
        rows = await self.db.fetchall(
            f"SELECT channel, user_id FROM conversations WHERE updated_at < ? AND ({likes})",
            stored_time(before), *(f'%"{key}":%' for key in holding),
        )
        return [(r["channel"], r["user_id"]) for r in rows]

    async def save_turn(
        self,
        channel: str,
        user_id: str,
        state_json: str | None,
        notices: list[Notice],
        at: datetime,
        *,
        event: str = "",
        replies: Sequence[Reply] = (),
        window: tuple[tuple[datetime, ...], datetime | None] | None = None,
    ) -> list[int] | None:
        """The person's new state (None: left as it was) and the messages it causes for others, in one
        transaction, in one trip to the database. With `event` (the channel's id for what the person
        did), the event is recorded as handled and `replies` are queued to the person in the same
        transaction: their outbox ids are returned, in order; None, and nothing written, if the event
        was handled before. `window`: the rate limit's new window (times, when warned), kept too."""
        key = inbox.event_key(channel, event) if event else None
        return await self.db.transact(_turn(channel, user_id, state_json, notices, at, key, replies, window))

    # --- incoming events (see storage/inbox.py) ---------------------------------
    async def accept_event(self, channel: str, event: str, raw: str, at: datetime) -> bool:
        """Keep an event before its turn runs (its channel acknowledged it); False if already known."""
        return await self.db.transact(inbox.accept(channel, inbox.event_key(channel, event), raw, at), lock="inbox")

    async def waiting_events(self, channel: str) -> list[str]:
        return await inbox.waiting(self.db, channel)

    async def bind_signed_body(self, request_key: str, body_sha256: str, at: datetime) -> bool:
        return await self.db.transact(inbox.bind_body(request_key, body_sha256, at))

    async def prune_inbox(self, now: datetime, signed_window: timedelta) -> int:
        async with self.db.transaction() as conn:
            return await inbox.prune(conn, now - inbox.INBOX_DAYS, now - signed_window)

    async def enqueue(self, notice: Notice, at: datetime) -> bool:
        """Queue a message; False if one with the same dedupe key was queued before."""
        return inserted_id(await self.db.transact(single(queuing(notice, at)))) is not None

    async def unsent(self, channels: frozenset[str] | set[str], now: datetime, limit: int = 200) -> list[Queued]:
        """Messages neither sent nor given up, each person's in the order queued: first those due
        (or past their useful life), then the first message of each person still waiting for its
        next attempt. A person's later messages wait behind their undelivered earlier one, so they
        are left out; however many wait, they never crowd a newer person's message out of `limit`."""
        marks, at = ",".join("?" * len(channels)), stored_time(now)
        rows = await self.db.fetchall(
            f"SELECT {_QUEUED} FROM outbox"
            f" WHERE sent_at IS NULL AND given_up_at IS NULL AND channel IN ({marks})"
            " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.channel = outbox.channel"
            " AND e.user_id = outbox.user_id AND e.id < outbox.id AND e.sent_at IS NULL"
            " AND e.given_up_at IS NULL AND e.next_attempt_at > ? AND (e.expires_at IS NULL OR e.expires_at > ?))"
            " ORDER BY CASE WHEN next_attempt_at IS NULL OR next_attempt_at <= ? OR expires_at <= ? THEN 0 ELSE 1 END,"
            " id LIMIT ?",
            *sorted(channels), at, at, at, at, limit,
        )
        return [_queued(r) for r in rows]

    async def lease(self, queued_id: int, now: datetime, until: datetime) -> bool:
        """Take a message for delivery until `until`: True for one courier of all the processes.

        A courier that dies holding it leaves a lease that runs out, and the message goes again then
        (at least once); one that lives marks it sent or failed, which ends the lease."""
        return await self.db.execute(
            "UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND sent_at IS NULL AND given_up_at IS NULL"
            " AND (next_attempt_at IS NULL OR next_attempt_at <= ?)",
            stored_time(until), queued_id, stored_time(now),
        ) == 1

    async def queued_at(self, dedupe_key: str) -> datetime | None:
        created = await self.db.fetchval("SELECT created_at FROM outbox WHERE dedupe_key = ?", dedupe_key)
        return datetime.fromisoformat(created) if created else None

    async def mark_sent(self, queued_id: int, at: datetime) -> None:
        """Delivered. A turn's own reply is deleted: the person has it, and it may quote them."""
        await self.db.transact(_sent(queued_id, at))

    async def replies_delivered(self, queued_ids: Sequence[int]) -> None:
        """A turn's own replies, delivered by the channel itself (WeChat's passive reply): deleted
        in one statement, as `mark_sent` deletes each (the person has them, and they may quote them)."""
        if queued_ids:
            marks = ", ".join("?" * len(queued_ids))
            await self.db.transact(single(changes(
                f"DELETE FROM outbox WHERE reply_to IS NOT NULL AND id IN ({marks})", *queued_ids)))

    async def mark_failed(self, queued_id: int, error: str, retry_at: datetime) -> None:
        await self.db.transact(single(changes(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
            error[:300], stored_time(retry_at), queued_id,
        )))

    async def give_up(self, queued_id: int, at: datetime, alert: list[Notice], *, leased: bool = False) -> bool:
        """Stop trying (past its useful life, or the person cannot be reached), and queue `alert` (for
        staff) in the same transaction. `leased`: the caller holds the message's lease."""
        return await self.db.transact(_given_up(queued_id, at, alert, leased))

    async def backlog(self, queued_before: datetime) -> int:
        """How many messages queued before `queued_before` still wait for delivery."""
        return await self.db.fetchval(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL AND created_at < ?",
            stored_time(queued_before),
        )

    async def forget_person(
        self, person: Address, now: datetime, tell: Callable[[list[Booking]], Awaitable[list[Notice]]]
    ) -> None:
        """"删除我的信息", all or nothing: blank their bookings and questions, cancel visits still to
        come, and drop their conversation and every message to them not yet sent or about them.
        `tell` turns the cancelled visits into notices for their lawyers and staff (no personal data),
        queued in the same transaction. `now` is in the centre's zone (it decides "still to come")."""
        async with self.db.transaction() as conn:
            cancelled = await bookings.forget_in(conn, person.channel, person.user_id, now)
            await consultations.forget_in(conn, person.channel, person.user_id, now)
            who = (person.channel, person.user_id)
            await conn.execute("DELETE FROM conversations WHERE channel = ? AND user_id = ?", *who)
            await conn.execute("DELETE FROM rate_windows WHERE channel = ? AND user_id = ?", *who)
            await conn.execute("DELETE FROM outbox WHERE channel = ? AND user_id = ? AND sent_at IS NULL", *who)
            # Copies of their question, reminders about their visit, answers to them: sent or not.
            await conn.execute("DELETE FROM outbox WHERE about_channel = ? AND about_user_id = ?", *who)
            for notice in await tell(cancelled):
                await enqueue_in(conn, notice, now)
        await self.db.checkpoint()

    # --- accountability ---------------------------------------------------------
    async def log_access(self, actor: str, action: str, subject: str, at: datetime) -> None:
        """Record that staff (or a lawyer) read someone's personal data."""
        await self.db.transact(single(changes(
            "INSERT INTO access_log (at, actor, action, subject) VALUES (?, ?, ?, ?)",
            stored_time(at), actor, action, subject,
        )))

    async def access_log(self, limit: int = 100) -> list[tuple[str, str, str, str]]:
        rows = await self.db.fetchall(
            "SELECT at, actor, action, subject FROM access_log ORDER BY id DESC LIMIT ?", limit
        )
        return [tuple(r) for r in rows]

    # --- questions the FAQ could not answer --------------------------------
    async def record_miss(
        self, kind: str, question: str, best_ids: list[str], scores: list[float], at: datetime
    ) -> None:
        await self.db.transact(single(changes(
            "INSERT INTO faq_misses (asked_at, kind, question, best_ids, scores) VALUES (?, ?, ?, ?, ?)",
            stored_time(at), kind, question, json.dumps(best_ids), json.dumps([round(s, 1) for s in scores]),
        )))

    async def misses(self, since: datetime | None = None, limit: int = 100) -> list[Miss]:
        """Unanswered questions, most frequent first, for staff to turn into phrasings."""
        sql = (
            "SELECT question, COUNT(*) AS n, MAX(asked_at) AS last,"
            f" ({_LATEST.format('kind')}) AS kind, ({_LATEST.format('best_ids')}) AS best"
            " FROM faq_misses m WHERE question <> ''"  # blanked by retention: counts only
        )
        params: list[object] = []
        if since is not None:
            sql += " AND asked_at >= ?"
            params.append(stored_time(since))
        sql += " GROUP BY question ORDER BY n DESC, last DESC LIMIT ?"
        params.append(limit)
        rows = await self.db.fetchall(sql, *params)
        return [
            Miss(r["question"], r["n"], r["kind"], json.loads(r["best"]), r["last"]) for r in rows
        ]


def _turn(channel: str, user_id: str, state_json: str | None, notices: list[Notice], at: datetime,
          key: str | None, replies: Sequence[Reply],
          window: tuple[tuple[datetime, ...], datetime | None] | None) -> Plan[list[int] | None]:
    """`Store.save_turn`'s statements, in order."""
    if key is not None and (yield inbox.handling(channel, key, at)) != 1:
        return None
    if window is not None:
        times, warned = window
        # Microseconds kept: a burst within one second still counts message by message.
        stamps = json.dumps([t.astimezone(timezone.utc).isoformat() for t in times])
        yield changes(
            "INSERT INTO rate_windows (channel, user_id, times, warned_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (channel, user_id) DO UPDATE SET times = excluded.times, warned_at = excluded.warned_at",
            channel, user_id, stamps, warned and stored_time(warned),
        )
    if state_json is not None:
        yield changes(
            "INSERT INTO conversations (channel, user_id, state, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (channel, user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            channel, user_id, state_json, stored_time(at),
        )
    for notice in notices:
        yield queuing(notice, at)
    ids: list[int] = []
    if key is not None:
        person = Address(channel, user_id)  # forgotten with the person
        for number, reply in enumerate(replies):
            notice = Notice(channel, user_id, reply, outbox_key(Topic.REPLY, key, number), about=person)
            ids.append(inserted_id((yield queuing(notice, at, reply_to=key))))
    return ids


def _sent(queued_id: int, at: datetime) -> Plan[None]:
    if not (yield changes("DELETE FROM outbox WHERE id = ? AND reply_to IS NOT NULL", queued_id)):
        yield changes("UPDATE outbox SET sent_at = ? WHERE id = ?", stored_time(at), queued_id)


def _given_up(queued_id: int, at: datetime, alert: list[Notice], leased: bool) -> Plan[bool]:
    # Not ours (`leased` False): another process may hold it and be sending it right now; then it
    # is left to that process, and staff are not told of a message that may yet arrive.
    free = "" if leased else " AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
    sql = f"UPDATE outbox SET given_up_at = ? WHERE id = ? AND sent_at IS NULL AND given_up_at IS NULL{free}"
    if not (yield changes(sql, stored_time(at), queued_id, *(() if leased else (stored_time(at),)))):
        return False
    for notice in alert:
        yield queuing(notice, at)
    return True


def _window(times: str | None, warned_at: str | None) -> tuple[tuple[datetime, ...], datetime | None]:
    return tuple(datetime.fromisoformat(t) for t in json.loads(times or "[]")), _time(warned_at)


# A column of the latest miss of the same question (what SQLite's bare column beside MAX() meant).
_LATEST = "SELECT {} FROM faq_misses m2 WHERE m2.question = m.question ORDER BY asked_at DESC, id DESC LIMIT 1"

_QUEUED = "id, channel, user_id, reply, attempts, next_attempt_at, reply_to, expires_at, created_at"


def _queued(r) -> Queued:
    return Queued(r["id"], r["channel"], r["user_id"], json.loads(r["reply"]), r["attempts"],
                  _time(r["next_attempt_at"]), _time(r["expires_at"]) or _time(r["created_at"]) + DEFAULT_LIFETIME,
                  r["reply_to"] is not None)


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    at = datetime.fromisoformat(text.replace(" ", "T"))
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)  # SQLite's datetime() drops the zone
