"""What we remember about one person's conversation on one channel (stored as JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from common.messages import Option
from policy.eligibility import Asker, Condition, County

IDLE = "menu"


class SavedOption(BaseModel):
    label: str
    payload: str
    aliases: list[str] = Field(default_factory=list)

    def option(self) -> Option:
        return Option(self.label, self.payload, tuple(self.aliases))


class Told(BaseModel):
    """What a person's own words told about them (a run-on message read by faq.extract): offered to
    查资格 and 预约 as answers to confirm, never taken as given."""

    asker: Asker | None = None
    age: int | None = None
    county: County | None = None
    conditions: list[Condition] = Field(default_factory=list)
    matters: list[str] = Field(default_factory=list)  # e.g. "will", "wages", "neighbours"
    dibao: bool = False  # said 低保, which is not 城乡特困: 查资格 notes it and says to ask


class Heard(BaseModel):
    """A transcribed answer read back for 对, and the options that were on screen when it came."""

    text: str
    options: list[SavedOption] = Field(default_factory=list)
    multi: bool = False


class Conversation(BaseModel):
    flow: str = IDLE  # the active flow, or IDLE at the menu
    step: str = ""  # for flows that are not forms (a form keeps its step in its draft)
    data: dict[str, Any] = Field(default_factory=dict)  # per flow: a form's draft, or a flow's notes
    options: list[SavedOption] = Field(default_factory=list)  # last offered, for typed answers
    multi: bool = False  # the options last offered may be picked several at once ("2 5")
    # What a finished 查资格 found about a home visit (3号 三); 预约律师上门 reuses it.
    home_visit: bool | None = None
    told: Told | None = None
    heard: Heard | None = None  # a transcribed answer waiting for "对" before a form stores it
    reading: str | None = None  # the last answer that can be read aloud, as it is spoken
    read_aloud: bool = False  # 设置 → 总是读给我听: answers also come as voice messages
    updated_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.flow != IDLE

    def reset(self) -> None:
        """Back to the menu. Saved answers in `data` stay, so a flow can offer to continue."""
        self.flow, self.step = IDLE, ""

    def clear(self) -> None:
        """Everything forgotten ("删除我的信息"): the same object, as the turn saves it afterwards."""
        for name, value in Conversation():
            setattr(self, name, value)

    def remember_options(self, options: tuple[Option, ...], multi: bool = False) -> None:
        self.options = [SavedOption(label=o.label, payload=o.payload, aliases=list(o.aliases)) for o in options]
        self.multi = multi

    def shown(self) -> tuple[Option, ...]:
        return tuple(o.option() for o in self.options)
