"""我的数据 and 删除我的信息 (PIPL): what we keep about a person, and deleting it on request.

Deletion runs in one transaction: the person's bookings and questions are blanked, their visits
still to come are cancelled (their lawyer and staff are told), and every queued or sent message
to or about them is withdrawn; anonymous counts and the lawyers' points ledger stay as they were.
"""

from __future__ import annotations

from common.messages import Payload
from handlers.turn import Flow, Route, Turn
from services.wording import booking_line, visit_changed

NAME = "data"
ASKED = "asked"  # the 我的数据 screen as the answer to a question about privacy (handlers.menu)


def told_lines(turn: Turn) -> list[str]:
    """What the person's own words told about them, kept to offer as answers (Conversation.told)."""
    told = turn.state.told
    if told is None or not (told.age or told.county or told.conditions or told.matters):
        return []
    facts = [turn.t("eq.age_value", age=told.age)] if told.age is not None else []
    facts += [told.county] if told.county else []
    facts += [turn.t(f"eq.cond.{c}") for c in told.conditions]
    facts += [turn.t(f"told.matter.{m}") for m in told.matters]
    return [turn.t("privacy.told", facts="、".join(facts))]


class PrivacyFlow(Flow):
    name = NAME
    commands = {"/mydata": "show", "/我的数据": "show", "/forget": "forget", "/删除我的信息": "forget"}

    def __init__(self, flows: list[Flow]):
        self.flows = flows  # each says what it holds in the conversation (Flow.held)

    def routes(self) -> dict[str, Route]:
        return super().routes() | {
            "show": self.start,
            "forget": self.ask_forget,
            "forget_yes": self.forget,
        }

    async def start(self, turn: Turn, arg: str = "") -> None:
        """我的数据; `arg` "asked": reached by asking (你们会保存我的信息吗), led in by who may read it."""
        services, ev = turn.services, turn.ev
        lead = [turn.t("privacy.asked")] if arg == ASKED else []
        lines = [turn.t("privacy.title")]
        lines += told_lines(turn)
        for flow in self.flows:
            lines += flow.held(turn)
        for b in await services.bookings.list_for_user(ev.channel, ev.user_id):
            lines.append(booking_line(services, b))
            if b.elder_name:  # every personal field the booking keeps (storage/booking_rows.py)
                lines.append(turn.t("privacy.booking_personal", name=b.elder_name, phone=b.phone,
                                    owner=turn.t(f"book.phone_{b.phone_owner}"), address=f"{b.township} {b.address}",
                                    access=b.access_needs or turn.t("eq.none"), matter=b.matter))
        for q in await services.consultations.list_for_user(ev.channel, ev.user_id):
            lines.append(turn.t("privacy.question", ref=q.ref, text=q.question[:40]))
            lines += [turn.t(text_id, text=text[:40]) for text_id, text in (
                ("privacy.answer", q.answer), ("privacy.follow_up", q.follow_up),
                ("privacy.answer", q.follow_up_answer)) if text]
        lawyer = await services.ledger.lawyer_for(ev.channel, ev.user_id)
        if lawyer is not None:
            lines.append(turn.t("privacy.lawyer", name=lawyer.name, firm=lawyer.firm))
        if len(lines) == 1:
            lines.append(turn.t("privacy.nothing"))
        kept = services.settings
        draft = min(f.draft_ttl for f in self.flows if f.draft_ttl is not None)
        lines.append(turn.t("privacy.kept", visits=kept.retention_days, questions=kept.retention_days,
                            draft=max(1, draft.days),
                            states=kept.state_retention_days, messages=kept.outbox_retention_days,
                            misses=kept.miss_retention_days))
        lines.append(turn.t("privacy.how_to_delete"))
        options = [turn.option("privacy.forget_button", Payload(NAME, "forget")), turn.menu_option()]
        if lead and turn.state.active and turn.state.flow not in (None, NAME):
            # asked in the middle of a booking or a questionnaire: the way back to it, as under 110
            options.insert(1, turn.option("resume.continue", Payload(turn.state.flow, "resume")))
        turn.say("\n".join(lead + lines), tuple(options))

    async def ask_forget(self, turn: Turn, arg: str = "") -> None:
        turn.state.reset()
        turn.say(turn.t("privacy.forget_confirm"), (
            turn.option("privacy.forget_yes", Payload(NAME, "forget_yes")),
            turn.option("privacy.forget_no", Payload("menu", "show")),
        ))

    async def forget(self, turn: Turn, arg: str = "") -> None:
        services = turn.services

        async def tell(cancelled):
            return [n for b in cancelled for n in await visit_changed(services, b, "book.notice_cancelled", turn.now)]

        await services.store.forget_person(turn.sender, services.local(turn.now), tell)
        turn.state.clear()  # answers, what they told, 总是读给我听: all of it
        turn.say(turn.t("privacy.forgotten"), (turn.menu_option(),))
