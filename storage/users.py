"""The web console's accounts, sessions and sign-in attempts (migration 0013).

Passwords arrive here already hashed and session tokens as their hash: this module never sees
a secret. Times come from the caller and are stored as UTC text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from storage.db import Database, UniqueViolation, stored_time


class WebRole(StrEnum):
    STAFF = "staff"
    LAWYER = "lawyer"


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: WebRole
    lawyer_id: int | None
    password_hash: str
    active: bool
    created_at: str


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    last_seen: datetime
    created_at: datetime


class UserExists(ValueError):
    """An account of that name already exists."""


def _user(r) -> User:
    return User(r["id"], r["name"], WebRole(r["role"]), r["lawyer_id"], r["password_hash"], bool(r["active"]),
                r["created_at"])


class UserStore:
    def __init__(self, db: Database):
        self.db = db

    # --- accounts -------------------------------------------------------------------
    async def add(self, name: str, role: WebRole, lawyer_id: int | None, password_hash: str, now: datetime) -> User:
        try:
            async with self.db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO users (name, role, lawyer_id, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                    name, str(role), lawyer_id, password_hash, stored_time(now))
        except UniqueViolation:  # the name: the only unique column the caller chooses
            raise UserExists(name) from None
        return await self.by_name(name)

    async def by_name(self, name: str) -> User | None:
        row = await self.db.fetchone("SELECT * FROM users WHERE name = ?", name)
        return _user(row) if row else None

    async def all(self) -> list[User]:
        return [_user(r) for r in await self.db.fetchall("SELECT * FROM users ORDER BY role DESC, name")]

    async def set_active(self, name: str, active: bool) -> bool:
        """Disabling also ends every session of the account at once."""
        async with self.db.transaction() as conn:
            changed = await conn.execute("UPDATE users SET active = ? WHERE name = ?", int(active), name)
            if not active:
                await conn.execute("DELETE FROM web_sessions WHERE user_id IN (SELECT id FROM users WHERE name = ?)",
                                   name)
            return changed == 1

    async def set_password(self, name: str, password_hash: str) -> bool:
        """A new password ends the account's sessions: whoever knew the old one is signed out."""
        async with self.db.transaction() as conn:
            changed = await conn.execute("UPDATE users SET password_hash = ? WHERE name = ?", password_hash, name)
            await conn.execute("DELETE FROM web_sessions WHERE user_id IN (SELECT id FROM users WHERE name = ?)",
                               name)
            return changed == 1

    # --- sessions ---------------------------------------------------------------------
    async def open_session(self, token_hash: str, user_id: int, csrf: str, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO web_sessions (token_hash, user_id, csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?)",
                token_hash, user_id, csrf, stored_time(now), stored_time(now))

    async def session(self, token_hash: str) -> Session | None:
        row = await self.db.fetchone(
            "SELECT s.csrf, s.last_seen, s.created_at AS opened_at, u.* FROM web_sessions s"
            " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND u.active = 1", token_hash,
        )
        if row is None:
            return None
        seen, opened = (datetime.fromisoformat(row[k]) for k in ("last_seen", "opened_at"))
        return Session(_user(row), row["csrf"], seen, opened)

    async def touch(self, token_hash: str, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE web_sessions SET last_seen = ? WHERE token_hash = ?",
                               stored_time(now), token_hash)

    async def close_session(self, token_hash: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM web_sessions WHERE token_hash = ?", token_hash)

    async def drop_old(self, seen_before: datetime, opened_before: datetime, attempts_before: datetime) -> int:
        """Sessions idle or past their age, and sign-in attempts (names, addresses) past their use."""
        async with self.db.transaction() as conn:
            dropped = await conn.execute("DELETE FROM web_sessions WHERE last_seen < ? OR created_at < ?",
                                         stored_time(seen_before), stored_time(opened_before))
            return dropped + await conn.execute("DELETE FROM login_attempts WHERE at < ?", stored_time(attempts_before))

    # --- sign-in attempts ----------------------------------------------------------------
    async def record_attempt(self, name: str, address: str, ok: bool, now: datetime) -> None:
        """A success lifts the account's earlier failures: the count starts again."""
        async with self.db.transaction() as conn:
            await conn.execute("INSERT INTO login_attempts (at, name, address, ok) VALUES (?, ?, ?, ?)",
                               stored_time(now), name, address, int(ok))
            if ok:
                await conn.execute(
                    "UPDATE login_attempts SET lifted_at = ? WHERE name = ? AND ok = 0 AND lifted_at IS NULL",
                    stored_time(now), name)

    async def failures(self, since: datetime) -> tuple[dict[str, int], dict[str, int]]:
        """Failures not lifted since `since`, by account name and by address."""
        rows = await self.db.fetchall(
            "SELECT name, address FROM login_attempts WHERE ok = 0 AND lifted_at IS NULL AND at >= ?",
            stored_time(since),
        )
        by_name: dict[str, int] = {}
        by_address: dict[str, int] = {}
        for r in rows:
            by_name[r["name"]] = by_name.get(r["name"], 0) + 1
            by_address[r["address"]] = by_address.get(r["address"], 0) + 1
        return by_name, by_address

    async def lift(self, name: str | None, now: datetime) -> int:
        """Staff lift an account's lock-out, and that of the addresses its failures came from;
        with None, every lock-out."""
        async with self.db.transaction() as conn:
            if name is None:
                return await conn.execute("UPDATE login_attempts SET lifted_at = ? WHERE ok = 0 AND lifted_at IS NULL",
                                          stored_time(now))
            return await conn.execute(
                "UPDATE login_attempts SET lifted_at = ? WHERE ok = 0 AND lifted_at IS NULL AND (name = ? OR address"
                " IN (SELECT address FROM login_attempts WHERE name = ? AND ok = 0 AND lifted_at IS NULL))",
                stored_time(now), name, name)
