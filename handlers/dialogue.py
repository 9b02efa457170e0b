"""The dialogue core: every channel hands it an `Incoming` event and renders the `Outcome`.

Order of precedence for one event (each step may end the turn):
  1. group chats and non-text messages get a polite, useful answer;
  2. a button goes, through its decoded Payload, to the routes() table of the flow it names;
  3. an urgent-risk message gets 110 and 12348 before anything else (in a form it is kept only as
     a written answer, the matter of a visit; in another flow it is that flow's text too; at the
     menu a scam told of or a long story is answered after it, a short cry offers 接着问我的问题);
  4. inside a form, text heard in a voice note is read back and taken only after 对 (handlers/voice.py);
     typed text that picks options on screen (a label, an alias, digits) is a tap on them;
  5. commands, menu / help / cancel words and main-menu labels work everywhere (replies to the evening
     reminder only at the menu); 6. text goes to the active flow, or to the policy questions at the menu.
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from datetime import timedelta

from pydantic import ValidationError

from common.messages import Payload, Reply
from faq.urgent import Danger, danger_in
from handlers import choice, menu, voice
from handlers.events import ChannelInfo, Incoming, Kind, Outcome
from handlers.form import EXPIRED, Form
from handlers.ratelimit import RateLimiter, Verdict, Window
from handlers.state import Conversation
from handlers.turn import Flow, Route, Turn
from services.context import Services
from storage.store import TurnStart

log = logging.getLogger(__name__)

# A flow left untouched this long asks "continue or start again?" before taking new text as an answer.
RESUME_AFTER = timedelta(minutes=30)
MAX_TEXT = 1000
# A message this long at the menu is a story, not a cry: after the safety line it is answered too.
STORY_LENGTH = 40
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")

URGENT = "urgent"  # the flow of 接着问我的问题, and where the question waits for it
ASK_ON = Payload(URGENT, "ask").encode()

_KIND_TEXT_IDS = {
    Kind.VOICE: "input.voice",
    Kind.VOICE_UNHEARD: "voice.unheard",
    Kind.VOICE_TOO_LONG: "voice.too_long",
    Kind.PHOTO: "input.photo",
    Kind.STICKER: "input.sticker",
    Kind.LOCATION: "input.location",
    Kind.CONTACT: "input.contact",
    Kind.FILE: "input.file",
    Kind.OTHER: "input.other",
}


def _parsed(raw: str | None, ev: Incoming) -> Conversation:
    if raw is None:
        return Conversation()
    try:
        return Conversation.model_validate_json(raw)
    except ValidationError:
        log.warning("unreadable saved state on %s; starting afresh", ev.channel)
        return Conversation()


def clean_text(text: str) -> str:
    """Drop control and direction-override characters; keep everything a person meant to type."""
    return _CONTROL.sub("", text).strip()


class Dialogue:
    def __init__(self, services: Services, flows: list[Flow], at_menu: Flow):
        """`at_menu` reads text typed outside any flow (the policy questions)."""
        self.services = services
        self.at_menu = at_menu
        built_in = [menu.MenuFlow(), voice.VoiceFlow(self._typed, self._resume_active), AskOnFlow(self._ask_on)]
        self.flows = {flow.name: flow for flow in [*built_in, at_menu, *flows]}
        self.commands = {cmd: (flow, action) for flow in self.flows.values() for cmd, action in flow.commands.items()}
        self.limiter = RateLimiter(services.settings.rate_limit_per_minute)
        self.channels: dict[str, ChannelInfo] = {}
        self._typed_labels: tuple[object, dict[str, str]] = (None, {})
        # One event at a time per person, so two quick taps cannot interleave their state.
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def _labels(self, t) -> dict[str, str]:
        """The main menu's labels and words as typed → payloads: built once per catalog, not every turn."""
        if self._typed_labels[0] is not t:
            self._typed_labels = (t, menu.label_payloads(t))
        return self._typed_labels[1]

    def _lock(self, key: tuple[str, str]) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    def register_channel(self, info: ChannelInfo) -> None:
        """Each channel adapter declares itself here; the core never names a channel."""
        self.channels[info.name] = info

    def channel(self, name: str) -> ChannelInfo:
        return self.channels.get(name) or ChannelInfo(name)

    async def over_limit(self, ev: Incoming) -> bool:
        """This person is over LEGALAID_RATE_LIMIT_PER_MINUTE: their voice note is not worth
        transcribing (the core answers "slow down" or nothing)."""
        if not self.channel(ev.channel).public:
            return False
        return self.limiter.full(Window(*await self.services.store.rate_window(ev.channel, ev.user_id)), ev.at)

    async def remember_delivered(self, channel: str, user_id: str, reply: Reply) -> None:
        """A queued message (an answer, a reminder) reached someone on a numbered channel: a digit
        they type next picks from its options."""
        if not reply.options or not self.channel(channel).numbered:
            return
        async with self._lock((channel, user_id)), self.services.store.one_at_a_time(channel, user_id):
            state = await self._load(Incoming(channel, user_id, self.services.clock()))
            state.remember_options(reply.options)
            await self.services.store.save_state(channel, user_id, state.model_dump_json(), self.services.clock())

    async def drop_stale_drafts(self, now) -> int:
        """Forget half-filled drafts with personal details (a booking) left untouched too long."""
        flows = [f for f in self.flows.values() if f.draft_ttl is not None]
        if not flows:
            return 0
        dropped = 0
        oldest = now - min(f.draft_ttl for f in flows)
        for channel, user_id in await self.services.store.states_untouched_since(oldest, [f.name for f in flows]):
            async with self._lock((channel, user_id)), self.services.store.one_at_a_time(channel, user_id):
                raw = await self.services.store.load_state(channel, user_id)
                state = Conversation.model_validate_json(raw) if raw else None
                if state is None or state.updated_at is None:
                    continue
                stale = [f for f in flows if f.name in state.data and now - state.updated_at > f.draft_ttl]
                for flow in stale:
                    state.data.pop(flow.name)
                    if state.flow == flow.name:  # the form stays on and says so at the next answer or tap
                        state.step = EXPIRED
                if stale:
                    dropped += 1
                    await self.services.store.save_state(channel, user_id, state.model_dump_json(), state.updated_at)
        return dropped

    async def handle(self, ev: Incoming) -> Outcome:
        """One trip to the database to begin (`Store.begin_turn`) and one to end (`Store.save_turn`);
        only what a flow looks up on purpose (bookings, the ledger) goes in between."""
        key = (ev.channel, ev.user_id)
        store = self.services.store
        # This process's lock first (its waiters hold no connection), then every process's.
        async with self._lock(key), store.one_at_a_time(*key):
            start = await store.begin_turn(ev.channel, ev.user_id, ev.key)
            if start.handled:  # a re-delivery after a restart: nothing to say, nothing to save
                log.info("%s event %s was handled before; not again", ev.channel, ev.ref)
                return Outcome()
            outcome = await self._limited(ev, start)
            outcome.behind = start.undelivered
            return outcome

    async def _limited(self, ev: Incoming, start: TurnStart) -> Outcome:
        if not self.channel(ev.channel).public:
            return await self._handle_locked(ev, start, None)
        verdict, window = self.limiter.check(Window(start.times, start.warned), ev.at)
        if verdict is Verdict.ALLOW:
            return await self._handle_locked(ev, start, window)
        # Saved as handled like any turn, so a message its channel accepted ahead of the turn
        # is not run again after a restart.
        told = Outcome() if verdict is Verdict.DROP else Outcome([Reply(self.services.texts("input.slow_down"))])
        return await self._saved(ev, None, told, window)

    async def _handle_locked(self, ev: Incoming, start: TurnStart, window: Window | None) -> Outcome:
        state = _parsed(start.state, ev)
        numbered = self.channel(ev.channel).numbered
        turn = Turn(ev, state, self.services, lawyer=start.lawyer, numbered=numbered)
        previous_update = state.updated_at
        try:
            await self._route(turn, previous_update)
            if not any(o.payload == ASK_ON for r in turn.outcome.replies for o in r.options):
                state.data.pop(URGENT, None)  # kept only while 接着问我的问题 is on screen
            if ev.spoken:
                voice.show_heard(turn, self._urgent_first(turn))
            voice.offer_reading(turn, self.channel(ev.channel))
        except Exception:
            # The saved state is left as it was before this event; the person gets the menu.
            log.exception("flow %s failed on %s event %s (%s)", state.flow, ev.kind, ev.ref, ev.channel)
            failed = Turn(ev, Conversation(), self.services, numbered=numbered)
            menu.show_menu(failed, "error.apology")
            return await self._saved(ev, None, failed.outcome, window)
        last = next((r for r in reversed(turn.outcome.replies) if r.options), None)
        if last is not None:
            state.remember_options(last.options, turn.multi)
        state.updated_at = ev.at
        return await self._saved(ev, state.model_dump_json(), turn.outcome, window)

    async def _saved(self, ev: Incoming, state_json: str | None, outcome: Outcome, window: Window | None) -> Outcome:
        if state_json is None and not ev.key and window is None:
            return outcome  # a failed turn leaves the saved state as it was
        queued = await self.services.store.save_turn(ev.channel, ev.user_id, state_json, outcome.notices, ev.at,
                                                     event=ev.key, replies=outcome.replies,
                                                     window=window and (window.times, window.warned))
        if queued is None:  # handled before (a re-delivery): nothing was saved, nothing to say
            return Outcome()
        outcome.queued = queued
        return outcome

    async def _load(self, ev: Incoming) -> Conversation:
        return _parsed(await self.services.store.load_state(ev.channel, ev.user_id), ev)

    async def _route(self, turn: Turn, previous_update) -> None:
        ev, state = turn.ev, turn.state
        # A heard answer waits for 对 only until the next event (a voice note that was not heard
        # puts it back: the read-back is still on screen).
        turn.heard, state.heard = state.heard, None
        if ev.group and not self.services.is_staff(ev.channel, ev.user_id):
            # Staff may work from the staff group chat; everyone else is asked to talk privately.
            turn.say(turn.t("input.group"))
            return
        if ev.kind is Kind.BUTTON:
            await self._button(turn, ev.payload or "")
            return
        if ev.kind is not Kind.TEXT:
            await self._non_text(turn)
            return
        text = clean_text(ev.text)
        if not text:
            turn.say(turn.t("input.empty"), menu.main_menu_options(turn.t))
            return
        if len(text) > MAX_TEXT:
            turn.say(turn.t("input.too_long", limit=MAX_TEXT), (turn.menu_option(),))
            return
        flow = self.flows.get(state.flow) if state.active else None
        danger = None if turn.lawyer and flow is not None else danger_in(text)  # a lawyer's answer quoting 报警110
        if danger is not None:
            if flow is not None and not flow.urgent_is_answer:
                if danger.may_be_told and isinstance(flow, Form) and flow.writing(turn):
                    # "被人骗了两万块钱" as the matter of a visit is the matter: 110 alongside, then
                    # the answer is taken (a heard one read back first) and the form goes on.
                    turn.say(_urgent_text(turn, danger))
                    if ev.spoken and flow.confirms_spoken:
                        voice.confirm_heard(turn, text)
                    else:
                        await self._to_flow(turn, flow, text, previous_update)
                    return
                self._urgent(turn, flow, danger)
                return  # a form never stores it as the answer to another question
            if flow is None and (not danger.ongoing or len(text) >= STORY_LENGTH):
                # A scam told of (被骗了钱, 能申请法律援助吗) or a long story also asks things: the
                # safety line first, then the answers, rather than the safety line alone.
                self._urgent(turn, None, danger)
                await self._to_flow(turn, None, text, previous_update)
                return
            self._urgent(turn, flow, danger, asked=text if flow is None else None)
            if flow is None:
                return
        elif ev.spoken and flow is not None and flow.confirms_spoken and not menu.always_word(text):
            # Inside a form a heard answer is read back first; "对" said to a read-back answers it.
            if turn.heard is None or not await self._picked(turn, text):
                voice.confirm_heard(turn, text)
            return
        elif await self._picked(turn, text) or await self._global(turn, text):
            return
        await self._to_flow(turn, flow, text, previous_update)

    async def _to_flow(self, turn: Turn, flow: Flow | None, text: str, previous_update) -> None:
        ev, state = turn.ev, turn.state
        if flow is not None:
            idle = previous_update is not None and ev.at - previous_update > RESUME_AFTER
            if idle and flow.asks_after_idle(state.step):
                turn.say(turn.t("resume.prompt"), (
                    turn.option("resume.continue", Payload(flow.name, "resume")),
                    turn.option("resume.restart", Payload(flow.name, "restart")),
                    turn.menu_option(),
                ))
                return
            await flow.on_text(turn, text)
            return
        state.reset()
        await self.at_menu.on_text(turn, text)

    async def _typed(self, turn: Turn, text: str) -> None:
        """A confirmed heard answer: as if typed now (urgent words were looked at when it was heard)."""
        if not (await self._picked(turn, text) or await self._global(turn, text)):
            flow = self.flows.get(turn.state.flow) if turn.state.active else None
            await self._to_flow(turn, flow, text, previous_update=None)

    async def _resume_active(self, turn: Turn) -> None:
        flow = self.flows.get(turn.state.flow) if turn.state.active else None
        if flow is None:
            menu.show_menu(turn)
        else:
            await flow.resume(turn)

    def _urgent_first(self, turn: Turn) -> bool:
        replies = turn.outcome.replies
        return bool(replies) and replies[0].text.startswith(turn.t("urgent.text"))

    def _urgent(self, turn: Turn, flow: Flow | None, danger: Danger, asked: str | None = None) -> None:
        """The safety screen; `asked`: the text typed at the menu, kept one turn for 接着问我的问题."""
        options = [turn.option("menu.call", Payload("menu", "call"))]
        if flow is not None and not flow.urgent_is_answer:
            options.append(turn.option("resume.continue", Payload(flow.name, "resume")))
        if asked is not None:
            turn.state.data[URGENT] = asked
            options.append(turn.option("urgent.ask_on", Payload(URGENT, "ask")))
        turn.say(_urgent_text(turn, danger), [*options, turn.menu_option()])

    async def _ask_on(self, turn: Turn) -> None:
        """接着问我的问题 under the safety screen: the question typed with it, answered now."""
        kept = turn.state.data.pop(URGENT, None)
        if isinstance(kept, str) and kept:
            await self._to_flow(turn, None, kept, previous_update=None)
        else:
            await self.flows[URGENT].stale(turn)

    async def _picked(self, turn: Turn, text: str) -> bool:
        """Typed text that picks options on screen works as tapping them: the screen comes first."""
        state = turn.state
        picked = choice.pick(text, state.shown(), numbered=turn.numbered,
                             multi=state.multi)
        for number, option in enumerate(picked, 1):
            await self._button(turn, option.payload)
            if number < len(picked):
                turn.outcome.replies.clear()  # "2 5": only the screen after the last pick is shown
        return bool(picked)

    async def _global(self, turn: Turn, text: str) -> bool:
        """Commands, words that work everywhere, and the main menu's labels in any script."""
        state = turn.state
        if text.startswith("/"):
            command, _, rest = text.partition(" ")
            command = command.lower().split("@", 1)[0]
            if command in self.commands:
                flow, action = self.commands[command]
                await flow.on_button(turn, action, rest.strip())
                return True
        if menu.word_in(text, menu.MENU_WORDS):
            menu.show_menu(turn)
        elif menu.word_in(text, menu.HELP_WORDS):
            menu.show_help(turn)
        elif menu.word_in(text, menu.CANCEL_WORDS) and (state.active or not menu.at_menu_payload(text)):
            menu.show_menu(turn, "nav.cancelled" if state.active else "menu.title")
        else:
            payload = (menu.COMMAND_PAYLOADS.get(text.lower()) or self._labels(turn.t).get(choice.normalise(text))
                       or (None if state.active else menu.at_menu_payload(text)))
            if payload is None:
                return False
            await self._button(turn, payload)
        return True

    async def _button(self, turn: Turn, raw: str) -> None:
        payload = Payload.decode(raw)
        if payload is None:
            turn.say(turn.t("nav.stale_button"))
            menu.show_menu(turn)
            return
        flow = self.flows.get(payload.flow)
        if flow is None:
            menu.not_yet(turn)
            return
        await flow.on_button(turn, payload.action, payload.arg)

    async def _non_text(self, turn: Turn) -> None:
        turn.state.heard = turn.heard  # nothing new was heard: a read-back on screen still stands
        text_id = _KIND_TEXT_IDS.get(turn.ev.kind, "input.other")
        flow = self.flows.get(turn.state.flow) if turn.state.active else None
        if flow is not None and flow.non_text_note and turn.ev.kind in (Kind.VOICE, Kind.PHOTO, Kind.FILE):
            text_id = flow.non_text_note
        # Keep the person where they were: show the same choices again, or the menu.
        shown = (turn.state.shown() if turn.state.active else ()) or menu.main_menu_options(turn.t)
        values = {"seconds": self.services.settings.voice_max_seconds} if turn.ev.kind is Kind.VOICE_TOO_LONG else {}
        turn.say(turn.t(text_id, **values), shown)


def _urgent_text(turn: Turn, danger: Danger) -> str:
    text = turn.t("urgent.text")
    if danger.text_id is not None:  # self-harm: the psychological assistance line as well
        text += "\n" + turn.t(danger.text_id)
    return text


class AskOnFlow(Flow):
    """The 接着问我的问题 button of the safety screen at the menu."""

    name = URGENT

    def __init__(self, ask_on):
        self.ask_on = ask_on

    def routes(self) -> dict[str, Route]:
        return super().routes() | {"ask": lambda turn, _arg: self.ask_on(turn)}

    async def start(self, turn: Turn, arg: str = "") -> None:
        menu.show_menu(turn)  # 过期 of a stale button, then the menu
