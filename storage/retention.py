"""What each retention period removes, in one transaction (finished visits: storage.reminders).

Each statement blanks or deletes rows whose period has run out; anonymous columns (status, dates,
county, counts) stay for the centre's statistics and the lawyers' ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.db import Database, stored_time

# A blanked outbox row keeps its de-duplication key this long, so no producer (a year's calendar
# warning, a quarterly statement) queues the same message again once its copy is blanked.
KEYS_KEPT = timedelta(days=400)


@dataclass(frozen=True)
class Cutoffs:
    questions: datetime  # answered questions whose last answer or follow-up came before this
    states: datetime  # conversations untouched since this
    misses: datetime  # unanswered-question texts asked before this
    messages: datetime  # messages sent or given up before this


@dataclass(frozen=True)
class Purged:
    visits: int = 0
    questions: int = 0
    states: int = 0
    misses: int = 0
    messages: int = 0


class RetentionStore:
    def __init__(self, db: Database):
        self.db = db

    async def purge(self, cut: Cutoffs, now: datetime, visits: int = 0) -> Purged:
        async with self.db.transaction() as conn:
            questions = await conn.execute(
                "UPDATE consultations SET question = '', answer = NULL, follow_up = NULL, follow_up_answer = NULL,"
                " user_id = '', forgotten_at = ?"
                " WHERE status = 'answered' AND forgotten_at IS NULL"
                " AND COALESCE(follow_up_answered_at, follow_up_at, answered_at) < ?",
                (stored_time(now), stored_time(cut.questions)),
            )
            states = await conn.execute(
                "DELETE FROM conversations WHERE updated_at < ?", (stored_time(cut.states),)
            )
            misses = await conn.execute(
                "UPDATE faq_misses SET question = '' WHERE asked_at < ? AND question <> ''",
                (stored_time(cut.misses),),
            )
            done = "((sent_at IS NOT NULL AND sent_at < ?) OR (given_up_at IS NOT NULL AND given_up_at < ?))"
            messages = await conn.execute(
                "UPDATE outbox SET reply = '{}', user_id = '', about_channel = NULL, about_user_id = NULL,"
                f" last_error = NULL WHERE user_id <> '' AND {done}",
                (stored_time(cut.messages),) * 2,
            )
            await conn.execute(f"DELETE FROM outbox WHERE {done}", (stored_time(now - KEYS_KEPT),) * 2)
        await self.db.checkpoint()
        return Purged(visits, questions.rowcount, states.rowcount, misses.rowcount, messages.rowcount)
