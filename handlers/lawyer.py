"""Lawyers in the bot: /register CODE, /duty (the switch, and one's days on the 值班表), 接单,
answering, /points statements, corrections.

Every action but /register needs a registered lawyer (handlers.roles); the work is the service
layer's (services.consultations, services.points, services.lawyers).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from common.messages import Option
from handlers.roles import as_lawyer
from handlers.turn import Flow, Route, Turn
from policy.ledger import LedgerError
from policy.points import correction_deadline, quarter_of
from services import consultations, duty, lawyers, overview, points
from services.actor import Actor
from services.consultations import MAX_ANSWER
from services.wording import day_label
from storage.consultations import Answered, Claim, Consultation, Status

NAME = "law"
# 二(四) 5日内, extended when the fifth day is a holiday: look this far back for days still open.
CORRECTION_LOOKBACK_DAYS = 15
LawyerAction = Callable[[Turn, Actor, str], Awaitable[None]]
# Typed instead of tapped (a numbered channel loses the 接单 button once anything else is typed):
# "接单 Q00001", "接单Q00001", "Q00001", "接单" alone, "回答追问", and words that list what waits.
TYPED = re.compile(r"(接单|回答追问|回答|回复|答复)?[:：]?(Q\d{1,9})?", re.IGNORECASE)
# "回复 Q00002 可以去公证处办理…": the reference and the answer in one message.
ANSWER_IN_ONE = re.compile(r"\s*(?:回复|答复|回答)\s*[:：]?\s*(Q\d{1,9})\s*[:：,，。]?\s*(\S.*\S)", re.S | re.I)
CLAIM_WORD = "接单"
LIST_WORDS = frozenset({"待接留言", "待接单", "待接", "待办留言", "留言列表", "有哪些留言", "有什么留言", "新留言"})
LIST_WORDS |= frozenset({"待回复留言", "待回复"})
LISTED = 5  # questions shown at once, each with its button
EXCERPT = 40  # characters of a question shown in the list


def typed_words(text: str) -> str:
    return re.sub(r"[\s　。！!？?]+", "", text).upper()


def parse_quarter(arg: str, today) -> tuple[int, int] | None:
    """"2026-3" → (2026, 3); empty → the current quarter; None when it is not a real quarter."""
    if not arg:
        return today.year, quarter_of(today)
    year, _, quarter = arg.partition("-")
    if not (year.isdecimal() and quarter.isdecimal()):
        return None
    y, q = int(year), int(quarter)
    # The scheme runs from 2020 (4号: 自2020年1月20日起开始施行); nothing after this quarter.
    if not 1 <= q <= 4 or y < 2020 or (y, q) > (today.year, quarter_of(today)):
        return None
    return y, q


class LawyerFlow(Flow):
    name = NAME
    free_text_steps = frozenset({"answer", "correction"})
    commands = {"/register": "register", "/duty": "duty", "/points": "points", "/correction": "correct",
                "/questions": "waiting"}

    def routes(self) -> dict[str, Route]:
        table: dict[str, LawyerAction] = {
            "duty": self.duty, "days": self.duty_days, "claim": self.claim, "answer": self.begin_answer,
            "points": self.points, "correct": self.begin_correction, "found": self.discovered_on,
            "waiting": self.waiting,
        }
        return {**super().routes(), "register": self.register,
                **{action: self.lawyer_only(action, act) for action, act in table.items()}}

    @staticmethod
    def lawyer_only(action: str, act: LawyerAction) -> Route:
        async def route(turn: Turn, arg: str) -> None:
            actor = await as_lawyer(turn, f"law:{action}")
            if actor is not None:
                await act(turn, actor, arg)
        return route

    async def start(self, turn: Turn, arg: str = "") -> None:
        await self.on_button(turn, "points", "")

    async def register(self, turn: Turn, code: str) -> None:
        try:
            lawyer = await lawyers.register(turn.services, turn.sender, code.strip().upper(), turn.now)
        except LedgerError as exc:
            turn.say(turn.t(exc.text_id, **exc.fields), (turn.menu_option(),))
            return
        if lawyer is None:
            turn.say(turn.t("lawyer.bad_code"), (turn.menu_option(),))
            return
        turn.say(turn.t("lawyer.registered", name=lawyer.name, firm=lawyer.firm),
                 (Option(turn.t("lawyer.duty_button"), "law:duty"), turn.menu_option()))

    async def duty(self, turn: Turn, actor: Actor, arg: str) -> None:
        try:
            updated = await lawyers.toggle_duty(turn.services, actor)
        except LedgerError as exc:
            turn.say(turn.t(exc.text_id, **exc.fields), (turn.menu_option(),))
            return
        lines = [turn.t("lawyer.on_duty" if updated.on_duty else "lawyer.off_duty"), await self.days_line(turn, actor)]
        turn.say("\n".join(lines), (Option(turn.t("duty.days_button"), "law:days"), turn.menu_option()))

    async def duty_days(self, turn: Turn, actor: Actor, arg: str) -> None:
        """One's coming days on the 值班表, without touching the switch."""
        turn.say(await self.days_line(turn, actor), (turn.menu_option(),))

    @staticmethod
    async def days_line(turn: Turn, actor: Actor) -> str:
        mine = [d.day for d in await duty.my_days(turn.services, actor, turn.today) if d.entries]
        if not mine:
            return turn.t("duty.my_days_none")
        labels = turn.t("duty.day_separator").join(day_label(turn.t, d) for d in mine)
        return turn.t("duty.my_days", days=labels)

    async def claim(self, turn: Turn, actor: Actor, arg: str) -> None:
        if not arg.isdecimal():
            await self.stale(turn)
            return
        result = await consultations.claim(turn.services, actor, int(arg), turn.now)
        if result == Claim.TAKEN:
            turn.say(turn.t("lawyer.taken"), (turn.menu_option(),))
        elif result == Claim.NOT_FOUND:
            await self.stale(turn)
        else:
            await self.begin_answer(turn, actor, arg)

    async def typed(self, turn: Turn, text: str) -> bool:
        """Text a registered lawyer typed at the menu: a claim, an answer or the list of what waits,
        when it is one (handlers.faq_flow asks here first); False leaves it to the policy questions."""
        words = typed_words(text)
        match = TYPED.fullmatch(words)
        one = ANSWER_IN_ONE.fullmatch(text)
        if one is None and words not in LIST_WORDS and (match is None or not any(match.groups())):
            return False
        actor = await as_lawyer(turn, "law:typed")
        if actor is not None and one is not None:
            await self.answer_in_one(turn, actor, int(one.group(1)[1:]), one.group(2))
        elif actor is not None:
            await self.act_on_typed(turn, actor, words)
        return True

    async def answer_in_one(self, turn: Turn, actor: Actor, consultation_id: int, answer: str) -> None:
        """Claimed (or the lawyer's own) and answered at once; else what by_ref says (taken, not found)."""
        await self.by_ref(turn, actor, consultation_id)
        if turn.state.step == "answer" and turn.state.data.get(NAME, {}).get("id") == consultation_id:
            turn.outcome.replies.clear()  # not "请直接打字回复": the answer is here
            await self.send_answer(turn, actor, answer)

    async def act_on_typed(self, turn: Turn, actor: Actor, words: str) -> None:
        match = TYPED.fullmatch(words)
        if words in LIST_WORDS or match is None:
            await self.waiting(turn, actor, "")
            return
        verb, ref = match.groups()
        if ref:
            await self.by_ref(turn, actor, int(ref[1:]))
            return
        open_, mine = await self.waiting_lists(turn, actor)
        pool = open_ if verb == CLAIM_WORD else mine
        if len(pool) == 1:
            await self.by_ref(turn, actor, pool[0].id)
        else:
            await self.show_waiting(turn, actor, open_, mine)

    async def by_ref(self, turn: Turn, actor: Actor, consultation_id: int) -> None:
        """A question named by its reference: claimed (exactly one lawyer wins, as with the button),
        or, when it is already the lawyer's own, answered."""
        c = await turn.services.consultations.get(consultation_id)
        ref = f"Q{consultation_id:05d}"
        if c is None or not c.question:  # never asked, or its asker had it deleted
            turn.say(turn.t("lawyer.no_such_question", ref=ref), (turn.menu_option(),))
        elif c.status == Status.OPEN or (c.status == Status.CLAIMED and c.lawyer_id == actor.lawyer.id):
            await self.claim(turn, actor, str(c.id))
        elif c.lawyer_id != actor.lawyer.id:
            turn.say(turn.t("lawyer.taken"), (turn.menu_option(),))
        elif c.follow_up is not None and c.follow_up_answer is None:
            await self.begin_answer(turn, actor, str(c.id))
        else:
            turn.say(turn.t("lawyer.nothing_to_answer"), (turn.menu_option(),))

    @staticmethod
    async def waiting_lists(turn: Turn, actor: Actor) -> tuple[list[Consultation], list[Consultation]]:
        """Open questions anyone may claim (oldest first), and the lawyer's own still to answer."""
        rows = [r.consultation for r in await overview.questions(turn.services, actor)]
        open_ = sorted((c for c in rows if c.status == Status.OPEN and c.question), key=lambda c: c.id)
        mine = sorted((c for c in rows if c.lawyer_id == actor.lawyer.id and (
            c.status == Status.CLAIMED or (c.follow_up is not None and c.follow_up_answer is None))),
            key=lambda c: c.id)
        return open_, mine

    async def waiting(self, turn: Turn, actor: Actor, arg: str) -> None:
        await self.show_waiting(turn, actor, *await self.waiting_lists(turn, actor))

    @staticmethod
    async def show_waiting(turn: Turn, actor: Actor, open_: list[Consultation], mine: list[Consultation]) -> None:
        """待接留言: the lawyer's own first (they promised an answer), then the open ones; each shown
        question is a read of a resident's words, logged like the web console's."""
        turn.state.reset()  # a reply half-written is resumed from the list (回复 Qxxxxx), not taken as one
        shown = (mine + open_)[:LISTED]
        if not shown:
            turn.say(turn.t("lawyer.waiting_none"), (turn.menu_option(),))
            return
        lines = [turn.t("lawyer.waiting_title", count=len(mine) + len(open_))]
        options = []
        for c in shown:
            await turn.services.store.log_access(actor.name, "consultation.read", c.ref, turn.now)
            own = c.lawyer_id == actor.lawyer.id
            state = ("lawyer.state_claimed" if c.status == Status.CLAIMED else "lawyer.state_follow_up") if own \
                else "lawyer.state_open"
            question = c.follow_up if own and c.status == Status.ANSWERED else c.question
            excerpt = question if len(question) <= EXCERPT else question[:EXCERPT] + "…"
            lines.append(turn.t("lawyer.waiting_line", ref=c.ref, state=turn.t(state), question=excerpt))
            options.append(Option(turn.t("lawyer.answer_ref" if own else "lawyer.claim_ref", ref=c.ref),
                                  f"law:{'answer' if own else 'claim'}:{c.id}"))
        lines.append(turn.t("lawyer.waiting_hint"))
        turn.say("\n".join(lines), (*options, turn.menu_option()))

    async def begin_answer(self, turn: Turn, actor: Actor, arg: str) -> None:
        consultation = await turn.services.consultations.get(int(arg)) if arg.isdecimal() else None
        if consultation is None or consultation.lawyer_id != actor.lawyer.id:
            await self.stale(turn)
            return
        answered = consultation.status == Status.ANSWERED
        question = consultation.follow_up if answered else consultation.question
        turn.state.flow, turn.state.step = NAME, "answer"
        turn.state.data[NAME] = {"id": consultation.id}
        turn.say(turn.t("lawyer.write_answer", ref=consultation.ref, question=question), (turn.menu_option(),))

    async def on_text(self, turn: Turn, text: str) -> None:
        actor = await as_lawyer(turn, f"law:text:{turn.state.step}")
        if actor is None:
            return
        words = typed_words(text)
        match = TYPED.fullmatch(words)
        if one := ANSWER_IN_ONE.fullmatch(text):
            await self.answer_in_one(turn, actor, int(one.group(1)[1:]), one.group(2))
        elif words in LIST_WORDS or (match is not None and any(match.groups())):
            await self.act_on_typed(turn, actor, words)  # "接单 Q00002", "回答追问": commands, not an answer
        elif turn.state.step == "answer":
            await self.send_answer(turn, actor, text)
        elif turn.state.step == "correction":
            await self.file_correction(turn, actor, text)
        else:
            await self.stale(turn)

    async def send_answer(self, turn: Turn, actor: Actor, text: str) -> None:
        consultation = await turn.services.consultations.get(turn.state.data.get(NAME, {}).get("id", 0))
        if consultation is None:
            await self.stale(turn)
            return
        result = await consultations.answer(turn.services, actor, consultation, text, turn.now)
        turn.state.data.pop(NAME, None)
        turn.state.reset()
        if result.status in (Answered.ANSWERED, Answered.FOLLOW_UP_ANSWERED):
            text_id = "lawyer.sent_with_points" if result.awarded else "lawyer.sent"
            turn.say(turn.t(text_id, ref=consultation.ref), (turn.menu_option(),))
        else:
            turn.say(turn.t("lawyer.nothing_to_answer"), (turn.menu_option(),))

    async def points(self, turn: Turn, actor: Actor, arg: str) -> None:
        period = self.period(turn, arg)
        if period is None:
            return
        year, quarter = period
        lawyer = actor.lawyer
        statement = await points.statement(turn.services, actor, lawyer.id, year, quarter)
        lines = [turn.t("lawyer.statement_title", year=year, quarter=quarter, name=lawyer.name)]
        lines += [
            turn.t("lawyer.statement_line", day=f"{line.occurred_on:%m-%d}", clause=line.clause,
                   points=f"{line.points:+d}", note=line.note)
            for line in statement.items
        ] or [turn.t("lawyer.statement_empty")]
        lines.append(turn.t("lawyer.statement_total", total=statement.total))
        # 二(三) 一票否决: a veto anywhere in the year makes the year 不合格, whatever the points.
        if statement.vetoed or (await points.statement(turn.services, actor, lawyer.id, year, None)).vetoed:
            lines.append(turn.t("lawyer.statement_vetoed", year=year))
        prev_y, prev_q = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        options = (
            Option(turn.t("lawyer.previous_quarter"), f"law:points:{prev_y}-{prev_q}"),
            Option(turn.t("lawyer.correction_button"), f"law:correct:{year}-{quarter}"),
            turn.menu_option(),
        )
        turn.say("\n".join(lines), options)

    def period(self, turn: Turn, arg: str) -> tuple[int, int] | None:
        """The quarter a lawyer typed (or this one); says how to write it when it is not one."""
        today = turn.today
        period = parse_quarter(arg.strip(), today)
        if period is None:
            turn.say(turn.t("lawyer.bad_quarter"), (turn.menu_option(),))
        return period

    async def begin_correction(self, turn: Turn, actor: Actor, arg: str) -> None:
        """二(四) counts 5 days from 发现之日: first the day the lawyer found the omission, then what it is."""
        period = self.period(turn, arg)
        if period is None:
            return
        year, quarter = period
        turn.state.flow, turn.state.step = NAME, "correction_day"
        turn.state.data[NAME] = {"year": year, "quarter": quarter}
        today = turn.today
        # Only discovery days whose deadline (5 days, later when it ends on a holiday) is still open.
        days = [d for d in (today - timedelta(days=n) for n in range(CORRECTION_LOOKBACK_DAYS + 1))
                if correction_deadline(d, turn.services.calendar) >= today]
        options = [Option(day_label(turn.t, d), f"law:found:{d.isoformat()}") for d in days]
        turn.say(turn.t("lawyer.correction_when", year=year, quarter=quarter), (*options, turn.menu_option()))

    async def discovered_on(self, turn: Turn, actor: Actor, arg: str) -> None:
        data = turn.state.data.get(NAME, {})
        try:
            day = date.fromisoformat(arg)
        except ValueError:
            day = None
        if turn.state.step != "correction_day" or "year" not in data or day is None:
            await self.stale(turn)
            return
        data["found"] = day.isoformat()
        turn.state.step = "correction"
        turn.say(turn.t("lawyer.correction_prompt", year=data["year"], quarter=data["quarter"]),
                 (turn.menu_option(),))

    async def file_correction(self, turn: Turn, actor: Actor, text: str) -> None:
        data = turn.state.data.pop(NAME, {})
        turn.state.reset()
        if "found" not in data:
            turn.say(turn.t("lawyer.correction_failed"), (turn.menu_option(),))
            return
        try:
            filed = await points.file_correction(turn.services, actor, data["year"], data["quarter"],
                                                 text[:MAX_ANSWER], date.fromisoformat(data["found"]), turn.now)
        except LedgerError as exc:
            turn.say(turn.t(exc.text_id, **exc.fields), (turn.menu_option(),))
            return
        turn.outcome.notices.extend(filed.notices)
        turn.say(turn.t("lawyer.correction_filed"), (turn.menu_option(),))
