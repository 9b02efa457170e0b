"""The data-access interface the flows use. SQL stays in this package.

Kept deliberately narrow (plain values in, plain values out) so that a PostgreSQL
backend can implement the same methods without the flows noticing.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from common.messages import Address, Notice
from storage import bookings, consultations
from storage.bookings import Booking
from storage.db import Database, stored_time
from storage.outbox import enqueue_in


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
        async with self.db.conn.execute(
            "SELECT state FROM conversations WHERE channel = ? AND user_id = ?", (channel, user_id)
        ) as cur:
            row = await cur.fetchone()
        return row["state"] if row else None

    async def save_state(self, channel: str, user_id: str, state_json: str, at: datetime) -> None:
        await self.save_turn(channel, user_id, state_json, [], at)

    async def states_untouched_since(self, before: datetime, holding: list[str]) -> list[tuple[str, str]]:
        """People whose saved state was last touched before `before` and holds one of these keys."""
        if not holding:
            return []
        likes = " OR ".join("state LIKE ?" for _ in holding)
        async with self.db.conn.execute(
            f"SELECT channel, user_id FROM conversations WHERE updated_at < ? AND ({likes})",
            (stored_time(before), *(f'%"{key}":%' for key in holding)),
        ) as cur:
            return [(r["channel"], r["user_id"]) for r in await cur.fetchall()]

    async def save_turn(
        self,
        channel: str,
        user_id: str,
        state_json: str,
        notices: list[Notice],
        at: datetime,
    ) -> None:
        """The person's new state and the messages it causes for others, in one transaction."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO conversations (channel, user_id, state, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (channel, user_id) DO UPDATE SET state = excluded.state,"
                " updated_at = excluded.updated_at",
                (channel, user_id, state_json, stored_time(at)),
            )
            for notice in notices:
                await enqueue_in(conn, notice, at)

    async def enqueue(self, notice: Notice, at: datetime) -> bool:
        """Queue a message; False if one with the same dedupe key was queued before."""
        async with self.db.transaction() as conn:
            return await enqueue_in(conn, notice, at)

    async def unsent(self, channels: frozenset[str] | set[str], limit: int = 200) -> list[Queued]:
        """Messages neither sent nor given up, oldest first (each person's in the order queued);
        some may be waiting for their next attempt."""
        marks = ",".join("?" * len(channels))
        async with self.db.conn.execute(
            "SELECT id, channel, user_id, reply, attempts, next_attempt_at,"
            " COALESCE(expires_at, datetime(created_at, '+7 days')) AS expires FROM outbox"
            f" WHERE sent_at IS NULL AND given_up_at IS NULL AND channel IN ({marks}) ORDER BY id LIMIT ?",
            (*channels, limit),
        ) as cur:
            rows = await cur.fetchall()
        return [Queued(r["id"], r["channel"], r["user_id"], json.loads(r["reply"]), r["attempts"],
                       _time(r["next_attempt_at"]), _time(r["expires"])) for r in rows]

    async def queued_at(self, dedupe_key: str) -> datetime | None:
        async with self.db.conn.execute("SELECT created_at FROM outbox WHERE dedupe_key = ?", (dedupe_key,)) as cur:
            row = await cur.fetchone()
        return datetime.fromisoformat(row["created_at"]) if row else None

    async def mark_sent(self, queued_id: int, at: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE outbox SET sent_at = ? WHERE id = ?", (stored_time(at), queued_id))

    async def mark_failed(self, queued_id: int, error: str, retry_at: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                (error[:300], stored_time(retry_at), queued_id),
            )

    async def give_up(self, queued_id: int, at: datetime, alert: list[Notice]) -> None:
        """Past its useful life: stop trying, and queue `alert` (for staff) in the same transaction."""
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE outbox SET given_up_at = ? WHERE id = ? AND sent_at IS NULL",
                               (stored_time(at), queued_id))
            for notice in alert:
                await enqueue_in(conn, notice, at)

    async def backlog(self, queued_before: datetime) -> int:
        """How many messages queued before `queued_before` still wait for delivery."""
        async with self.db.conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL AND created_at < ?",
            (stored_time(queued_before),),
        ) as cur:
            return (await cur.fetchone())[0]

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
            await conn.execute("DELETE FROM conversations WHERE channel = ? AND user_id = ?", who)
            await conn.execute("DELETE FROM outbox WHERE channel = ? AND user_id = ? AND sent_at IS NULL", who)
            # Copies of their question, reminders about their visit, answers to them: sent or not.
            await conn.execute("DELETE FROM outbox WHERE about_channel = ? AND about_user_id = ?", who)
            for notice in await tell(cancelled):
                await enqueue_in(conn, notice, now)
        await self.db.checkpoint()

    # --- accountability ---------------------------------------------------------
    async def log_access(self, actor: str, action: str, subject: str, at: datetime) -> None:
        """Record that staff (or a lawyer) read someone's personal data."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO access_log (at, actor, action, subject) VALUES (?, ?, ?, ?)",
                (stored_time(at), actor, action, subject),
            )

    async def access_log(self, limit: int = 100) -> list[tuple[str, str, str, str]]:
        async with self.db.conn.execute(
            "SELECT at, actor, action, subject FROM access_log ORDER BY id DESC LIMIT ?", (limit,)
        ) as cur:
            return [tuple(r) for r in await cur.fetchall()]

    # --- questions the FAQ could not answer --------------------------------
    async def record_miss(
        self, kind: str, question: str, best_ids: list[str], scores: list[float], at: datetime
    ) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO faq_misses (asked_at, kind, question, best_ids, scores)"
                " VALUES (?, ?, ?, ?, ?)",
                (stored_time(at), kind, question, json.dumps(best_ids), json.dumps([round(s, 1) for s in scores])),
            )

    async def misses(self, since: datetime | None = None, limit: int = 100) -> list[Miss]:
        """Unanswered questions, most frequent first, for staff to turn into phrasings."""
        sql = (
            "SELECT question, kind, COUNT(*) AS n, MAX(asked_at) AS last, "
            " (SELECT best_ids FROM faq_misses m2 WHERE m2.question = m.question"
            "  ORDER BY asked_at DESC LIMIT 1) AS best"
            " FROM faq_misses m WHERE question <> ''"  # blanked by retention: counts only
        )
        params: list[object] = []
        if since is not None:
            sql += " AND asked_at >= ?"
            params.append(stored_time(since))
        sql += " GROUP BY question ORDER BY n DESC, last DESC LIMIT ?"
        params.append(limit)
        async with self.db.conn.execute(sql, params) as cur:
            rows = await cur.fetchall()
        return [
            Miss(r["question"], r["n"], r["kind"], json.loads(r["best"]), r["last"]) for r in rows
        ]


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    at = datetime.fromisoformat(text.replace(" ", "T"))
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)  # SQLite's datetime() drops the zone
