"""预约律师上门: home visits for those who cannot travel (衢市司发〔2020〕3号 三, 一次不用跑).

county → date (working days with free places) → 上午/下午 → the elder's name → phone (and
whose) → township → address → access needs → the matter → separate consent (PIPL art. 29;
without it nothing is kept) → review with 修改 on each line → confirm. 我的预约: list,
cancel (asks first), change the time (keeps the reference).

Personal details live in the conversation state only until the booking is confirmed or
abandoned; after that they are only in the booking row, which has its own retention.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from common.privacy import mask_name
from faq.normalize import to_simplified
from handlers import menu
from common.messages import Option, Reply
from handlers.parse import parse_age_answer
from handlers.turn import Flow, Turn
from policy.eligibility import County
from services import wording
from policy.slots import SlotRules, bookable_dates, lawyer_reminder_at, resident_reminder_at
from storage.bookings import Booking, BookingDraft

NAME = "book"
# 三: 患重病、80周岁以上的高龄老人和其他行动不便的老年人
QUICK_CHECK = ("check_age", "check_illness", "check_mobility")
DETAILS = ("county", "date", "window", "name", "phone", "phone_owner", "township", "address", "access", "matter")
EDITABLE = ("date", "name", "phone", "township", "address", "access", "matter")
ACCESS_NEEDS = ("stairs", "hearing", "dialect")
DATES_SHOWN = 8

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_NAME = re.compile(r"^[\u4e00-\u9fffA-Za-z·•. ]{1,20}$")
YES = re.compile(r"^(是|对|有|满了|嗯|是的|有的|同意)")
NO = re.compile(r"^(不是|没有|没|否|不)")  # 不同意 starts with 不


def normalise_phone(text: str) -> str | None:
    digits = re.sub(r"[\s\-()（）]", "", text)
    digits = re.sub(r"^(\+?86)", "", digits)
    return digits if _MOBILE.match(digits) else None


def day_label(turn: Turn, d: date) -> str:
    return wording.day_label(turn.t, d)


def window_label(turn: Turn, key: str) -> str:
    return wording.window_label(turn.t, turn.services.settings.slot_rules, key)


async def tell_lawyer_and_staff(turn: Turn, booking: Booking, text_id: str) -> None:
    turn.outcome.notices.extend(await wording.visit_changed(turn.services, booking, text_id, turn.now))


class BookingFlow(Flow):
    name = NAME
    draft_ttl = timedelta(days=1)

    # --- entry ------------------------------------------------------------------
    async def start(self, turn: Turn, arg: str = "") -> None:
        mine = [b for b in await self._mine(turn) if b.status == "active"]
        if mine and arg != "new":
            turn.state.reset()
            turn.say(
                turn.t("book.has_bookings", count=len(mine)),
                (turn.option("book.new", "book:start:new"), turn.option("book.mine", "book:mine"), turn.menu_option()),
            )
            return
        data = turn.state.data.get(NAME) or {}
        if data.get("step") in DETAILS[1:] + ("consent", "review") and data.get("mode") == "new":
            turn.state.flow = NAME
            turn.say(
                turn.t("book.resume_offer"),
                (turn.option("resume.continue", "book:resume"), turn.option("resume.restart", "book:restart"),
                 turn.menu_option()),
            )
            return
        await self.restart(turn)

    async def restart(self, turn: Turn) -> None:
        turn.state.data[NAME] = {"mode": "new", "access": []}
        elig = turn.state.data.get("elig", {}).get("result")
        if elig and elig.get("home_visit"):
            turn.say(turn.t("book.eligible_from_check"))
            await self.ask(turn, "county")
        elif elig and not elig.get("home_visit"):
            self.not_eligible(turn, offer_recheck=True)
        else:
            await self.ask(turn, "check_age")

    async def resume(self, turn: Turn) -> None:
        data = turn.state.data.get(NAME)
        if not data or not data.get("step"):
            await self.restart(turn)
        else:
            await self.ask(turn, data["step"])

    def not_eligible(self, turn: Turn, offer_recheck: bool = False) -> None:
        turn.state.reset()
        turn.state.data.pop(NAME, None)
        options = [turn.option("book.recheck", "book:recheck")] if offer_recheck else []
        options += [turn.option("menu.consult", "consult:start"), turn.option("menu.call", "menu:call"),
                    turn.menu_option()]
        turn.say(turn.t("book.not_eligible"), options)

    # --- routing ------------------------------------------------------------------
    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        handlers = {
            "start": lambda: self.start(turn, arg),
            "restart": lambda: self.restart(turn),
            "resume": lambda: self.resume(turn),
            "recheck": lambda: self._recheck(turn),
            "mine": lambda: self.show_mine(turn),
            "cancel": lambda: self.ask_cancel(turn, arg),
            "cancel_yes": lambda: self.do_cancel(turn, arg),
            "move": lambda: self.start_move(turn, arg),
        }
        if action in handlers:
            await handlers[action]()
            return
        data = turn.state.data.get(NAME)
        if data is None or turn.state.flow != NAME:
            await self.stale(turn)
            return
        if action == "back":
            await self.back(turn, data)
        elif action == "edit" and arg in EDITABLE and data.get("step") == "review":
            data["editing"] = True
            await self.ask(turn, arg)
        elif action == "answer" and data.get("step") == arg.partition("=")[0]:
            step, _, value = arg.partition("=")
            await self.answer(turn, data, step, value)
        elif action == "confirm" and data.get("step") == "review":
            await self.confirm(turn, data)
        else:
            await self.stale(turn)

    async def _recheck(self, turn: Turn) -> None:
        turn.state.data[NAME] = {"mode": "new", "access": []}
        await self.ask(turn, "check_age")

    async def on_text(self, turn: Turn, text: str) -> None:
        data = turn.state.data.get(NAME)
        if data is None:
            await self.start(turn)
            return
        step = data.get("step")
        value = self.read_text(turn, step, to_simplified(text).strip())
        if value is None:
            turn.say(turn.t(f"book.invalid.{step}" if f"book.invalid.{step}" in turn.t else "book.invalid.choose"))
            await self.ask(turn, step)
            return
        await self.answer(turn, data, step, value)

    def read_text(self, turn: Turn, step: str, text: str) -> str | None:
        if step == "check_age":
            if NO.match(text):
                return "no"
            parsed = parse_age_answer(text, turn.now.date())
            if parsed.age is not None:
                return "yes" if parsed.age >= 80 else "no"
            if parsed.year is not None:
                return "yes" if turn.now.year - parsed.year - 1 >= 80 else "no"
        if step in ("check_age", "check_illness", "check_mobility", "consent"):
            if NO.match(text):
                return "no"
            return "yes" if YES.match(text) else None
        if step == "county":
            return next((c.value for c in County if c.value[:2] in text), None)
        if step == "name":
            return text if _NAME.match(text) else None
        if step == "phone":
            return normalise_phone(text)
        if step == "phone_owner":
            if re.search(r"本人|自己|老人", text):
                return "self"
            return "family" if re.search(r"家|儿|女|孙|子|媳|婿", text) else None
        if step in ("township", "address"):
            return text if 2 <= len(text) <= 60 else None
        if step == "access":
            return "done" if re.search(r"好了|没有|都没有|没了|不用", text) else "note:" + text[:100]
        if step == "matter":
            return text if 2 <= len(text) <= 200 else None
        return None

    # --- answers -------------------------------------------------------------------
    async def answer(self, turn: Turn, data: dict[str, Any], step: str, value: str) -> None:
        if step in QUICK_CHECK:
            if value == "yes":
                data["grounds"] = step
                await self.ask(turn, "county")
            elif step == QUICK_CHECK[-1]:
                self.not_eligible(turn)
            else:
                await self.ask(turn, QUICK_CHECK[QUICK_CHECK.index(step) + 1])
            return
        if step == "county":
            if value not in {c.value for c in County}:
                await self.stale(turn)
                return
            data["county"] = value
        elif step == "date":
            if value not in await self.free_dates(turn, data):
                turn.say(turn.t("book.date_gone"))
                await self.ask(turn, "date")
                return
            data["date"] = value
            data.pop("window", None)
            if data.get("editing"):
                await self.ask(turn, "window")  # a new day needs its half-day too
                return
        elif step == "window":
            if value not in await self.free_windows(turn, data):
                turn.say(turn.t("book.window_gone"))
                await self.ask(turn, "date")
                return
            data["window"] = value
            if data.get("mode") == "move":
                await self.do_move(turn, data)
                return
        elif step == "access":
            if value.startswith("toggle:") and value[7:] in ACCESS_NEEDS:
                need = value[7:]
                chosen = data.setdefault("access", [])
                chosen.remove(need) if need in chosen else chosen.append(need)
                await self.ask(turn, "access")
                return
            if value.startswith("note:"):
                data["access_note"] = value[5:]
        elif step == "consent":
            if value == "yes":
                data["consent_at"] = turn.now.isoformat()
                await self.ask(turn, "review")
            else:
                # Without consent nothing personal is kept, not even in the conversation.
                turn.state.data.pop(NAME, None)
                turn.state.reset()
                turn.say(turn.t("book.no_consent"), (turn.option("menu.call", "menu:call"), turn.menu_option()))
            return
        elif step in ("name", "phone", "phone_owner", "township", "address", "matter"):
            data[step] = value
        await self.advance(turn, data, step)

    async def advance(self, turn: Turn, data: dict[str, Any], step: str) -> None:
        if data.pop("editing", False):
            await self.ask(turn, "review")
            return
        order = DETAILS + ("consent",)
        await self.ask(turn, order[order.index(step) + 1])

    async def back(self, turn: Turn, data: dict[str, Any]) -> None:
        step = data.get("step")
        data.pop("editing", None)
        if data.get("mode") == "move":
            await self.show_mine(turn)
            return
        order = QUICK_CHECK + DETAILS + ("consent", "review")
        index = order.index(step) if step in order else 0
        if index == 0 or step == "county":
            menu.show_menu(turn)
            return
        await self.ask(turn, order[index - 1])

    # --- questions -------------------------------------------------------------------
    async def free_dates(self, turn: Turn, data: dict[str, Any]) -> list[str]:
        rules = turn.services.settings.slot_rules
        days = bookable_dates(turn.now, rules, turn.services.calendar)
        free = await turn.services.bookings.availability(
            data["county"], days, [w.key for w in rules.windows], rules.capacity
        )
        return [d.isoformat() for d in days if any(free[(d, w.key)] > 0 for w in rules.windows)]

    async def free_windows(self, turn: Turn, data: dict[str, Any]) -> list[str]:
        rules = turn.services.settings.slot_rules
        day = date.fromisoformat(data["date"])
        free = await turn.services.bookings.availability(
            data["county"], [day], [w.key for w in rules.windows], rules.capacity
        )
        if day not in bookable_dates(turn.now, rules, turn.services.calendar):
            return []
        return [w.key for w in rules.windows if free[(day, w.key)] > 0]

    async def ask(self, turn: Turn, step: str) -> None:
        data = turn.state.data.setdefault(NAME, {"mode": "new", "access": []})
        data["step"] = step
        turn.state.flow, turn.state.step = NAME, step
        t = turn.t

        def answer(label: str, value: str) -> Option:
            return Option(label, f"{NAME}:answer:{step}={value}")

        nav = (Option(t("nav.back"), f"{NAME}:back"), turn.menu_option())
        yes_no = [answer(t("book.answer_yes"), "yes"), answer(t("book.answer_no"), "no")]
        if step in QUICK_CHECK:
            turn.say(t(f"book.ask.{step}"), [*yes_no, *nav])
        elif step == "county":
            options = [answer(c.value, c.value) for c in County]
            turn.say(t("book.ask.county"), [*options, *nav])
        elif step == "date":
            dates = (await self.free_dates(turn, data))[:DATES_SHOWN]
            if not dates:
                turn.state.reset()
                turn.say(t("book.full"), (turn.option("menu.consult", "consult:start"),
                                          turn.option("menu.call", "menu:call"), turn.menu_option()))
                return
            options = [answer(day_label(turn, date.fromisoformat(d)), d) for d in dates]
            turn.say(t("book.ask.date", county=data["county"]), [*options, *nav])
        elif step == "window":
            windows = await self.free_windows(turn, data)
            options = [answer(window_label(turn, key), key) for key in windows]
            turn.say(t("book.ask.window", day=day_label(turn, date.fromisoformat(data["date"]))), [*options, *nav])
        elif step == "phone_owner":
            options = [answer(t("book.phone_self"), "self"), answer(t("book.phone_family"), "family")]
            turn.say(t("book.ask.phone_owner"), [*options, *nav])
        elif step == "access":
            chosen = data.get("access", [])
            options = [
                answer(t("book.access_chosen" if need in chosen else "book.access_open",
                         label=t(f"book.access.{need}")), "toggle:" + need)
                for need in ACCESS_NEEDS
            ]
            options.append(answer(t("book.access_done"), "done"))
            turn.say(t("book.ask.access"), [*options, *nav])
        elif step == "consent":
            days = turn.services.settings.retention_days
            options = [answer(t("book.consent_yes"), "yes"), answer(t("book.consent_no"), "no")]
            turn.say(t("book.ask.consent", days=days), [*options, *nav])
        elif step == "review":
            self.review(turn, data)
        else:  # name, phone, township, address, matter: typed answers
            turn.say(t(f"book.ask.{step}"), nav)

    def access_text(self, turn: Turn, data: dict[str, Any]) -> str:
        parts = [turn.t(f"book.access.{need}") for need in data.get("access", [])]
        if data.get("access_note"):
            parts.append(data["access_note"])
        return "、".join(parts) or turn.t("eq.none")

    def review(self, turn: Turn, data: dict[str, Any]) -> None:
        t = turn.t
        data.setdefault("nonce", secrets.token_hex(8))  # one nonce per draft: a double tap books once
        text = t(
            "book.review",
            county=data["county"],
            day=day_label(turn, date.fromisoformat(data["date"])),
            window=window_label(turn, data["window"]),
            name=data["name"],
            phone=data["phone"],
            owner=t(f"book.phone_{data['phone_owner']}"),
            township=data["township"],
            address=data["address"],
            access=self.access_text(turn, data),
            matter=data["matter"],
        )
        options = [Option(t("book.confirm"), f"{NAME}:confirm")]
        options += [Option(t(f"book.edit.{field}"), f"{NAME}:edit:{field}") for field in EDITABLE]
        options += [Option(t("nav.back"), f"{NAME}:back"), turn.menu_option()]
        turn.say(text, options)

    # --- confirm -----------------------------------------------------------------------
    async def confirm(self, turn: Turn, data: dict[str, Any]) -> None:
        ev, services = turn.ev, turn.services
        rules, zone = services.settings.slot_rules, services.settings.zone
        visit_date = date.fromisoformat(data["date"])
        draft = BookingDraft(
            channel=ev.channel,
            user_id=ev.user_id,
            county=County(data["county"]),
            visit_date=visit_date,
            window=data["window"],
            elder_name=data["name"],
            phone=data["phone"],
            phone_owner=data["phone_owner"],
            township=data["township"],
            address=data["address"],
            matter=data["matter"],
            consent_at=datetime.fromisoformat(data["consent_at"]),
            access_needs=self.access_text(turn, data),
        )
        result = await services.bookings.create(
            draft,
            rules.capacity,
            f"{ev.channel}:{ev.user_id}:{data['nonce']}",
            turn.now,
            {"resident": resident_reminder_at(visit_date, zone)},
        )
        if result.status == "full":
            turn.say(turn.t("book.taken_meanwhile"))
            data["editing"] = True  # only a new time is needed; everything else is kept
            await self.ask(turn, "date")
            return
        booking = result.booking
        turn.state.data.pop(NAME, None)  # personal details now live only in the booking
        turn.state.reset()
        turn.say(
            turn.t("book.confirmed", ref=booking.ref, day=day_label(turn, booking.visit_date),
                   window=window_label(turn, booking.window), county=booking.county,
                   township=booking.township, address=booking.address),
            (turn.option("book.mine", "book:mine"), turn.menu_option()),
        )
        if result.status == "created":
            turn.notify_staff(
                Reply(
                    turn.t("staff.new_booking", ref=booking.ref, county=booking.county,
                           day=day_label(turn, booking.visit_date), window=window_label(turn, booking.window),
                           name=mask_name(booking.elder_name)),
                    (Option(turn.t("staff.details"), f"staff:booking:{booking.ref}"),),
                ),
                dedupe_key=f"staff-new-booking:{booking.ref}",
            )

    # --- 我的预约 ------------------------------------------------------------------------
    async def _mine(self, turn: Turn) -> list[Booking]:
        return await turn.services.bookings.list_for_user(turn.ev.channel, turn.ev.user_id)

    async def show_mine(self, turn: Turn) -> None:
        turn.state.reset()
        active = [b for b in await self._mine(turn) if b.status == "active"]
        if not active:
            turn.say(turn.t("book.none"), (turn.option("book.new", "book:start:new"), turn.menu_option()))
            return
        lines = [turn.t("book.mine_title")] + [wording.booking_line(turn.services, b) for b in active]
        options = []
        for b in active:
            options.append(Option(turn.t("book.move_button", ref=b.ref), f"{NAME}:move:{b.ref}"))
            options.append(Option(turn.t("book.cancel_button", ref=b.ref), f"{NAME}:cancel:{b.ref}"))
        options.append(turn.menu_option())
        turn.say("\n".join(lines), options)

    async def ask_cancel(self, turn: Turn, ref: str) -> None:
        booking = next((b for b in await self._mine(turn) if b.ref == ref and b.status == "active"), None)
        if booking is None:
            await self.show_mine(turn)
            return
        turn.say(
            turn.t("book.cancel_confirm", line=wording.booking_line(turn.services, booking)),
            (Option(turn.t("book.cancel_yes"), f"{NAME}:cancel_yes:{ref}"), turn.option("book.cancel_no", "book:mine")),
        )

    async def do_cancel(self, turn: Turn, ref: str) -> None:
        outcome = await turn.services.bookings.cancel(ref, turn.ev.channel, turn.ev.user_id, turn.now)
        if outcome.status == "cancelled":
            await tell_lawyer_and_staff(turn, outcome.booking, "book.notice_cancelled")
        if outcome.status in ("cancelled", "already_cancelled"):
            turn.say(turn.t("book.cancelled", ref=ref), (turn.option("book.new", "book:start:new"), turn.menu_option()))
        else:
            turn.say(turn.t("book.cannot_change"))
            await self.show_mine(turn)

    async def start_move(self, turn: Turn, ref: str) -> None:
        booking = next((b for b in await self._mine(turn) if b.ref == ref and b.status == "active"), None)
        if booking is None:
            await self.show_mine(turn)
            return
        turn.state.data[NAME] = {"mode": "move", "ref": ref, "county": booking.county}
        await self.ask(turn, "date")

    async def do_move(self, turn: Turn, data: dict[str, Any]) -> None:
        services = turn.services
        visit_date = date.fromisoformat(data["date"])
        outcome = await services.bookings.reschedule(
            data["ref"], turn.ev.channel, turn.ev.user_id, visit_date, data["window"],
            services.settings.slot_rules.capacity, turn.now,
            {"resident": resident_reminder_at(visit_date, services.settings.zone),
             "lawyer": lawyer_reminder_at(visit_date, services.settings.zone)},
        )
        if outcome.status == "moved":
            await tell_lawyer_and_staff(turn, outcome.booking, "book.notice_moved")
        turn.state.data.pop(NAME, None)
        turn.state.reset()
        if outcome.status in ("moved", "unchanged"):
            turn.say(turn.t("book.moved", line=wording.booking_line(turn.services, outcome.booking)),
                     (turn.option("book.mine", "book:mine"), turn.menu_option()))
        elif outcome.status == "full":
            turn.say(turn.t("book.taken_meanwhile"), (turn.option("book.mine", "book:mine"), turn.menu_option()))
        else:
            turn.say(turn.t("book.cannot_change"), (turn.option("book.mine", "book:mine"), turn.menu_option()))
