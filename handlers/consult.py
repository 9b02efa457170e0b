"""留言问律师 (the resident's side): leave a question, get the lawyer's answer, one follow-up, thanks.

Lawyers on duty are told at once, with a 接单 button; questions nobody claims in time are
sent again and shown to staff (services.consultations, run by bot/scheduler.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.turn import Flow, Route, Turn
from services import consultations
from services.wording import day_label
from storage.consultations import Consultation, Feedback

NAME = "consult"
MIN_LEN, MAX_LEN = 4, 500
OwnAction = Callable[[Turn, Consultation], Awaitable[None]]


class ConsultFlow(Flow):
    name = NAME
    free_text_steps = frozenset({"question", "follow_up"})
    non_text_note = "consult.text_only"  # say plainly the lawyer reads text only

    def routes(self) -> dict[str, Route]:
        table: dict[str, OwnAction] = {
            "follow": self.begin_follow_up,
            "ok": lambda turn, c: self.feedback(turn, c, Feedback.SATISFIED),
            "praise": lambda turn, c: self.feedback(turn, c, Feedback.PRAISE),
        }
        return {**super().routes(), **{action: self.own(act) for action, act in table.items()}}

    def own(self, act: OwnAction) -> Route:
        """Buttons about one of the sender's own questions; anyone else's is a stale button."""
        async def route(turn: Turn, arg: str) -> None:
            c = await turn.services.consultations.get(int(arg)) if arg.isdecimal() else None
            if c is None or (c.channel, c.user_id) != (turn.ev.channel, turn.ev.user_id):
                await self.stale(turn)
            else:
                await act(turn, c)
        return route

    async def start(self, turn: Turn, arg: str = "") -> None:
        turn.state.flow, turn.state.step = NAME, "question"
        turn.say(turn.t("consult.prompt") + "\n" + self.when(turn), (turn.menu_option(),))

    @staticmethod
    def when(turn: Turn) -> str:
        """Out of office hours, the date of the next working day (statutory calendar with 调休)."""
        day = consultations.answer_day(turn.services, turn.now)
        if day is None:
            return turn.t("consult.when_work_day")
        return turn.t("consult.when_later", day=day_label(turn.t, day))

    async def resume(self, turn: Turn) -> None:
        if turn.state.step == "follow_up":
            turn.say(turn.t("consult.follow_up_prompt"), (turn.menu_option(),))
        else:
            await self.start(turn)

    async def on_text(self, turn: Turn, text: str) -> None:
        if turn.state.step == "follow_up":
            await self.take_follow_up(turn, text)
            return
        if not MIN_LEN <= len(text) <= MAX_LEN:
            turn.say(turn.t("consult.length", low=MIN_LEN, high=MAX_LEN), (turn.menu_option(),))
            return
        asked = await consultations.ask(turn.services, turn.sender, text, turn.now, turn.ev.key)
        turn.outcome.notices.extend(asked.notices)
        turn.state.reset()
        turn.say(turn.t("consult.received", ref=asked.value.ref) + "\n" + self.when(turn), (turn.menu_option(),))

    async def begin_follow_up(self, turn: Turn, c: Consultation) -> None:
        if c.follow_up is not None:
            turn.say(turn.t("consult.follow_up_used"), (turn.option("menu.consult", "consult:start"),
                                                         turn.menu_option()))
            return
        turn.state.flow, turn.state.step = NAME, "follow_up"
        turn.state.data[NAME] = {"id": c.id}
        turn.say(turn.t("consult.follow_up_prompt"), (turn.menu_option(),))

    async def take_follow_up(self, turn: Turn, text: str) -> None:
        services = turn.services
        consultation_id = turn.state.data.pop(NAME, {}).get("id")
        turn.state.reset()
        c = await services.consultations.get(consultation_id) if consultation_id else None
        sent = c is not None and await consultations.follow_up(services, turn.sender, c, text[:MAX_LEN], turn.now)
        if not sent or not sent.value:
            turn.say(turn.t("consult.follow_up_used"), (turn.menu_option(),))
            return
        turn.outcome.notices.extend(sent.notices)
        turn.say(turn.t("consult.follow_up_sent"), (turn.menu_option(),))

    async def feedback(self, turn: Turn, c: Consultation, kind: Feedback) -> None:
        saved = await consultations.feedback(turn.services, turn.sender, c, kind, turn.now)
        turn.outcome.notices.extend(saved.notices)
        turn.state.reset()
        turn.say(turn.t("consult.thanks" if saved.value else "consult.feedback_done"), (turn.menu_option(),))
