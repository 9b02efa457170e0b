"""One engine for every questionnaire (Rasa's required slots, aiogram's states, as plain data).

A form is a table of `Question`s over a pydantic `Draft`. The engine asks the first question
whose condition holds and whose answer is missing, reads a tap or typed text through the
question's validator, and offers 上一步 (the previously asked question), a review screen with
修改 on each line, and "continue or start again?" after a pause or a restart. The draft is
saved in the conversation as JSON after every answer and validated when loaded.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any, ClassVar, Generic

from pydantic import ValidationError

from common.messages import Option, Payload
from handlers import form_nav, menu
from handlers.choice import BACK_WORDS, CONFIRM_WORDS
from handlers.form_table import (  # re-exported: a form's module imports its vocabulary from here
    DONE as DONE,
    EXPIRED as EXPIRED,
    REVIEW as REVIEW,
    STUCK_AFTER as STUCK_AFTER,
    Choice as Choice,
    Choices as Choices,
    D,
    Draft as Draft,
    Invalid as Invalid,
    Question as Question,
    Ticked as Ticked,
    always as always,
    fixed as fixed,
)
from handlers.turn import Flow, Route, Turn

log = logging.getLogger(__name__)


class Form(Flow, Generic[D]):
    """Subclasses give `name`, `draft`, `questions`; with a review, `review_text`, `editable`,
    `confirm_text` and `confirm`; without one, `finish` runs once every question is answered."""

    draft: ClassVar[type[Draft]]
    questions: ClassVar[tuple[Question, ...]]
    editable: ClassVar[tuple[str, ...]] = ()
    confirm_text: ClassVar[str] = ""
    texts: ClassVar[str] = ""  # catalog prefix of the 修改 labels: f"{texts}.edit.{key}"
    edit_words: ClassVar[dict[str, tuple[str, ...]]] = {}  # typed ways to say a 修改 label, by key
    has_review: ClassVar[bool] = True
    urgent_is_answer = False
    confirms_spoken = True  # a misheard answer must not be stored unseen

    def routes(self) -> dict[str, Route]:
        return super().routes() | {
            "restart": self.restart,
            "answer": self._on_answer,
            "back": lambda turn, _arg: self.back(turn),
            "edit": self._on_edit,
            "confirm": lambda turn, _arg: self._on_confirm(turn),
        }

    # --- hooks -------------------------------------------------------------------
    def params(self, turn: Turn, draft: D) -> dict[str, object]:
        """Values for the {placeholders} of every question text."""
        return {}

    async def review_text(self, turn: Turn, draft: D) -> str:
        raise NotImplementedError

    async def confirm(self, turn: Turn, draft: D) -> None:
        raise NotImplementedError

    async def finish(self, turn: Turn, draft: D) -> None:
        await self.confirm(turn, draft)

    async def leave(self, turn: Turn) -> None:
        """上一步 from the first question."""
        menu.show_menu(turn)

    # --- the draft -----------------------------------------------------------------
    def load(self, turn: Turn) -> D | None:
        raw = turn.state.data.get(self.name)
        if raw is None:
            return None
        known = {q.key for q in self.questions} | {REVIEW}
        try:
            draft = self.draft.model_validate(raw)
        except ValidationError:
            draft = None
        if draft is None or not set(draft.asked) <= known:
            log.warning("unreadable %s draft; starting afresh", self.name)
            turn.state.data.pop(self.name, None)
            turn.say(turn.t("resume.broken"))
            return None
        return draft  # type: ignore[return-value]

    def keep(self, turn: Turn, draft: D) -> None:
        turn.state.data[self.name] = draft.model_dump(mode="json", exclude_none=True)
        turn.state.flow, turn.state.step = self.name, ""

    def drop(self, turn: Turn) -> None:
        turn.state.data.pop(self.name, None)
        turn.state.reset()

    # --- entry ---------------------------------------------------------------------
    async def start(self, turn: Turn, arg: str = "") -> None:
        draft = self.load(turn)
        if draft is not None and len(draft.asked) > 1:
            turn.state.flow, turn.state.step = self.name, ""
            turn.say(turn.t("resume.offer"), (
                turn.option("resume.continue", Payload(self.name, "resume")),
                turn.option("resume.restart", Payload(self.name, "restart")),
                turn.menu_option(),
            ))
            return
        await self.restart(turn)

    async def restart(self, turn: Turn, arg: str = "") -> None:
        await self.begin(turn, self.draft())  # type: ignore[arg-type]

    async def begin(self, turn: Turn, draft: D) -> None:
        self.keep(turn, draft)
        await self.ask_next(turn, draft)

    async def resume(self, turn: Turn) -> None:
        draft = self.load(turn)
        if draft is None or draft.step is None:
            await self.restart(turn)
        elif draft.step == REVIEW:
            await self.review_or_next(turn, draft)
        else:
            await self.show(turn, draft, self.question(draft.step))

    # --- asking ----------------------------------------------------------------------
    def question(self, key: str) -> Question:
        return next(q for q in self.questions if q.key == key)

    async def ask_next(self, turn: Turn, draft: D, hint: str | None = None) -> None:
        """The first question still to answer or gone back over; then the review (or the finish)."""
        question = next((q for q in self.questions if q.due(draft)), None)
        if question is not None:
            await self.ask(turn, draft, question, hint)
        elif self.has_review:
            draft.asked.append(REVIEW)
            self.keep(turn, draft)
            await self.show_review(turn, draft)
        else:
            await self.finish(turn, draft)

    async def ask(self, turn: Turn, draft: D, question: Question, hint: str | None = None) -> None:
        draft.asked.append(question.key)
        draft.misses = 0
        if question.key in draft.again:
            draft.again.remove(question.key)
        if question.multi:
            draft.picked = list(getattr(draft, question.key, None) or [])
        self.keep(turn, draft)
        await self.show(turn, draft, question, hint)

    async def show(self, turn: Turn, draft: D, question: Question, hint: str | None = None,
                   hint_values: dict[str, object] | None = None) -> None:
        choices = await question.choices(turn, draft) if question.choices else []
        if question.choices and not choices and question.none_left:
            if draft.step == question.key:
                draft.asked.pop()
            ask_on = await question.none_left(turn, draft)
            if ask_on is not None:
                self.keep(turn, draft)
                await self.ask_next(turn, draft, ask_on)
            return
        options = [self.answer_option(turn, question, c, draft) for c in choices]
        if question.multi:
            options.append(Option(turn.t("nav.done"), self.answer_payload(question, DONE)))
            turn.multi = True
        text = turn.t(question.text, **self.params(turn, draft))
        if hint:
            text = turn.t(hint, **self.params(turn, draft) | (hint_values or {})) + "\n" + text
        if draft.misses >= STUCK_AFTER:  # the question stays; other ways to get help are offered too
            text += "\n" + turn.t("input.stuck")
            options += [turn.option("menu.call", Payload("menu", "call")),
                        turn.option("menu.consult", Payload("consult", "start"))]
        turn.say(text, [*options, *self.nav(turn)])

    def answer_payload(self, question: Question, value: str) -> str:
        return Payload(self.name, "answer", f"{question.key}={value}").encode()

    def answer_option(self, turn: Turn, question: Question, choice: Choice, draft: D) -> Option:
        label = choice.label
        if question.multi and choice.value in draft.picked:
            label = turn.t("nav.chosen", label=label)
        return Option(label, self.answer_payload(question, choice.value), choice.aliases)

    def nav(self, turn: Turn) -> list[Option]:
        back = Option(turn.t("nav.back"), Payload(self.name, "back").encode(), BACK_WORDS)
        return [back, turn.menu_option()]

    async def show_review(self, turn: Turn, draft: D, hint: str | None = None) -> None:
        text = await self.review_text(turn, draft)
        if hint:
            text = turn.t(hint) + "\n" + text
        options = [Option(turn.t(self.confirm_text), Payload(self.name, "confirm").encode(), CONFIRM_WORDS)]
        options += [Option(turn.t(f"{self.texts}.edit.{key}"), Payload(self.name, "edit", key).encode(),
                           self.edit_words.get(key, ())) for key in self.editable]
        turn.say(text, [*options, *self.nav(turn)])

    def expired_draft(self, turn: Turn) -> bool:
        """The draft was dropped unfinished after `draft_ttl` while this form was on screen
        (Dialogue.drop_stale_drafts leaves the flow on, at the step EXPIRED)."""
        state = turn.state
        return state.flow == self.name and state.step == EXPIRED and self.name not in state.data

    def asks_after_idle(self, step: str) -> bool:
        return step != EXPIRED and super().asks_after_idle(step)  # nothing to continue: said so instead

    async def expired(self, turn: Turn) -> None:
        """Said instead of taking the answer (a name typed a day later) or calling the tap stale."""
        turn.state.reset()
        hours = int(self.draft_ttl.total_seconds() // 3600) if self.draft_ttl else 0
        turn.say(turn.t("resume.expired", hours=hours),
                 (turn.option("resume.restart", Payload(self.name, "restart")), turn.menu_option()))

    async def stale(self, turn: Turn) -> None:
        if self.expired_draft(turn):
            await self.expired(turn)
        else:
            await super().stale(turn)

    def writing(self, turn: Turn) -> bool:
        """Whether the question on screen takes the person's own words (`Question.writing`): words
        of danger there are the answer."""
        try:
            draft = self.draft.model_validate(turn.state.data.get(self.name))
        except ValidationError:
            return False
        return any(q.writing for q in self.questions if q.key == draft.step)

    # --- reading answers ----------------------------------------------------------------
    async def on_text(self, turn: Turn, text: str) -> None:
        if self.expired_draft(turn):
            await self.expired(turn)
            return
        move = form_nav.nav_word(text)  # 回去, 回主菜单, 不填了: navigation, never an answer
        if move == form_nav.BACK:
            await self.back(turn)
            return
        if move is not None:
            menu.show_menu(turn, "nav.cancelled" if move == form_nav.QUIT else "menu.title")
            return
        draft = self.load(turn)
        if draft is None or draft.step is None:
            await self.start(turn)
        elif draft.step == REVIEW:
            await self.review_or_next(turn, draft, hint="input.not_understood")
        else:
            await self.accept(turn, draft, self.question(draft.step), text)

    async def _on_answer(self, turn: Turn, arg: str) -> None:
        key, _, value = arg.partition("=")
        draft = self.load(turn)
        if draft is None or draft.step in (None, REVIEW) or draft.step != key or turn.state.flow != self.name:
            await self.stale(turn)
            return
        await self.accept(turn, draft, self.question(key), value)

    async def accept(self, turn: Turn, draft: D, question: Question, raw: str) -> None:
        """The same validation whichever way the answer came: a tap, typed text, a forged payload."""
        offered = [c.value for c in await question.choices(turn, draft)] if question.choices else []
        if raw in offered or (question.multi and raw == DONE):
            value: Any = raw
        else:
            value = question.read(turn, draft, raw) if question.read else None
            if inspect.isawaitable(value):  # a reader that needs the database (free days)
                value = await value
        ticked = value if isinstance(value, Ticked) and question.multi else None
        value = ticked.value if ticked else value
        if value is None or isinstance(value, Invalid):
            invalid = value or Invalid(question.hint)
            draft.misses += 1
            self.keep(turn, draft)
            await self.show(turn, draft, question, hint=invalid.hint, hint_values=invalid.values)
            return
        if question.multi and value != DONE:
            await self.select(turn, draft, question, value if isinstance(value, list) else [value],
                              tapped=raw in offered, offered=offered, ticked=ticked)
            return
        if question.multi and value == DONE:
            value = list(draft.picked)
        if question.save is not None:
            if await question.save(turn, draft, value):
                return
        else:
            setattr(draft, question.key, value)
        self.keep(turn, draft)
        await self.ask_next(turn, draft)

    async def select(self, turn: Turn, draft: D, question: Question, values: list[Any], tapped: bool,
                     offered: list[str], ticked: Ticked | None = None) -> None:
        """A multi-select answer short of 好了: a tap toggles, a typed option ticks (typing it twice
        does not untick it), anything else read is kept by the question's `save`."""
        hint, draft.misses = (ticked.hint if ticked else None), 0
        for value in values:
            if value in offered:
                if value not in draft.picked:
                    draft.picked.append(value)
                elif tapped:
                    draft.picked.remove(value)
            elif question.save is not None:
                await question.save(turn, draft, value)
                hint = question.noted
        self.keep(turn, draft)
        await self.show(turn, draft, question, hint, ticked.values if ticked and hint == ticked.hint else None)

    # --- moving about ------------------------------------------------------------------
    async def back(self, turn: Turn) -> None:
        draft = self.load(turn)
        if draft is None or turn.state.flow != self.name:
            await self.stale(turn)
            return
        if draft.asked and (current := draft.asked.pop()) != REVIEW and current not in draft.again:
            draft.again.append(current)  # asked again after the one gone back to, in the table's order
        if not draft.asked:
            self.keep(turn, draft)
            await self.leave(turn)
            return
        previous = draft.asked.pop()
        if previous == REVIEW:  # back from a 修改: the review shows every answer again
            draft.asked.append(REVIEW)
            draft.again.clear()
            self.keep(turn, draft)
            await self.review_or_next(turn, draft)
        else:
            await self.ask(turn, draft, self.question(previous))

    async def _on_edit(self, turn: Turn, key: str) -> None:
        draft = self.load(turn)
        if draft is None or draft.step != REVIEW or key not in self.editable:
            await self.stale(turn)
            return
        await self.ask(turn, draft, self.question(key))

    async def _on_confirm(self, turn: Turn) -> None:
        draft = self.load(turn)
        if draft is None or draft.step != REVIEW:
            await self.stale(turn)
        elif any(q.pending(draft) for q in self.questions):
            await self.ask_next(turn, draft)
        else:
            await self.confirm(turn, draft)

    async def review_or_next(self, turn: Turn, draft: D, hint: str | None = None) -> None:
        """The review, unless an answer is missing (a draft saved by an older version, say)."""
        if any(q.pending(draft) for q in self.questions):
            draft.asked.pop()
            await self.ask_next(turn, draft)
        else:
            await self.show_review(turn, draft, hint)
