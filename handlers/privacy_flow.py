"""我的数据 and 删除我的信息 (PIPL): what we keep about a person, and deleting it on request.

Deletion blanks the person's bookings and questions and forgets the conversation; anonymous
counts (dates, counties, statuses) and the lawyers' points ledger stay as they were.
"""

from __future__ import annotations

from services.wording import booking_line, visit_changed
from handlers.turn import Flow, Turn

NAME = "data"


class PrivacyFlow(Flow):
    name = NAME
    commands = {"/mydata": "show", "/我的数据": "show", "/forget": "forget", "/删除我的信息": "forget"}

    async def start(self, turn: Turn, arg: str = "") -> None:
        await self.show(turn)

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action == "show":
            await self.show(turn)
        elif action == "forget":
            turn.state.reset()
            turn.say(turn.t("privacy.forget_confirm"),
                     (turn.option("privacy.forget_yes", "data:forget_yes"), turn.option("privacy.forget_no", "menu:show")))
        elif action == "forget_yes":
            await self.forget(turn)
        else:
            await super().on_button(turn, action, arg)

    async def show(self, turn: Turn) -> None:
        services, ev = turn.services, turn.ev
        bookings = await services.bookings.list_for_user(ev.channel, ev.user_id)
        questions = await services.consultations.list_for_user(ev.channel, ev.user_id)
        lawyer = await services.ledger.lawyer_for(ev.channel, ev.user_id)
        lines = [turn.t("privacy.title")]
        if turn.state.data.get("book", {}).get("name"):
            lines.append(turn.t("privacy.draft"))
        elig = turn.state.data.get("elig")
        if elig and elig.get("age") is not None:
            lines.append(turn.t("privacy.answers", age=elig["age"], county=elig.get("county") or "-",
                                conditions="、".join(turn.t(f"eq.cond.{c}") for c in elig.get("conditions", []))
                                or turn.t("eq.none")))
        for b in bookings:
            lines.append(booking_line(services, b))
            if b.elder_name:
                lines.append(turn.t("privacy.booking_personal", name=b.elder_name, phone=b.phone,
                                    address=f"{b.township} {b.address}"))
        for q in questions:
            lines.append(turn.t("privacy.question", ref=q.ref, text=q.question[:40]))
        if lawyer is not None:
            lines.append(turn.t("privacy.lawyer", name=lawyer.name, firm=lawyer.firm))
        if len(lines) == 1:
            lines.append(turn.t("privacy.nothing"))
        lines.append(turn.t("privacy.how_to_delete"))
        turn.say("\n".join(lines), (turn.option("privacy.forget_button", "data:forget"), turn.menu_option()))

    async def forget(self, turn: Turn) -> None:
        services, ev = turn.services, turn.ev
        today = turn.now.astimezone(services.settings.zone).date()
        upcoming = [b for b in await services.bookings.list_for_user(ev.channel, ev.user_id)
                    if b.status == "active" and b.visit_date >= today]
        questions = await services.consultations.list_for_user(ev.channel, ev.user_id)
        await services.bookings.forget_user(ev.channel, ev.user_id, turn.now)
        await services.consultations.forget_user(ev.channel, ev.user_id, turn.now)
        # Messages about them not yet delivered to lawyers carry their details: withdraw those too.
        about = [f"new-question:{q.id}:%" for q in questions] + [f"follow-up:{q.id}" for q in questions]
        about += [f"assigned:{b.ref}:%" for b in upcoming]
        await services.store.forget_user(ev.channel, ev.user_id, about)
        for booking in upcoming:
            turn.outcome.notices.extend(await visit_changed(services, booking, "book.notice_cancelled", turn.now))
        turn.state.data.clear()
        turn.state.reset()
        turn.say(turn.t("privacy.forgotten"), (turn.menu_option(),))
