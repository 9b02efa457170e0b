"""Lawyers in the bot: /register CODE, /duty, 接单, answering, /points statements, corrections.

Every action checks that the person is a registered lawyer (handlers.roles).
"""

from __future__ import annotations

from common.messages import Option, Reply
from handlers.roles import as_lawyer, pseudonym
from handlers.turn import Flow, Turn
from policy.points import quarter_of
from policy.workdays import is_non_working_moment
from storage.consultations import Delivery
from storage.ledger import LedgerError
from storage.outbox import Topic, outbox_key

NAME = "law"
MAX_ANSWER = 3000


def statement_key(lawyer_id: int, year: int, quarter: int) -> str:
    return outbox_key(Topic.STATEMENT, lawyer_id, f"{year}Q{quarter}")


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
    commands = {"/register": "register", "/duty": "duty", "/points": "points", "/correction": "correct"}

    async def start(self, turn: Turn, arg: str = "") -> None:
        await self.points(turn, "")

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action == "register":
            await self.register(turn, arg.strip())
            return
        lawyer = await as_lawyer(turn, f"law:{action}")
        if lawyer is None:
            return
        if action == "duty":
            updated = await turn.services.ledger.set_on_duty(lawyer.id, not lawyer.on_duty)
            turn.say(turn.t("lawyer.on_duty" if updated.on_duty else "lawyer.off_duty"), (turn.menu_option(),))
        elif action == "claim" and arg.isdigit():
            await self.claim(turn, lawyer, int(arg))
        elif action == "answer" and arg.isdigit():
            await self.begin_answer(turn, lawyer, int(arg))
        elif action == "points":
            await self.points(turn, arg, lawyer)
        elif action == "correct":
            await self.begin_correction(turn, lawyer, arg)
        else:
            await self.stale(turn)

    async def register(self, turn: Turn, code: str) -> None:
        try:
            lawyer = await turn.services.ledger.bind(code.upper(), turn.ev.channel, turn.ev.user_id, turn.now)
        except LedgerError as exc:
            turn.say(turn.t(exc.text_id, **exc.fields), (turn.menu_option(),))
            return
        if lawyer is None:
            turn.say(turn.t("lawyer.bad_code"), (turn.menu_option(),))
            return
        turn.say(turn.t("lawyer.registered", name=lawyer.name, firm=lawyer.firm),
                 (Option(turn.t("lawyer.duty_button"), "law:duty"), turn.menu_option()))

    async def claim(self, turn: Turn, lawyer, consultation_id: int) -> None:
        result = await turn.services.consultations.claim(consultation_id, lawyer.id, turn.now)
        if result == "taken":
            turn.say(turn.t("lawyer.taken"), (turn.menu_option(),))
        elif result == "not_found":
            await self.stale(turn)
        else:
            await self.begin_answer(turn, lawyer, consultation_id)

    async def begin_answer(self, turn: Turn, lawyer, consultation_id: int) -> None:
        consultation = await turn.services.consultations.get(consultation_id)
        if consultation is None or consultation.lawyer_id != lawyer.id:
            await self.stale(turn)
            return
        question = consultation.follow_up if consultation.status == "answered" else consultation.question
        turn.state.flow, turn.state.step = NAME, "answer"
        turn.state.data[NAME] = {"id": consultation_id}
        turn.say(turn.t("lawyer.write_answer", ref=consultation.ref, question=question), (turn.menu_option(),))

    async def on_text(self, turn: Turn, text: str) -> None:
        lawyer = await as_lawyer(turn, f"law:text:{turn.state.step}")
        if lawyer is None:
            return
        if turn.state.step == "answer":
            await self.send_answer(turn, lawyer, text)
        elif turn.state.step == "correction":
            await self.file_correction(turn, lawyer, text)
        else:
            await self.stale(turn)

    async def send_answer(self, turn: Turn, lawyer, text: str) -> None:
        services = turn.services
        consultation = await services.consultations.get(turn.state.data.get(NAME, {}).get("id", 0))
        if consultation is None:
            await self.stale(turn)
            return
        follow_up = consultation.status == "answered"
        # 二(一)9: +5 when the answer is given on a non-working day (statutory calendar, 调休, Asia/Shanghai).
        off_day = is_non_working_moment(turn.now, services.settings.zone, services.calendar)
        award_on = turn.now.astimezone(services.settings.zone).date() if off_day else None
        options = [Option(turn.t("consult.satisfied"), f"consult:ok:{consultation.id}"),
                   Option(turn.t("consult.praise"), f"consult:praise:{consultation.id}")]
        if not follow_up:
            options.append(Option(turn.t("consult.follow_up_button"), f"consult:follow:{consultation.id}"))
        options.append(Option(turn.t("nav.menu"), "menu:show"))
        reply = Reply(
            turn.t("consult.answer", ref=consultation.ref, lawyer=lawyer.name, firm=lawyer.firm,
                   answer=text[:MAX_ANSWER]),
            tuple(options),
        )
        kind = "follow-up-answer" if follow_up else "answer"
        status, awarded = await services.consultations.answer(
            consultation.id, lawyer.id, text[:MAX_ANSWER], turn.now, award_on,
            Delivery(consultation.channel, consultation.user_id, reply.to_dict(), f"{kind}:{consultation.id}"),
        )
        turn.state.data.pop(NAME, None)
        turn.state.reset()
        if status in ("answered", "follow_up_answered"):
            text_id = "lawyer.sent_with_points" if awarded else "lawyer.sent"
            turn.say(turn.t(text_id, ref=consultation.ref), (turn.menu_option(),))
        else:
            turn.say(turn.t("lawyer.nothing_to_answer"), (turn.menu_option(),))

    async def points(self, turn: Turn, arg: str, lawyer=None) -> None:
        lawyer = lawyer or await as_lawyer(turn, "law:points")
        if lawyer is None:
            return
        period = self.period(turn, arg)
        if period is None:
            return
        year, quarter = period
        statement = await turn.services.ledger.statement(lawyer.id, year, quarter)
        lines = [turn.t("lawyer.statement_title", year=year, quarter=quarter, name=lawyer.name)]
        lines += [
            turn.t("lawyer.statement_line", day=f"{line.occurred_on:%m-%d}", clause=line.clause,
                   points=f"{line.points:+d}", note=line.note)
            for line in statement.items
        ] or [turn.t("lawyer.statement_empty")]
        lines.append(turn.t("lawyer.statement_total", total=statement.total))
        prev_y, prev_q = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        options = (
            Option(turn.t("lawyer.previous_quarter"), f"law:points:{prev_y}-{prev_q}"),
            Option(turn.t("lawyer.correction_button"), f"law:correct:{year}-{quarter}"),
            turn.menu_option(),
        )
        turn.say("\n".join(lines), options)

    def period(self, turn: Turn, arg: str) -> tuple[int, int] | None:
        """The quarter a lawyer typed (or this one); says how to write it when it is not one."""
        today = turn.now.astimezone(turn.services.settings.zone).date()
        period = parse_quarter(arg.strip(), today)
        if period is None:
            turn.say(turn.t("lawyer.bad_quarter"), (turn.menu_option(),))
        return period

    async def begin_correction(self, turn: Turn, lawyer, arg: str) -> None:
        period = self.period(turn, arg)
        if period is None:
            return
        year, quarter = period
        turn.state.flow, turn.state.step = NAME, "correction"
        turn.state.data[NAME] = {"year": year, "quarter": quarter}
        turn.say(turn.t("lawyer.correction_prompt", year=year, quarter=quarter), (turn.menu_option(),))

    async def file_correction(self, turn: Turn, lawyer, text: str) -> None:
        data = turn.state.data.pop(NAME, {})
        turn.state.reset()
        services = turn.services
        today = turn.now.astimezone(services.settings.zone).date()
        # 二(四): 5 days from discovery; we count from the day the quarterly statement reached them.
        queued = await services.store.queued_at(statement_key(lawyer.id, data.get("year", 0), data.get("quarter", 0)))
        delivered = queued.astimezone(services.settings.zone).date() if queued else None
        try:
            await services.ledger.file_correction(
                lawyer.id, data["year"], data["quarter"], text[:MAX_ANSWER], delivered or today, turn.now,
                services.calendar)
        except (LedgerError, KeyError) as exc:
            text_id = getattr(exc, "text_id", "lawyer.correction_failed")
            turn.say(turn.t(text_id, **getattr(exc, "fields", {})), (turn.menu_option(),))
            return
        turn.notify_staff(Reply(turn.t("staff.correction_filed", name=lawyer.name),
                                (Option(turn.t("staff.review_corrections"), "staff:corrections"),)),
                          dedupe_key=f"correction-filed:{pseudonym(turn)}:{turn.now.isoformat()}")
        turn.say(turn.t("lawyer.correction_filed"), (turn.menu_option(),))
