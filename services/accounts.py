"""The web console's accounts: staff create them, and anyone signs in with a name and password.

Passwords are hashed with argon2id. Sign-in is throttled per account and per address: after
too many failures within the window the account (or the address) is locked until the window
passes or staff lift it. The CLI (`legalaid users …`) and the console's 账号 page call these.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import cache
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.actor import Actor, Role, require
from services.context import Services
from storage.lawyers import Lawyer
from storage.users import User, UserExists, UserStore, WebRole

__all__ = ["Locked", "SignIn", "UserExists", "WebRole", "sign_in"]

LOCK_WINDOW = timedelta(minutes=15)
SESSION_IDLE = timedelta(minutes=30)
SESSION_MAX_AGE = timedelta(hours=12)  # a working day: then sign in again, however busy
ATTEMPTS_KEPT = timedelta(days=1)  # sign-in attempts (names, addresses) only serve the lock window
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
MIN_PASSWORD = 10
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so an unknown name takes as long as a wrong password."""
    return _hasher.hash("not a password of anyone")


class Locked(Exception):
    """Too many failed sign-ins for this account or from this address."""


class WeakPassword(ValueError):
    """Shorter than MIN_PASSWORD characters."""


@dataclass(frozen=True)
class SignIn:
    """Who signed in, as the service layer sees them."""

    user: User
    actor: Actor


def users(services: Services) -> UserStore:
    return UserStore(services.store.db)


async def hash_password(password: str) -> str:
    """argon2 takes about a second of CPU here: off the event loop, so other pages keep moving."""
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(MIN_PASSWORD)
    return await asyncio.to_thread(_hasher.hash, password)


def _verified(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False


async def actor_for(services: Services, user: User) -> Actor | None:
    """The service-layer actor of an account; None for a lawyer account whose lawyer is gone."""
    name = f"web:{user.name}"
    if user.role == WebRole.STAFF:
        return Actor.staff(name)
    lawyer: Lawyer | None = await services.ledger.get_lawyer(user.lawyer_id)
    return Actor.of_lawyer(lawyer, name) if lawyer is not None and lawyer.active else None


async def sign_in(services: Services, name: str, password: str, address: str, now: datetime) -> SignIn | None:
    """The account, or None for a wrong name or password; Locked when throttled (checked first,
    so a locked account cannot be probed)."""
    store = users(services)
    by_name, by_address = await store.failures(now - LOCK_WINDOW)
    if by_name.get(name, 0) >= MAX_FAILURES_PER_ACCOUNT or by_address.get(address, 0) >= MAX_FAILURES_PER_ADDRESS:
        raise Locked(name)
    user = await store.by_name(name)
    verified = await asyncio.to_thread(_verified, user.password_hash if user else None, password)
    actor = await actor_for(services, user) if verified and user is not None and user.active else None
    await store.record_attempt(name, address, actor is not None, now)
    if actor is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        await store.set_password(name, await hash_password(password))
    return SignIn(user, actor)


async def drop_old(services: Services, now: datetime) -> int:
    """Run hourly with the retention job, and at each sign-in."""
    return await users(services).drop_old(now - SESSION_IDLE, now - SESSION_MAX_AGE, now - ATTEMPTS_KEPT)


async def add_user(services: Services, actor: Actor, name: str, role: WebRole, lawyer_id: int | None,
                   password: str, now: datetime) -> User:
    require(actor, "add an account", Role.STAFF)
    name = name.strip()
    if not name:
        raise ValueError("name is empty")
    if (role == WebRole.LAWYER) != (lawyer_id is not None):
        raise ValueError("a lawyer account needs --lawyer ID, a staff account none")
    if lawyer_id is not None and await services.ledger.get_lawyer(lawyer_id) is None:
        raise ValueError(f"no lawyer {lawyer_id}")
    return await users(services).add(name, role, lawyer_id, await hash_password(password), now)


async def list_users(services: Services, actor: Actor) -> list[User]:
    require(actor, "list accounts", Role.STAFF)
    return await users(services).all()


async def set_active(services: Services, actor: Actor, name: str, active: bool) -> bool:
    require(actor, "disable an account", Role.STAFF)
    return await users(services).set_active(name, active)


async def reset_password(services: Services, actor: Actor, name: str, password: str) -> bool:
    require(actor, "reset a password", Role.STAFF)
    return await users(services).set_password(name, await hash_password(password))


async def locked(services: Services, actor: Actor, now: datetime) -> set[str]:
    """Names of the accounts locked now."""
    require(actor, "see lock-outs", Role.STAFF)
    by_name, _ = await users(services).failures(now - LOCK_WINDOW)
    return {name for name, n in by_name.items() if n >= MAX_FAILURES_PER_ACCOUNT}


async def lift(services: Services, actor: Actor, name: str | None, now: datetime) -> int:
    """One account's lock-out (and its addresses'), or with None every lock-out."""
    require(actor, "lift a lock-out", Role.STAFF)
    return await users(services).lift(name, now)
