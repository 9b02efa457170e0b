"""One event being handled: the person's state, the services, and the replies being built."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar

from common.messages import Address, Document, Option, Payload, Reply
from handlers.events import Incoming, Outcome
from handlers.state import Conversation, Heard

if TYPE_CHECKING:
    # Not imported at run time: `legalaid ask` renders an answer with handlers/ but opens no storage.
    from services.context import Services

MENU = Payload("menu", "show").encode()


class Turn:
    def __init__(self, ev: Incoming, state: Conversation, services: Services, *, lawyer: bool = False,
                 numbered: bool = False):
        self.ev = ev
        self.state = state
        self.services = services
        self.t = services.texts.numbered() if numbered else services.texts
        self.outcome = Outcome()
        self.multi = False  # the options shown may be picked several at once ("2 5")
        self.numbered = numbered  # the channel shows options as numbered lines (no buttons)
        self.heard: Heard | None = None  # a transcribed answer the person was asked to confirm
        self.readable: list[Reply] = []  # replies that may be read aloud (handlers/voice.py)
        # The account is bound to an active registered lawyer (read with the state: no trip of its own).
        self.lawyer = lawyer

    @property
    def now(self):
        return self.ev.at

    @property
    def today(self) -> date:
        """The date in the centre's zone (LEGALAID_TZ): what "today" means for visits and points."""
        return self.ev.at.astimezone(self.services.settings.zone).date()

    def say(
        self,
        text: str,
        options: tuple[Option, ...] | list[Option] = (),
        *,
        main_menu: bool = False,
        document: Document | None = None,
        readable: bool = False,
        voice: str | None = None,
    ) -> None:
        """`readable`: an answer a person may have read aloud; `voice`: sent as a voice message too."""
        reply = Reply(text, tuple(options), main_menu, document, voice)
        self.outcome.replies.append(reply)
        if readable:
            self.readable.append(reply)

    def notify_staff(self, reply: Reply, dedupe_key: str, about: Address | None = None) -> None:
        """Tell the centre (LEGALAID_STAFF_CHAT_ID); saved with this turn's state, then delivered."""
        from services.notices import to_staff

        self.outcome.notices += to_staff(self.services, reply, dedupe_key, about)

    @property
    def sender(self) -> Address:
        return Address(self.ev.channel, self.ev.user_id)

    def option(self, text_id: str, payload: str | Payload, **values: object) -> Option:
        wire = payload.encode() if isinstance(payload, Payload) else payload
        return Option(self.t(text_id, **values), wire)

    def menu_option(self) -> Option:
        return self.option("nav.menu", MENU)



Route = Callable[[Turn, str], Awaitable[None]]


class Flow:
    """A conversation flow. Buttons addressed to it carry Payload(flow=name, action, arg); `routes()`
    is its one table from action to handler, and anything not in it is a stale or forged button."""

    name: ClassVar[str]
    # Slash commands this flow answers: "/register" → on_button(turn, "register", rest of the text).
    commands: ClassVar[dict[str, str]] = {}

    async def start(self, turn: Turn, arg: str = "") -> None:
        raise NotImplementedError

    # Steps whose answer is free writing (a question, an answer, a reason): text typed there after
    # a long pause is still that writing, so it is taken rather than met with "continue?".
    free_text_steps: ClassVar[frozenset[str]] = frozenset()
    # Whether an urgent-risk message typed inside this flow is also its answer ("儿子打我" may be
    # exactly the question for the lawyer). Forms never store it as an answer.
    urgent_is_answer: ClassVar[bool] = True
    # A half-filled draft holding personal details is dropped after this long untouched.
    draft_ttl: ClassVar[timedelta | None] = None
    # Said when a voice note, photo or file arrives inside this flow (e.g. "the lawyer reads text only").
    non_text_note: ClassVar[str | None] = None
    # Whether a transcribed voice answer is read back for "对" before the flow takes it (forms).
    confirms_spoken: ClassVar[bool] = False

    def held(self, turn: Turn) -> list[str]:
        """Lines for 我的数据: what this flow keeps about the person in their conversation."""
        return []

    def asks_after_idle(self, step: str) -> bool:
        return step not in self.free_text_steps

    def routes(self) -> dict[str, Route]:
        """action → handler(turn, arg). Subclasses extend this table; they do not override on_button."""
        return {
            "start": self.start,
            "resume": lambda turn, _arg: self.resume(turn),
            "restart": lambda turn, _arg: self.start(turn),
        }

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        route = self.routes().get(action)
        if route is None:
            await self.stale(turn)
        else:
            await route(turn, arg)

    async def on_text(self, turn: Turn, text: str) -> None:
        await self.resume(turn)

    async def resume(self, turn: Turn) -> None:
        """Ask the current step's question again."""
        await self.start(turn)

    async def stale(self, turn: Turn) -> None:
        turn.say(turn.t("nav.stale_button"))
        await self.resume(turn)
