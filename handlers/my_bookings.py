"""我的预约: a person's visits; cancel one (asked first) or move it (改时间, the reference stays).

改时间 is a two-question form (the booking's own day and half-day questions) with no review.
"""

from __future__ import annotations

import datetime as dt

from common.messages import Option, Payload
from handlers import menu
from handlers.choice import CONFIRM_WORDS
from handlers.form import Draft, Form
from handlers.turn import Turn
from handlers.visit_time import DATE, WINDOW, time_params
from policy.eligibility import County
from policy.slots import lawyer_reminder_at, resident_reminder_at
from services import wording
from storage.bookings import Booking

NAME = "mine"
# The step while 确定要取消这个预约吗 waits for an answer: "cancel:<ref>".
CONFIRMING = "cancel:"
# Typed answers to 确定要取消这个预约吗 (compared after choice.normalise: 要取消 and 我要取消 are 取消).
# 取消 itself says yes: it is what the person asked for a moment ago.
CANCEL_YES_WORDS = (*CONFIRM_WORDS, "是", "嗯", "对", "取消", "对取消", "是取消", "确定取消", "取消预约", "取消这个")
# 算了, 退出 and 不问了 would otherwise bring the menu with no word on the booking.
_KEEP_WORDS = ("不要取消", "不取消", "不用取消", "别取消", "先不取消", "算了", "不要", "不用", "不", "不是", "否")
CANCEL_NO_WORDS = (*_KEEP_WORDS, "退出", "不问了", "返回", "上一步", "返回上一步")


class MoveDraft(Draft):
    ref: str
    county: County
    date: dt.date | None = None
    window: str | None = None


class MyBookingsFlow(Form[MoveDraft]):
    name = NAME
    draft = MoveDraft
    questions = (DATE, WINDOW)
    has_review = False

    def routes(self):
        return super().routes() | {
            "cancel": self.ask_cancel,
            "cancel_yes": self.cancel,
            "keep": self.keep_booking,
            "cancel_which": self.cancel_which,
            "move": self.start_move,
        }

    def params(self, turn: Turn, draft: MoveDraft) -> dict[str, object]:
        return time_params(turn, draft)

    async def active(self, turn: Turn, ref: str | None = None) -> list[Booking]:
        mine = await turn.services.bookings.list_for_user(turn.ev.channel, turn.ev.user_id)
        return [b for b in mine if b.status == "active" and ref in (None, b.ref)]

    async def start(self, turn: Turn, arg: str = "") -> None:
        """The list, with 改时间 and 取消 for each visit."""
        turn.state.data.pop(NAME, None)
        turn.state.reset()
        active = await self.active(turn)
        if not active:
            turn.say(turn.t("book.none"), (turn.option("book.new", Payload("book", "start", "new")),
                                           turn.menu_option()))
            return
        lines = [turn.t("book.mine_title")] + [wording.booking_line(turn.services, b) for b in active]
        options = []
        for b in active:
            options.append(turn.option("book.move_button", Payload(NAME, "move", b.ref), ref=b.ref))
            options.append(turn.option("book.cancel_button", Payload(NAME, "cancel", b.ref), ref=b.ref))
        turn.say("\n".join(lines), [*options, turn.menu_option()])

    restart = start
    leave = start

    async def resume(self, turn: Turn) -> None:
        if (ref := self.confirming(turn)) is not None:
            await self.ask_cancel(turn, ref)
        elif self.load(turn) is None:
            await self.start(turn)
        else:
            await super().resume(turn)

    async def on_text(self, turn: Turn, text: str) -> None:
        """At 确定要取消这个预约吗, text that is neither yes nor no asks again: never a silent menu."""
        if (ref := self.confirming(turn)) is None:
            await super().on_text(turn, text)
            return
        turn.say(turn.t("book.cancel_unclear"))
        await self.ask_cancel(turn, ref)

    @staticmethod
    def confirming(turn: Turn) -> str | None:
        """The booking whose cancelling waits for yes or no, if any."""
        state = turn.state
        if state.flow == NAME and state.step.startswith(CONFIRMING):
            return state.step.removeprefix(CONFIRMING)
        return None

    async def ask_cancel(self, turn: Turn, ref: str) -> None:
        booking = next(iter(await self.active(turn, ref)), None)
        if booking is None:
            await self.start(turn)
            return
        turn.state.data.pop(NAME, None)
        turn.state.flow, turn.state.step = NAME, CONFIRMING + ref
        turn.say(turn.t("book.cancel_confirm", line=wording.booking_line(turn.services, booking)), (
            Option(turn.t("book.cancel_yes"), Payload(NAME, "cancel_yes", ref).encode(), CANCEL_YES_WORDS),
            Option(turn.t("book.cancel_no"), Payload(NAME, "keep", ref).encode(), CANCEL_NO_WORDS)))

    async def keep_booking(self, turn: Turn, ref: str) -> None:
        """不取消: said so, then the list."""
        turn.say(turn.t("book.not_cancelled", ref=ref))
        await self.start(turn)

    async def cancel_which(self, turn: Turn, arg: str = "") -> None:
        """取消预约 typed: the one visit is asked about at once; of several, the list says which."""
        active = await self.active(turn)
        if len(active) == 1:
            turn.state.data.pop(NAME, None)
            turn.state.reset()
            await self.ask_cancel(turn, active[0].ref)
        elif not active and arg == "said":  # a bare 取消 at the menu, and no visit to cancel
            menu.show_menu(turn)
        else:
            await self.start(turn)

    async def cancel(self, turn: Turn, ref: str) -> None:
        turn.state.reset()
        outcome = await turn.services.bookings.cancel(ref, turn.ev.channel, turn.ev.user_id, turn.now)
        if outcome.status == "cancelled":
            await self.tell_lawyer_and_staff(turn, outcome.booking, "book.notice_cancelled")
        if outcome.status in ("cancelled", "already_cancelled"):
            turn.say(turn.t("book.cancelled", ref=ref), (turn.option("book.new", Payload("book", "start", "new")),
                                                         turn.menu_option()))
        else:
            turn.say(turn.t("book.cannot_change"))
            await self.start(turn)

    async def start_move(self, turn: Turn, ref: str) -> None:
        booking = next(iter(await self.active(turn, ref)), None)
        if booking is None:
            await self.start(turn)
            return
        await self.begin(turn, MoveDraft(ref=ref, county=booking.county))

    async def finish(self, turn: Turn, draft: MoveDraft) -> None:
        services, zone = turn.services, turn.services.settings.zone
        outcome = await services.bookings.reschedule(
            draft.ref, turn.ev.channel, turn.ev.user_id, draft.date, draft.window,
            services.settings.slot_rules.capacity, turn.now,
            {"resident": resident_reminder_at(draft.date, zone), "lawyer": lawyer_reminder_at(draft.date, zone)})
        if outcome.status == "moved":
            await self.tell_lawyer_and_staff(turn, outcome.booking, "book.notice_moved")
        self.drop(turn)
        again = (turn.option("book.mine", Payload(NAME, "start")), turn.menu_option())
        if outcome.status in ("moved", "unchanged"):
            turn.say(turn.t("book.moved", line=wording.booking_line(services, outcome.booking)), again)
        else:
            turn.say(turn.t("book.taken_meanwhile" if outcome.status == "full" else "book.cannot_change"), again)

    async def tell_lawyer_and_staff(self, turn: Turn, booking: Booking, text_id: str) -> None:
        turn.outcome.notices.extend(await wording.visit_changed(turn.services, booking, text_id, turn.now))
