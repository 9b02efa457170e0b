"""The data-access interface the flows use. SQL stays in this package.

Kept deliberately narrow (plain values in, plain values out) so that a PostgreSQL
backend can implement the same methods without the flows noticing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database


@dataclass(frozen=True)
class Miss:
    question: str
    count: int
    kind: str
    best_ids: list[str]
    last_asked: str


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


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
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO conversations (channel, user_id, state, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (channel, user_id) DO UPDATE SET state = excluded.state,"
                " updated_at = excluded.updated_at",
                (channel, user_id, state_json, _iso(at)),
            )

    async def delete_state(self, channel: str, user_id: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "DELETE FROM conversations WHERE channel = ? AND user_id = ?", (channel, user_id)
            )

    # --- questions the FAQ could not answer --------------------------------
    async def record_miss(
        self, kind: str, question: str, best_ids: list[str], scores: list[float], at: datetime
    ) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO faq_misses (asked_at, kind, question, best_ids, scores)"
                " VALUES (?, ?, ?, ?, ?)",
                (_iso(at), kind, question, json.dumps(best_ids), json.dumps([round(s, 1) for s in scores])),
            )

    async def misses(self, since: datetime | None = None, limit: int = 100) -> list[Miss]:
        """Unanswered questions, most frequent first, for staff to turn into phrasings."""
        sql = (
            "SELECT question, kind, COUNT(*) AS n, MAX(asked_at) AS last, "
            " (SELECT best_ids FROM faq_misses m2 WHERE m2.question = m.question"
            "  ORDER BY asked_at DESC LIMIT 1) AS best"
            " FROM faq_misses m"
        )
        params: list[object] = []
        if since is not None:
            sql += " WHERE asked_at >= ?"
            params.append(_iso(since))
        sql += " GROUP BY question ORDER BY n DESC, last DESC LIMIT ?"
        params.append(limit)
        async with self.db.conn.execute(sql, params) as cur:
            rows = await cur.fetchall()
        return [
            Miss(r["question"], r["n"], r["kind"], json.loads(r["best"]), r["last"]) for r in rows
        ]
