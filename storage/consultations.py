"""留言问律师: questions from residents, claimed and answered by lawyers (衢市司发〔2020〕4号 二(一)9).

Claiming is one conditional UPDATE, so of two lawyers tapping 接单 at once exactly one wins.
Answering writes the answer, the points-ledger row (+5 on a non-working day, once per
consultation by the ledger's unique key) and the message to the resident in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from common.messages import Notice
from policy.points import ITEMS_BY_KEY
from storage import inbox
from storage.db import Database, Queries, stored_time
from storage.ledger import insert_award
from storage.outbox import enqueue_in

# 二(一)9 非工作日解答微信小程序或网络法律咨询的,每件得5分
ONLINE_ITEM = ITEMS_BY_KEY["non_workday_consult"]
SOURCE_KIND = "consultation"




class Status(StrEnum):
    """Where a question stands, as stored in consultations.status."""

    OPEN = "open"
    CLAIMED = "claimed"
    ANSWERED = "answered"


class Claim(StrEnum):
    """What a lawyer's 接单 came to."""

    CLAIMED = "claimed"  # this lawyer won it
    MINE = "mine"  # already this lawyer's
    TAKEN = "taken"  # another lawyer's
    NOT_FOUND = "not_found"


class Answered(StrEnum):
    """What came of a lawyer's answer."""

    ANSWERED = "answered"
    FOLLOW_UP_ANSWERED = "follow_up_answered"
    NOT_YOURS = "not_yours"
    NOTHING_TO_ANSWER = "nothing_to_answer"


class Feedback(StrEnum):
    """The resident's word on an answer (stored in consultations.feedback)."""

    SATISFIED = "satisfied"
    PRAISE = "praise"


@dataclass(frozen=True)
class Consultation:
    id: int
    channel: str
    user_id: str
    question: str
    status: Status
    created_at: datetime
    lawyer_id: int | None
    answer: str | None
    follow_up: str | None
    follow_up_answer: str | None
    feedback: str | None

    @property
    def ref(self) -> str:
        return f"Q{self.id:05d}"


class ConsultationStore:
    def __init__(self, db: Database):
        self.db = db

    @staticmethod
    def _row(r) -> Consultation:
        return Consultation(
            r["id"], r["channel"], r["user_id"], r["question"], Status(r["status"]),
            datetime.fromisoformat(r["created_at"]), r["lawyer_id"], r["answer"], r["follow_up"],
            r["follow_up_answer"], r["feedback"],
        )

    async def get(self, consultation_id: int) -> Consultation | None:
        row = await self.db.fetchone("SELECT * FROM consultations WHERE id = ?", consultation_id)
        return self._row(row) if row else None

    async def create(self, channel: str, user_id: str, question: str, now: datetime, event: str = "") -> Consultation:
        """`event`: the channel's id for the message that asked it; the same event again (a
        re-delivery after a crash) finds the question kept the first time."""
        key = inbox.event_key(channel, event) if event else None
        async with self.db.transaction() as conn:
            kept = key and await conn.fetchval("SELECT id FROM consultations WHERE request_key = ?", key)
            consultation_id = kept or await conn.fetchval(
                "INSERT INTO consultations (channel, user_id, question, created_at, request_key)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                channel, user_id, question, stored_time(now), key,
            )
        return await self.get(consultation_id)

    async def claim(self, consultation_id: int, lawyer_id: int, now: datetime) -> Claim:
        """CLAIMED for the one lawyer who wins, TAKEN for everyone after (MINE for the winner again)."""
        async with self.db.transaction() as conn:
            claimed = await conn.execute(
                "UPDATE consultations SET status = 'claimed', lawyer_id = ?, claimed_at = ?"
                " WHERE id = ? AND status = 'open' AND forgotten_at IS NULL",
                lawyer_id, stored_time(now), consultation_id,
            )
            if claimed == 1:
                return Claim.CLAIMED
            row = await conn.fetchone("SELECT lawyer_id FROM consultations WHERE id = ?", consultation_id)
        if row is None:
            return Claim.NOT_FOUND
        return Claim.MINE if row["lawyer_id"] == lawyer_id else Claim.TAKEN

    async def answer(
        self,
        consultation_id: int,
        lawyer_id: int,
        text: str,
        now: datetime,
        award_on: date | None,
        notice: Notice,
    ) -> tuple[Answered, bool]:
        """Record the lawyer's answer (or the answer to the follow-up).

        `notice` (the answer, to the resident) is queued in the same transaction. Returns
        (status, awarded): awarded is True when this call added the +5 (award_on is the
        non-working day in the centre's zone, or None on a working day).
        """
        stamp = stored_time(now)
        async with self.db.transaction(f"consultation:{consultation_id}") as conn:
            row = await conn.fetchone("SELECT * FROM consultations WHERE id = ?", consultation_id)
            if row is None or row["lawyer_id"] != lawyer_id or row["forgotten_at"] is not None:
                return Answered.NOT_YOURS, False
            if row["status"] == "claimed":
                await conn.execute(
                    "UPDATE consultations SET status = 'answered', answer = ?, answered_at = ? WHERE id = ?",
                    text, stamp, consultation_id,
                )
                status = Answered.ANSWERED
            elif row["status"] == "answered" and row["follow_up"] and row["follow_up_answer"] is None:
                await conn.execute(
                    "UPDATE consultations SET follow_up_answer = ?, follow_up_answered_at = ? WHERE id = ?",
                    text, stamp, consultation_id,
                )
                status = Answered.FOLLOW_UP_ANSWERED
            else:
                return Answered.NOTHING_TO_ANSWER, False
            awarded = False
            if award_on is not None and status == Answered.ANSWERED:
                awarded = await insert_award(
                    conn, lawyer_id, ONLINE_ITEM.key, SOURCE_KIND, str(consultation_id), award_on.isoformat(),
                    "system", now, note=f"Q{consultation_id:05d}",
                ) is not None
            await enqueue_in(conn, notice, now)
        return status, awarded

    async def ask_follow_up(self, consultation_id: int, channel: str, user_id: str, text: str, now: datetime) -> bool:
        """One follow-up question per consultation, after the answer."""
        async with self.db.transaction() as conn:
            return await conn.execute(
                "UPDATE consultations SET follow_up = ?, follow_up_at = ? WHERE id = ? AND channel = ?"
                " AND user_id = ? AND status = 'answered' AND follow_up IS NULL AND forgotten_at IS NULL",
                text, stored_time(now), consultation_id, channel, user_id,
            ) == 1

    async def give_feedback(self, consultation_id: int, channel: str, user_id: str, kind: Feedback) -> bool:
        async with self.db.transaction() as conn:
            return await conn.execute(
                "UPDATE consultations SET feedback = ? WHERE id = ? AND channel = ? AND user_id = ?"
                " AND status = 'answered' AND feedback IS NULL",
                Feedback(kind).value, consultation_id, channel, user_id,
            ) == 1

    async def unclaimed(self, created_before: datetime, renotified_before: datetime) -> list[Consultation]:
        rows = await self.db.fetchall(
            "SELECT * FROM consultations WHERE status = 'open' AND forgotten_at IS NULL AND created_at <= ?"
            " AND (renotified_at IS NULL OR renotified_at <= ?) ORDER BY id",
            stored_time(created_before), stored_time(renotified_before),
        )
        return [self._row(r) for r in rows]

    async def mark_renotified(self, consultation_id: int, now: datetime, last_before: datetime) -> int:
        """Record one more re-notification if the last was before `last_before`; how many there have been,
        or 0 when another process's scheduler has just recorded one (so exactly one re-sends it)."""
        async with self.db.transaction() as conn:
            count = await conn.fetchval(
                "UPDATE consultations SET renotified_at = ?, renotify_count = renotify_count + 1 WHERE id = ?"
                " AND (renotified_at IS NULL OR renotified_at <= ?) RETURNING renotify_count",
                stored_time(now), consultation_id, stored_time(last_before),
            )
        return count or 0

    async def stalled(self, claimed_before: datetime) -> list[Consultation]:
        """Claimed but still not answered long after: staff should know (the lawyer may be away)."""
        rows = await self.db.fetchall(
            "SELECT * FROM consultations WHERE status = 'claimed' AND forgotten_at IS NULL AND claimed_at <= ?"
            " ORDER BY id",
            stored_time(claimed_before),
        )
        return [self._row(r) for r in rows]

    async def reassign(self, consultation_id: int, lawyer_id: int, now: datetime) -> bool:
        """Hand a claimed, unanswered question to another active lawyer (the first may be away)."""
        async with self.db.transaction() as conn:
            return await conn.execute(
                "UPDATE consultations SET lawyer_id = ?, claimed_at = ? WHERE id = ? AND status = 'claimed'"
                " AND forgotten_at IS NULL AND EXISTS (SELECT 1 FROM lawyers WHERE id = ? AND active = 1)",
                lawyer_id, stored_time(now), consultation_id, lawyer_id,
            ) == 1

    async def list_for_user(self, channel: str, user_id: str) -> list[Consultation]:
        rows = await self.db.fetchall(
            "SELECT * FROM consultations WHERE channel = ? AND user_id = ? AND forgotten_at IS NULL ORDER BY id",
            channel, user_id,
        )
        return [self._row(r) for r in rows]


async def forget_in(conn: Queries, channel: str, user_id: str, now: datetime) -> int:
    """Blank a person's questions and answers inside the caller's transaction; how many.

    The ledger keeps its rows: they hold no personal data.
    """
    return await conn.execute(
        "UPDATE consultations SET question = '', answer = NULL, follow_up = NULL, follow_up_answer = NULL,"
        " user_id = '', forgotten_at = ?"
        " WHERE channel = ? AND user_id = ? AND forgotten_at IS NULL",
        stored_time(now), channel, user_id,
    )
