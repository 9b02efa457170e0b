"""What we remember about one person's conversation on one channel (stored as JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from common.messages import Option

IDLE = "menu"


class SavedOption(BaseModel):
    label: str
    payload: str


class Conversation(BaseModel):
    flow: str = IDLE  # the active flow, or IDLE at the menu
    step: str = ""
    data: dict[str, Any] = Field(default_factory=dict)  # answers so far, per flow
    options: list[SavedOption] = Field(default_factory=list)  # last offered, for numbered replies
    updated_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.flow != IDLE

    def reset(self) -> None:
        """Back to the menu. Saved answers in `data` stay, so a flow can offer to continue."""
        self.flow, self.step = IDLE, ""

    def remember_options(self, options: tuple[Option, ...]) -> None:
        self.options = [SavedOption(label=o.label, payload=o.payload) for o in options]
