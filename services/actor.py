"""Who is acting, in which role, and the refusal when the role does not allow it.

Every service function takes an `Actor` first: the chat flows build one from the sender, the CLI
from `--by`, the scheduler uses `SYSTEM`. The actor's `name` is what audit columns record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from common.messages import Notice
from storage.lawyers import Lawyer

T = TypeVar("T")


class Role(StrEnum):
    STAFF = "staff"
    LAWYER = "lawyer"
    SYSTEM = "system"  # the scheduler: jobs no person started


@dataclass(frozen=True)
class Actor:
    role: Role
    name: str  # recorded as entered_by / closed_by / the access log's actor
    lawyer: Lawyer | None = None  # set for Role.LAWYER

    @classmethod
    def staff(cls, name: str) -> Actor:
        return cls(Role.STAFF, name)

    @classmethod
    def of_lawyer(cls, lawyer: Lawyer, name: str) -> Actor:
        return cls(Role.LAWYER, name, lawyer)


SYSTEM = Actor(Role.SYSTEM, "system")


class PermissionDenied(Exception):
    """The actor's role may not do this; `text_id` is the polite refusal."""

    text_id = "roles.refused"

    def __init__(self, actor: Actor, action: str):
        super().__init__(f"{actor.role} may not {action}")
        self.action = action
        self.fields: dict[str, object] = {}


def require(actor: Actor, action: str, *roles: Role) -> None:
    if actor.role not in roles:
        raise PermissionDenied(actor, action)


def require_lawyer(actor: Actor, action: str) -> Lawyer:
    require(actor, action, Role.LAWYER)
    assert actor.lawyer is not None
    return actor.lawyer


@dataclass(frozen=True)
class Done(Generic[T]):
    """What a service function did, and the notices to send about it; the caller queues them
    (a flow adds them to its turn's outcome, the CLI and the scheduler call store.enqueue)."""

    value: T
    notices: list[Notice] = field(default_factory=list)
