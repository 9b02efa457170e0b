"""Drive the dialogue core directly, as a person would: type, tap a button by its label."""

from __future__ import annotations

from common.messages import Option
from bot.channels.console import CONSOLE
from handlers.events import Incoming, Kind, Outcome


def opening(texts, text_id: str) -> str:
    """The first line of a catalog text, its placeholders left empty: what a reply starts with."""
    return texts(text_id, **{name: "" for name in texts.fields(text_id)}).splitlines()[0]


class Chat:
    def __init__(self, runtime, channel: str = "console", user_id: str = "elder-1"):
        self.runtime = runtime
        self.channel = channel
        self.user_id = user_id
        self.last = Outcome()
        if channel == CONSOLE.name:
            runtime.dialogue.register_channel(CONSOLE)

    async def _handle(self, ev: Incoming) -> Outcome:
        self.last = await self.runtime.dialogue.handle(ev)
        return self.last

    async def send(self, text: str, kind: Kind = Kind.TEXT, spoken: bool = False) -> Outcome:
        """`spoken`: the text a speech recogniser heard in a voice note."""
        ev = Incoming(self.channel, self.user_id, self.runtime.now(), kind=kind, text=text, spoken=spoken)
        return await self._handle(ev)

    async def press(self, payload: str) -> Outcome:
        ev = Incoming(self.channel, self.user_id, self.runtime.now(), kind=Kind.BUTTON, payload=payload)
        return await self._handle(ev)

    async def tap(self, label: str) -> Outcome:
        """Tap the button whose label contains `label` in the last replies."""
        return await self.press(self.option(label).payload)

    def option(self, label: str) -> Option:
        for option in self.options:
            if label in option.label:
                return option
        raise AssertionError(f"no button {label!r} in {[o.label for o in self.options]}\n{self.text}")

    @property
    def options(self) -> list[Option]:
        return [o for r in self.last.replies for o in r.options]

    @property
    def labels(self) -> list[str]:
        return [o.label for o in self.options]

    @property
    def texts(self):
        """The catalog as this chat's channel reads it (回复数字 where options are numbered lines)."""
        texts = self.runtime.services.texts
        return texts.numbered() if self.runtime.dialogue.channel(self.channel).numbered else texts

    def says(self, text_id: str, **values: object) -> bool:
        """Whether the last replies contain the catalog text `text_id`; placeholders not given
        may hold anything, every fixed part of the text must be there."""
        texts = self.texts
        marker = "\x00"
        filled = texts(text_id, **{name: marker for name in texts.fields(text_id)} | values)
        return all(part.strip() in self.text for part in filled.split(marker) if part.strip())

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.last.replies)
