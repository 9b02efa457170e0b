"""Voice in the dialogue core: what was heard, confirming a heard answer, and reading answers aloud.

The channels transcribe voice notes and hand the core text with `Incoming.spoken`; they turn a
reply's `voice` into a voice message. Here: every reply to a voice note starts with what was
heard ("我听到的是：……"), so a wrong transcription is seen at once; inside a form the heard
answer is read back and stored only after "对" (one tap or typed); and answers a flow marks
`readable` get a 🔊 读给我听 button, or come as voice too when the person always wants that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import replace

from common.messages import Option, Payload
from common.spoken import spoken
from handlers import menu
from handlers.choice import CONFIRM_WORDS
from handlers.events import ChannelInfo
from handlers.state import Heard
from handlers.turn import Flow, Route, Turn

NAME = "voice"
YES_WORDS = ("对", "对的", "是", "是的", "没错", *CONFIRM_WORDS)
NO_WORDS = ("不对", "不是", "错了", "重说", "再说一遍")


def reading_key(text: str) -> str:
    """Names one answer in a 读给我听 button, so an old button cannot read a newer answer."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def confirm_heard(turn: Turn, text: str) -> None:
    """Read a heard answer back; the form takes it only on 对. The options of the question stay
    with it, so that 对 can pick among them ("本人" heard at "您是本人还是家属？")."""
    before = turn.heard or Heard(text=text, options=turn.state.options, multi=turn.state.multi)
    turn.state.heard = Heard(text=text, options=before.options, multi=before.multi)
    turn.say(turn.t("voice.confirm", text=text), (
        Option(turn.t("voice.yes"), Payload(NAME, "yes").encode(), YES_WORDS),
        Option(turn.t("voice.no"), Payload(NAME, "no").encode(), NO_WORDS),
        turn.menu_option(),
    ))


def show_heard(turn: Turn, urgent: bool) -> None:
    """The first reply begins with what was heard (after the urgent text, which comes first)."""
    replies = turn.outcome.replies
    if not replies or turn.state.heard is not None:
        return  # nothing said, or the read-back already shows it
    line = turn.t("voice.heard", text=turn.ev.text.strip())
    first = replies[0]
    replies[0] = replace(first, text=f"{first.text}\n{line}" if urgent else f"{line}\n{first.text}")
    turn.readable = [replies[0] if r is first else r for r in turn.readable]


def offer_reading(turn: Turn, channel: ChannelInfo) -> None:
    """🔊 读给我听 under answers that may be read aloud; with 总是读给我听, the voice itself."""
    if not (turn.services.settings.speaks and channel.voice and turn.readable):
        return
    replies = turn.outcome.replies
    for index, reply in enumerate(replies):
        if not any(reply is r for r in turn.readable):
            continue
        words = spoken(reply.text)
        turn.state.reading = words
        if turn.state.read_aloud:
            replies[index] = replace(reply, voice=words)
        else:
            read = Option(turn.t("voice.read"), Payload(NAME, "read", reading_key(words)).encode())
            replies[index] = replace(reply, options=(read, *reply.options))


class VoiceFlow(Flow):
    """The 对 / 不对 of a heard answer and the 🔊 读给我听 button. `typed` routes text as if typed;
    `resume` asks the active flow's question again."""

    name = NAME

    def __init__(self, typed: Callable[[Turn, str], Awaitable[None]], resume: Callable[[Turn], Awaitable[None]]):
        self.typed = typed
        self.resume_active = resume

    def routes(self) -> dict[str, Route]:
        return super().routes() | {"yes": self.yes, "no": self.no, "read": self.read}

    async def start(self, turn: Turn, arg: str = "") -> None:
        menu.show_menu(turn)

    async def yes(self, turn: Turn, arg: str = "") -> None:
        heard = turn.heard
        if heard is None:
            await self.stale(turn)
            return
        turn.state.options, turn.state.multi = heard.options, heard.multi
        await self.typed(turn, heard.text)

    async def no(self, turn: Turn, arg: str = "") -> None:
        if turn.heard is None:
            await self.stale(turn)
            return
        turn.state.options, turn.state.multi = turn.heard.options, turn.heard.multi
        turn.say(turn.t("voice.again"))
        await self.resume_active(turn)

    async def read(self, turn: Turn, key: str) -> None:
        words = turn.state.reading
        if not turn.services.settings.speaks or words is None or reading_key(words) != key:
            await self.stale(turn)
            return
        options = [turn.menu_option()]
        if not turn.state.read_aloud:
            options.insert(0, turn.option("settings.always_on", Payload("settings", "always", "on")))
        turn.say(turn.t("voice.reading"), options, voice=words)

    async def stale(self, turn: Turn) -> None:
        turn.say(turn.t("nav.stale_button"))
        await self.resume_active(turn)
