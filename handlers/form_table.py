"""A questionnaire's vocabulary: the draft, a question and its choices, an answer not understood.
`handlers/form.py` is the engine that asks them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from handlers.turn import Turn

REVIEW = "review"
DONE = "done"  # the value of 好了 on a multi-select question
# Conversation.step of a form whose draft Dialogue.drop_stale_drafts dropped unfinished (`Form.draft_ttl`):
# the form stays on, and says so at the next answer or tap.
EXPIRED = "expired"
STUCK_AFTER = 2  # "没看懂" this many times in a row: 12348 and a lawyer are offered as well


class Draft(BaseModel):
    """The answers so far, and the engine's own notes: the questions asked in order (the last one
    is the current step, stored only here) and the selection of a multi-select question."""

    model_config = ConfigDict(validate_assignment=True)  # an answer is checked as it is stored

    asked: list[str] = Field(default_factory=list)
    picked: list[str] = Field(default_factory=list)
    misses: int = 0  # answers in a row to the current question that were not understood
    # Questions gone back over with 上一步: asked again in their turn, though answered, so the answer
    # typed next is read by the question on screen, never stored under a later one.
    again: list[str] = Field(default_factory=list)

    @property
    def step(self) -> str | None:
        return self.asked[-1] if self.asked else None


D = TypeVar("D", bound=Draft)


@dataclass(frozen=True)
class Invalid:
    """An answer not understood or not allowed: say `hint` (a text id, filled with the form's params
    and `values`), then ask again."""

    hint: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Ticked:
    """A multi-select answer read, with a note to say above the question asked again (`hint`, a
    text id filled with the form's params and `values`): what was ticked and what is still asked."""

    value: Any
    hint: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Choice:
    label: str
    value: str
    aliases: tuple[str, ...] = ()


Choices = Callable[[Turn, Any], Awaitable[list[Choice]]]


def fixed(*pairs: tuple[str, str], aliases: dict[str, tuple[str, ...]] | None = None) -> Choices:
    """Options that never change: (text id, value) pairs; `aliases` by value."""

    async def choices(turn: Turn, draft: Any) -> list[Choice]:
        return [Choice(turn.t(text_id), value, (aliases or {}).get(value, ())) for text_id, value in pairs]

    return choices


def always(draft: Any) -> bool:
    return True


@dataclass(frozen=True)
class Question:
    """One question. `read` turns typed text (or a value no button offers) into the answer or an
    Invalid; `save` stores it (default: the draft field named `key`) and returns True when it has
    answered the person itself and the engine should not ask on."""

    key: str
    text: str  # text id, filled with the form's params()
    choices: Choices | None = None
    read: Callable[[Turn, Any, str], Any] | None = None
    when: Callable[[Any], bool] = always
    done: Callable[[Any], bool] | None = None  # answered? default: the field `key` is set
    save: Callable[[Turn, Any, Any], Awaitable[bool]] | None = None
    # The choices ran out (a day filled up): adjust the draft and return a hint to ask on with,
    # or None when the hook has answered the person itself.
    none_left: Callable[[Turn, Any], Awaitable[str | None]] | None = None
    multi: bool = False
    hint: str = "input.not_understood"
    # On a multi-select question only 好了 ends it: typed text that is no option is kept by `save`
    # and the question asked again with this text said first (a note for the visitors, say).
    noted: str | None = None
    # Takes the person's own words (the matter of a visit, notes for the visitors), not a name, number,
    # place or option: a scam told there is the answer, with the 110 advice beside it.
    writing: bool = False

    def pending(self, draft: Draft) -> bool:
        answered = self.done(draft) if self.done else getattr(draft, self.key, None) is not None
        return self.when(draft) and not answered

    def due(self, draft: Draft) -> bool:
        """To be asked next: unanswered, or gone back over (`Draft.again`)."""
        return self.pending(draft) or (self.key in draft.again and self.when(draft))
