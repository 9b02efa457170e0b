"""留言问律师 (the resident's side): leave a question, get the lawyer's answer, one follow-up, thanks.

Lawyers on duty are told at once, with a 接单 button; questions nobody claims in time are
sent again and shown to staff (bot/scheduler.py).
"""

from __future__ import annotations

from common.messages import Option, Reply
from handlers.turn import Flow, Turn
from policy.workdays import is_non_working_moment

NAME = "consult"
MIN_LEN, MAX_LEN = 4, 500


class ConsultFlow(Flow):
    name = NAME
    free_text_steps = frozenset({"question", "follow_up"})

    async def start(self, turn: Turn, arg: str = "") -> None:
        turn.state.flow, turn.state.step = NAME, "question"
        services = turn.services
        off_day = is_non_working_moment(turn.now, services.settings.zone, services.calendar)
        turn.say(
            turn.t("consult.prompt") + "\n" + turn.t("consult.when_off_day" if off_day else "consult.when_work_day"),
            (turn.menu_option(),),
        )

    async def resume(self, turn: Turn) -> None:
        step = turn.state.step
        if step == "follow_up":
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
        services = turn.services
        consultation = await services.consultations.create(turn.ev.channel, turn.ev.user_id, text, turn.now)
        lawyers = [lawyer for lawyer in await services.ledger.on_duty_lawyers() if lawyer.bound]
        for lawyer in lawyers:
            turn.notify(
                lawyer.channel,
                lawyer.user_id,
                new_question_reply(turn, consultation.id, consultation.ref, text),
                dedupe_key=f"new-question:{consultation.id}:{lawyer.id}",
            )
        if not lawyers:
            notify_staff(turn, turn.t("staff.no_duty_lawyer", ref=consultation.ref), f"no-duty:{consultation.id}")
        turn.state.reset()
        turn.say(turn.t("consult.received", ref=consultation.ref), (turn.menu_option(),))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action in ("follow", "ok", "praise") and arg.isdigit():
            consultation = await turn.services.consultations.get(int(arg))
            mine = consultation is not None and (consultation.channel, consultation.user_id) == (
                turn.ev.channel, turn.ev.user_id)
            if not mine:
                await self.stale(turn)
                return
            if action == "follow":
                if consultation.follow_up is not None:
                    turn.say(turn.t("consult.follow_up_used"), (turn.option("menu.consult", "consult:start"),
                                                                 turn.menu_option()))
                    return
                turn.state.flow, turn.state.step = NAME, "follow_up"
                turn.state.data[NAME] = {"id": consultation.id}
                turn.say(turn.t("consult.follow_up_prompt"), (turn.menu_option(),))
            else:
                await self.feedback(turn, consultation, action)
            return
        await super().on_button(turn, action, arg)

    async def take_follow_up(self, turn: Turn, text: str) -> None:
        services = turn.services
        consultation_id = turn.state.data.get(NAME, {}).get("id")
        consultation = await services.consultations.get(consultation_id) if consultation_id else None
        if consultation is None or not await services.consultations.ask_follow_up(
            consultation.id, turn.ev.channel, turn.ev.user_id, text[:MAX_LEN], turn.now
        ):
            turn.state.reset()
            turn.say(turn.t("consult.follow_up_used"), (turn.menu_option(),))
            return
        lawyer = await services.ledger.get_lawyer(consultation.lawyer_id)
        if lawyer is not None and lawyer.bound:
            turn.notify(
                lawyer.channel,
                lawyer.user_id,
                Reply(turn.t("lawyer.follow_up", ref=consultation.ref, question=text[:MAX_LEN]),
                      (Option(turn.t("lawyer.answer_button"), f"law:answer:{consultation.id}"),)),
                dedupe_key=f"follow-up:{consultation.id}",
            )
        turn.state.data.pop(NAME, None)
        turn.state.reset()
        turn.say(turn.t("consult.follow_up_sent"), (turn.menu_option(),))

    async def feedback(self, turn: Turn, consultation, kind: str) -> None:
        services = turn.services
        saved = await services.consultations.give_feedback(
            consultation.id, turn.ev.channel, turn.ev.user_id, "praise" if kind == "praise" else "satisfied")
        if saved and kind == "praise":
            # 二(一)10: praise becomes a pending +10 that staff confirm.
            pending = await services.ledger.add_pending_praise(
                consultation.lawyer_id, f"consultation:{consultation.id}", turn.now.date(), turn.now)
            if pending is not None:
                notify_staff(turn, turn.t("staff.praise_pending", ref=consultation.ref), f"praise:{pending.id}",
                             (Option(turn.t("staff.review_praise"), "staff:praise"),))
        turn.state.reset()
        turn.say(turn.t("consult.thanks" if saved else "consult.feedback_done"), (turn.menu_option(),))


def new_question_reply(turn: Turn, consultation_id: int, ref: str, question: str) -> Reply:
    return Reply(
        turn.t("lawyer.new_question", ref=ref, question=question),
        (Option(turn.t("lawyer.claim_button"), f"law:claim:{consultation_id}"),),
    )


def notify_staff(turn: Turn, text: str, dedupe_key: str, options: tuple[Option, ...] = ()) -> None:
    turn.notify_staff(Reply(text, options), dedupe_key)
