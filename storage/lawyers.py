"""Registered lawyers: one-time codes, the chat account each binds, and the duty roster.

Times are aware datetimes from the caller, stored as UTC text so SQL compares them correctly.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone


from common.pinyin import char_pinyin
from policy.ledger import LedgerError, UnknownRecord, required
from storage.db import Database, Queries, Row, stored_time

# Typed by older lawyers from a message: no 0/O, 1/I/L look-alikes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
DEFAULT_CODE_TTL = timedelta(days=7)


@dataclass(frozen=True)
class Lawyer:
    id: int
    name: str
    firm: str
    channel: str | None
    user_id: str | None
    on_duty: bool
    active: bool
    created_at: datetime

    @property
    def bound(self) -> bool:
        """Whether a chat account is linked, so the bot can reach this lawyer."""
        return self.channel is not None


class LawyerStore:
    def __init__(self, db: Database):
        self.db = db

    async def add_lawyer(
        self, name: str, firm: str, now: datetime, code_ttl: timedelta = DEFAULT_CODE_TTL
    ) -> tuple[Lawyer, str]:
        """Register a lawyer; returns the one-time code they send the bot to bind their account."""
        name, firm = required(name, "name"), required(firm, "firm")
        async with self.db.transaction() as conn:
            lawyer_id = await conn.fetchval(
                "INSERT INTO lawyers (name, firm, created_at) VALUES (?, ?, ?) RETURNING id", name, firm, stored_time(now)
            )
            code = await _set_new_code(conn, lawyer_id, utc(now), code_ttl)
        lawyer = await self.get_lawyer(lawyer_id)
        assert lawyer is not None
        return lawyer, code

    async def bind(self, code: str, channel: str, user_id: str, now: datetime) -> Lawyer | None:
        """Link the chat account that sent `code` to its lawyer. None for an unknown, used or expired code.

        A chat account already linked to a different lawyer is a LedgerError: one phone, one lawyer.
        """
        channel = required(channel, "channel")
        user_id = required("" if user_id is None else str(user_id), "user_id")
        async with self.db.transaction("lawyers") as conn:
            row = await conn.fetchone(
                "SELECT id, code_expires_at FROM lawyers WHERE register_code_hash = ? AND active = 1", _hash_code(code)
            )
            if row is None or utc(now) >= datetime.fromisoformat(row["code_expires_at"]):
                return None
            other = await conn.fetchone(
                "SELECT id FROM lawyers WHERE channel = ? AND user_id = ? AND id <> ?", channel, user_id, row["id"]
            )
            if other is not None:
                raise LedgerError("ledger.error.account_already_bound",
                                  f"{channel} account {user_id} is already bound to lawyer {other['id']}")
            await conn.execute(
                "UPDATE lawyers SET channel = ?, user_id = ?, register_code_hash = NULL,"
                " code_expires_at = NULL WHERE id = ?",
                channel, user_id, row["id"],
            )
        return await self.get_lawyer(row["id"])

    async def lawyer_for(self, channel: str, user_id: str) -> Lawyer | None:
        """The active lawyer bound to this chat account, if any."""
        return await self._one_lawyer("WHERE channel = ? AND user_id = ? AND active = 1", (channel, str(user_id)))

    async def get_lawyer(self, lawyer_id: int) -> Lawyer | None:
        return await self._one_lawyer("WHERE id = ?", (lawyer_id,))

    async def list_lawyers(self) -> list[Lawyer]:
        """Every lawyer, active or not, in 拼音 order of name."""
        return await self._lawyers("")

    async def set_on_duty(self, lawyer_id: int, on_duty: bool) -> Lawyer:
        """Switch a lawyer on or off duty (any day); only a bound lawyer can be reached on duty."""
        async with self.db.transaction() as conn:
            row = await require_lawyer(conn, lawyer_id)
            if on_duty and row["channel"] is None:
                raise LedgerError("ledger.error.duty_needs_binding",
                                  f"lawyer {lawyer_id} has not bound a chat account and cannot be put on duty")
            await conn.execute("UPDATE lawyers SET on_duty = ? WHERE id = ?", int(bool(on_duty)), lawyer_id)
        lawyer = await self.get_lawyer(lawyer_id)
        assert lawyer is not None
        return lawyer

    async def set_active(self, lawyer_id: int, active: bool) -> Lawyer:
        """Deactivate (or reactivate) a lawyer: an inactive lawyer is off duty, gets no questions
        or visits, and cannot sign in to the web console; the ledger keeps their entries."""
        async with self.db.transaction() as conn:
            await require_lawyer(conn, lawyer_id)
            await conn.execute("UPDATE lawyers SET active = ?, on_duty = on_duty * ? WHERE id = ?",
                               int(active), int(active), lawyer_id)
        lawyer = await self.get_lawyer(lawyer_id)
        assert lawyer is not None
        return lawyer

    async def on_duty_lawyers(self) -> list[Lawyer]:
        """Active, bound lawyers on duty: the ones the bot may hand a question to."""
        return await self._lawyers("WHERE on_duty = 1 AND active = 1 AND channel IS NOT NULL")

    async def rostered_on(self, day: date) -> list[Lawyer]:
        """Active, bound lawyers on the duty roster (storage.duty_roster) for `day`."""
        return await self._lawyers("WHERE active = 1 AND channel IS NOT NULL"
                                   " AND id IN (SELECT lawyer_id FROM duty_roster WHERE day = ?)", day.isoformat())

    async def _lawyers(self, where: str, *args: object) -> list[Lawyer]:
        rows = await self.db.fetchall(f"SELECT {_LAWYER_COLUMNS} FROM lawyers {where}", *args)
        return sorted((_lawyer(r) for r in rows), key=lambda x: (name_key(x.name), x.id))

    async def _one_lawyer(self, where: str, params: tuple[object, ...]) -> Lawyer | None:
        row = await self.db.fetchone(f"SELECT {_LAWYER_COLUMNS} FROM lawyers {where}", *params)
        return _lawyer(row) if row else None


_LAWYER_COLUMNS = "id, name, firm, channel, user_id, on_duty, active, created_at"


def normalize_code(typed: str) -> str:
    """What the person meant: full-width input (中文输入法) folded, case and spaces ignored."""
    folded = unicodedata.normalize("NFKC", typed or "").upper()
    return "".join(ch for ch in folded if ch not in " -_\t\r\n")


def name_key(name: str) -> tuple[list[str], str]:
    # Chinese readers expect names in 拼音 order; code-point order looks random to them. The
    # compact table (no phrase dictionary, no tones) keeps pypinyin's 55 MB out of the process.
    return [char_pinyin(ch) for ch in name], name


def utc(at: datetime) -> datetime:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"a time must be a timezone-aware datetime, got {at!r}")
    return at.astimezone(timezone.utc)




async def require_lawyer(conn: Queries, lawyer_id: int) -> Row:
    row = await conn.fetchone("SELECT id, channel FROM lawyers WHERE id = ?", lawyer_id)
    if row is None:
        raise UnknownRecord("lawyer", lawyer_id)
    return row


def _hash_code(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode("ascii", "ignore")).hexdigest()


async def _set_new_code(conn: Queries, lawyer_id: int, now: datetime, ttl: timedelta) -> str:
    if ttl <= timedelta(0):
        raise ValueError(f"code_ttl must be positive, got {ttl}")
    for _ in range(5):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        # Asked first, not caught after: on PostgreSQL a failed statement spoils the whole transaction.
        # (The unique index still stands behind it.)
        if await conn.fetchone("SELECT 1 FROM lawyers WHERE register_code_hash = ?", _hash_code(code)):
            continue  # the same code is live for someone else: draw again
        await conn.execute(
            "UPDATE lawyers SET register_code_hash = ?, code_expires_at = ? WHERE id = ?",
            _hash_code(code), stored_time(now + ttl), lawyer_id,
        )
        return code
    raise RuntimeError("could not draw an unused registration code")


def _lawyer(r: Row) -> Lawyer:
    return Lawyer(
        id=r["id"], name=r["name"], firm=r["firm"], channel=r["channel"], user_id=r["user_id"],
        on_duty=bool(r["on_duty"]), active=bool(r["active"]), created_at=datetime.fromisoformat(r["created_at"]),
    )
