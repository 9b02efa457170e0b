"""Centre staff in the bot: visits (assign, done, no-show, export), lawyers, points,
corrections, unclaimed questions. The work itself is the service layer's (services/*); this flow
reads commands and buttons, shows the results and queues the notices they bring.

A malformed command raises `Usage` and shows the usage text; anything else that goes wrong is a
bug and reaches the dialogue's error handler.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from common.messages import Notice, Option
from handlers.roles import as_staff, refuse
from handlers.turn import Flow, Route, Turn
from policy.ledger import Decision, LedgerError, UnknownRecord
from policy.points import AWARDS
from services import consultations, lawyers, points, visits
from services.actor import Actor, PermissionDenied
from services.consultations import question_reply
from services.wording import day_label, window_label
from storage.bookings import Change

NAME = "staff"
WINDOWS = {"上午": "am", "下午": "pm", "am": "am", "pm": "pm"}
PEOPLE = re.compile(r"^(\d+)人$")  # "12人": the people of a group case (二(一)1)
StaffAction = Callable[[Turn, Actor, str], Awaitable[None]]


class Usage(Exception):
    """A staff command typed with missing or unreadable parts."""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Usage(text) from None


def _split(arg: str) -> list[str]:
    try:
        return shlex.split(arg)
    except ValueError:  # unbalanced quotes
        raise Usage(arg) from None


def _number(text: str) -> int:
    if not text.isdecimal():
        raise Usage(text)
    return int(text)


class StaffFlow(Flow):
    name = NAME
    free_text_steps = frozenset({"reason"})
    commands = {
        "/bookings": "bookings", "/export": "export", "/lawyer_add": "lawyer_add", "/lawyers": "lawyers",
        "/points_add": "points_add", "/points_reverse": "points_reverse",
        "/corrections": "corrections", "/report": "report", "/unclaimed": "unclaimed",
        "/visit_cancel": "visit_cancel", "/visit_move": "visit_move",
    }

    def routes(self) -> dict[str, Route]:
        table: dict[str, StaffAction] = {
            "bookings": self.bookings, "booking": self.booking, "assign": self.assign, "assign_to": self.assign_to,
            "visited": self.visited, "noshow": self.no_show, "export": self.export,
            "lawyer_add": self.lawyer_add, "lawyers": self.lawyers, "points_add": self.points_add,
            "points_reverse": self.points_reverse, "report": self.report,
            "corrections": self.corrections,
            "corr_ok": self.corr_ok, "corr_no": self.corr_no, "unclaimed": self.unclaimed,
            "visit_cancel": self.visit_cancel, "visit_move": self.visit_move, "reassign": self.reassign,
            "reassign_to": self.reassign_to,
        }
        return {**super().routes(), **{action: self.guarded(action, act) for action, act in table.items()}}

    def guarded(self, action: str, act: StaffAction) -> Route:
        """Staff only; a refusal of the rules or a malformed command is told, not raised."""
        async def route(turn: Turn, arg: str) -> None:
            actor = as_staff(turn, f"staff:{action}")
            if actor is not None:
                await self.attempt(turn, act(turn, actor, arg))
        return route

    async def attempt(self, turn: Turn, work: Awaitable[None]) -> None:
        try:
            await work
        except (LedgerError, UnknownRecord) as exc:
            turn.say(turn.t(exc.text_id, **exc.fields), (turn.menu_option(),))
        except PermissionDenied as exc:
            refuse(turn, exc.action)
        except Usage:
            turn.say(turn.t("staff.usage"), (turn.menu_option(),))

    async def start(self, turn: Turn, arg: str = "") -> None:
        await self.on_button(turn, "bookings", "")

    async def on_text(self, turn: Turn, text: str) -> None:
        actor = as_staff(turn, f"staff:text:{turn.state.step}")
        if actor is None:
            return
        if turn.state.step == "reason":
            await self.attempt(turn, self.decide_with_reason(turn, actor, text))
        else:
            await self.stale(turn)

    def done(self, turn: Turn, text_id: str, notices: list[Notice] = (), **values: object) -> None:
        turn.outcome.notices.extend(notices)
        turn.say(turn.t(text_id, **values), (turn.menu_option(),))

    # --- visits ---------------------------------------------------------------------
    async def bookings(self, turn: Turn, actor: Actor, arg: str) -> None:
        day = _date(arg.strip()) if arg.strip() else turn.today
        found = await visits.day_list(turn.services, actor, day)
        if not found:
            self.done(turn, "staff.no_bookings", day=day_label(turn.t, day))
            return
        rules = turn.services.settings.slot_rules
        lines = [turn.t("staff.bookings_title", day=day_label(turn.t, day), count=len(found))]
        lines += [turn.t("staff.booking_line", ref=b.ref, window=window_label(turn.t, rules, b.window), county=b.county,
                         status=turn.t(f"book.status.{b.status}")) for b in found]
        options = [Option(turn.t("staff.details_of", ref=b.ref), f"staff:booking:{b.ref}") for b in found]
        options += [Option(turn.t("staff.next_day"), f"staff:bookings:{day + timedelta(days=1)}"), turn.menu_option()]
        turn.say("\n".join(lines), options)

    async def booking(self, turn: Turn, actor: Actor, ref: str) -> None:
        found = await visits.detail(turn.services, actor, ref, turn.now)
        if found is None:
            await self.stale(turn)
            return
        (b, lawyer), t = found, turn.t
        turn.say(
            t("staff.booking_details", ref=b.ref, day=day_label(t, b.visit_date),
              window=window_label(t, turn.services.settings.slot_rules, b.window), county=b.county,
              township=b.township, address=b.address, name=b.elder_name, phone=b.phone,
              owner=t(f"book.phone_{b.phone_owner}"), access=b.access_needs or t("eq.none"), matter=b.matter,
              status=t(f"book.status.{b.status}"), lawyer=lawyer.name if lawyer else t("staff.no_lawyer")),
            (Option(t("staff.assign"), f"staff:assign:{ref}"), Option(t("staff.visited"), f"staff:visited:{ref}"),
             Option(t("staff.no_show"), f"staff:noshow:{ref}"), turn.menu_option()),
        )

    async def assign(self, turn: Turn, actor: Actor, ref: str) -> None:
        if await turn.services.bookings.get(ref) is None:  # a forged or mistyped reference
            await self.stale(turn)
            return
        active = [x for x in await lawyers.roster(turn.services, actor) if x.active]
        if not active:
            self.done(turn, "staff.no_lawyers")
            return
        options = [Option(turn.t("staff.lawyer_choice", name=x.name, firm=x.firm), f"staff:assign_to:{ref}:{x.id}")
                   for x in active]
        turn.say(turn.t("staff.choose_lawyer", ref=ref), [*options, turn.menu_option()])

    async def assign_to(self, turn: Turn, actor: Actor, arg: str) -> None:
        ref, _, lawyer_id = arg.rpartition(":")
        result = await visits.assign_lawyer(turn.services, actor, ref, _number(lawyer_id), turn.now)
        outcome = result.value
        if outcome.status == Change.NOT_FOUND:
            await self.stale(turn)
        elif outcome.status != Change.ASSIGNED:
            self.done(turn, "staff.not_done", status=turn.t(f"staff.change.{outcome.status}"))
        else:
            lawyer = await turn.services.ledger.get_lawyer(outcome.booking.lawyer_id)
            self.done(turn, "staff.assigned", result.notices, ref=ref, name=lawyer.name)

    async def visited(self, turn: Turn, actor: Actor, ref: str) -> None:
        outcome = await visits.complete(turn.services, actor, ref, turn.now)
        self.closed(turn, ref, outcome.status, {
            Change.VISITED: "staff.marked_visited", Change.ALREADY_VISITED: "staff.already_marked",
            Change.NO_LAWYER: "staff.assign_first", Change.NOT_YET: "staff.not_yet"})

    async def no_show(self, turn: Turn, actor: Actor, ref: str) -> None:
        outcome = await visits.no_show(turn.services, actor, ref, turn.now)
        self.closed(turn, ref, outcome.status, {
            Change.NO_SHOW: "staff.marked_no_show", Change.ALREADY_NO_SHOW: "staff.already_marked",
            Change.NOT_YET: "staff.not_yet"})

    def closed(self, turn: Turn, ref: str, status: Change, text_ids: dict[Change, str]) -> None:
        text_id = text_ids.get(status)
        if text_id is None:
            self.done(turn, "staff.not_done", status=turn.t(f"staff.change.{status}"))
        else:
            self.done(turn, text_id, ref=ref)

    async def visit_cancel(self, turn: Turn, actor: Actor, arg: str) -> None:
        """/visit_cancel 编号 理由"""
        ref, _, reason = arg.strip().partition(" ")
        if not ref or not reason.strip():
            raise Usage(arg)
        done = await visits.cancel(turn.services, actor, ref, reason, turn.now)
        self.changed(turn, ref, done.value.status, done.notices, Change.CANCELLED, "staff.visit_cancelled")

    async def visit_move(self, turn: Turn, actor: Actor, arg: str) -> None:
        """/visit_move 编号 日期 上午|下午"""
        parts = arg.split()
        if len(parts) != 3 or parts[2] not in WINDOWS:
            raise Usage(arg)
        ref, day = parts[0], _date(parts[1])
        done = await visits.move(turn.services, actor, ref, day, WINDOWS[parts[2]], turn.now)
        self.changed(turn, ref, done.value.status, done.notices, Change.MOVED, "staff.visit_moved")

    def changed(self, turn: Turn, ref: str, status: Change, notices: list[Notice], wanted: Change,
                text_id: str) -> None:
        if status == wanted:
            self.done(turn, text_id, notices, ref=ref)
        else:
            self.done(turn, "staff.not_done", status=turn.t(f"staff.change.{status}"))

    async def export(self, turn: Turn, actor: Actor, arg: str) -> None:
        parts = arg.split()
        if len(parts) < 2:
            raise Usage(arg)
        fmt = parts[2] if len(parts) > 2 and parts[2] in visits.EXPORT_FORMATS else "xlsx"
        export = await visits.export(turn.services, actor, _date(parts[0]), _date(parts[1]), fmt, turn.now)
        turn.say(turn.t("staff.export_ready", count=export.count), document=export.document)

    # --- lawyers and points ----------------------------------------------------------
    async def lawyer_add(self, turn: Turn, actor: Actor, arg: str) -> None:
        parts = _split(arg)
        if len(parts) < 2:
            raise Usage(arg)
        lawyer, code = await lawyers.add_lawyer(turn.services, actor, parts[0], parts[1], turn.now)
        self.done(turn, "staff.lawyer_added", name=lawyer.name, id=lawyer.id, code=code)

    async def lawyers(self, turn: Turn, actor: Actor, arg: str) -> None:
        lines = [turn.t("staff.lawyer_line", id=x.id, name=x.name, firm=x.firm,
                        duty=turn.t("staff.duty_on" if x.on_duty else "staff.duty_off"))
                 for x in await lawyers.roster(turn.services, actor)]
        turn.say("\n".join(lines) or turn.t("staff.no_lawyers"), (turn.menu_option(),))

    async def points_add(self, turn: Turn, actor: Actor, arg: str) -> None:
        """律师 事项 日期 [数量 | N人] 备注; for 二(一)12 the number is the points."""
        parts = _split(arg)
        if len(parts) < 3:
            raise Usage(arg)
        lawyer_id, item, day, rest = _number(parts[0]), parts[1], _date(parts[2]), parts[3:]
        people = int(PEOPLE.match(rest.pop(0)).group(1)) if rest and PEOPLE.match(rest[0]) else None
        number = int(rest.pop(0)) if rest and rest[0].isdecimal() else None
        # 二(一)12 is scored case by case: there the number is its points, elsewhere how many.
        discretionary = item == "other_award"
        entry = await points.add_entry(
            turn.services, actor, lawyer_id, item, day, turn.now, note=" ".join(rest),
            points=number if discretionary else None, quantity=1 if discretionary else number or 1, people=people)
        self.done(turn, "staff.entry_added", id=entry.id, clause=entry.clause, points=f"{entry.points:+d}")

    async def points_reverse(self, turn: Turn, actor: Actor, arg: str) -> None:
        entry_id, _, note = arg.strip().partition(" ")
        entry = await points.reverse(turn.services, actor, _number(entry_id), note.strip(), turn.now)
        self.done(turn, "staff.entry_reversed", id=entry.id, original=entry.reverses_id, points=f"{entry.points:+d}")

    async def report(self, turn: Turn, actor: Actor, arg: str) -> None:
        parts = arg.split()
        today = turn.today
        year = int(parts[0]) if parts and parts[0].isdecimal() else today.year
        quarter = int(parts[1]) if len(parts) > 1 and parts[1] in ("1", "2", "3", "4") else None
        fmt = next((p for p in parts if p in ("csv", "xlsx", "json")), "xlsx")
        document = await points.report(turn.services, actor, year, quarter, fmt)
        turn.say(turn.t("staff.report_ready", year=year), document=document)

    async def corrections(self, turn: Turn, actor: Actor, arg: str) -> None:
        waiting = await points.waiting_corrections(turn.services, actor)
        if not waiting:
            self.done(turn, "staff.nothing_pending")
        for w in waiting[:10]:
            c = w.item
            turn.say(turn.t("staff.correction_item", id=c.id, name=w.lawyer.name, year=c.year, quarter=c.quarter,
                            text=c.text),
                     (Option(turn.t("staff.accept"), f"staff:corr_ok:{c.id}"),
                      Option(turn.t("staff.reject"), f"staff:corr_no:{c.id}")))

    async def corr_ok(self, turn: Turn, actor: Actor, arg: str) -> None:
        self.ask_reason(turn, "accept", arg)

    async def corr_no(self, turn: Turn, actor: Actor, arg: str) -> None:
        self.ask_reason(turn, "reject", arg)

    def ask_reason(self, turn: Turn, decision: str, record_id: str) -> None:
        turn.state.flow, turn.state.step = NAME, "reason"
        turn.state.data[NAME] = {"decision": decision, "id": _number(record_id)}
        self.done(turn, "staff.reason_prompt")

    async def decide_with_reason(self, turn: Turn, actor: Actor, reason: str) -> None:
        data = turn.state.data.pop(NAME, {})
        turn.state.reset()
        if "id" not in data:
            await self.stale(turn)
            return
        decided = await points.decide_correction(
            turn.services, actor, data["id"], data["decision"] == "accept", reason, turn.now)
        c = decided.value
        if c.status != Decision.ACCEPTED:
            self.done(turn, "staff.decided", decided.notices)
            return
        # 二(四) 经中心核对后予以追加: what was omitted is free writing, so staff enter the entry it names.
        lawyer = await turn.services.ledger.get_lawyer(c.lawyer_id)
        items = turn.t("staff.item_separator").join(
            turn.t("staff.item_code", code=i.key, clause=i.clause) for i in AWARDS)
        self.done(turn, "staff.decided_accepted", decided.notices, id=c.lawyer_id, name=lawyer.name,
                  text=c.text, year=c.year, quarter=c.quarter, items=items)

    async def reassign(self, turn: Turn, actor: Actor, arg: str) -> None:
        """Choose the lawyer a stalled question goes to."""
        question = _number(arg)
        found = await turn.services.consultations.get(question)
        if found is None or found.status != "claimed":  # only a claimed, unanswered question moves
            self.done(turn, "staff.nothing_pending")
            return
        active = [x for x in await lawyers.roster(turn.services, actor) if x.active and x.bound]
        options = [Option(turn.t("staff.lawyer_choice", name=x.name, firm=x.firm),
                          f"staff:reassign_to:{question}:{x.id}") for x in active]
        turn.say(turn.t("staff.choose_lawyer_for_question") if active else turn.t("staff.no_lawyers"),
                 [*options, turn.menu_option()])

    async def reassign_to(self, turn: Turn, actor: Actor, arg: str) -> None:
        question, _, lawyer_id = arg.partition(":")
        done = await consultations.reassign(turn.services, actor, _number(question), _number(lawyer_id), turn.now)
        self.done(turn, "staff.reassigned" if done.value else "staff.nothing_pending", done.notices)

    async def unclaimed(self, turn: Turn, actor: Actor, arg: str) -> None:
        waiting = await consultations.unclaimed(turn.services, actor, turn.now)
        if not waiting:
            self.done(turn, "staff.nothing_pending")
        for c in waiting:
            turn.say(question_reply(turn.t, c).text)
