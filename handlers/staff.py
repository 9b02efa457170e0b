"""Centre staff in the bot: bookings (assign, visited, no-show, export), lawyers, points, praise,
corrections, unclaimed questions. Every action checks the staff allow-list (handlers.roles);
every read of someone's personal data is recorded in the access log.
"""

from __future__ import annotations

import shlex
from datetime import date, timedelta

from services.reports import REPORT_COLUMNS, bookings_file, points_report_file
from services.wording import day_label, window_label
from handlers.consult import new_question_reply
from common.messages import Document, Option, Reply
from handlers.roles import actor, as_staff
from handlers.turn import Flow, Turn
from policy.slots import lawyer_reminder_at
from storage.ledger import LedgerError, UnknownRecord

NAME = "staff"


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


class StaffFlow(Flow):
    name = NAME
    free_text_steps = frozenset({"reason"})
    commands = {
        "/bookings": "bookings", "/export": "export", "/lawyer_add": "lawyer_add", "/lawyers": "lawyers",
        "/points_add": "points_add", "/points_reverse": "points_reverse", "/praise": "praise",
        "/corrections": "corrections", "/report": "report", "/unclaimed": "unclaimed",
    }

    async def start(self, turn: Turn, arg: str = "") -> None:
        await self.on_button(turn, "bookings", "")

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if not as_staff(turn, f"staff:{action}"):
            return
        handler = getattr(self, f"do_{action}", None)
        if handler is None:
            await self.stale(turn)
            return
        try:
            await handler(turn, arg)
        except (LedgerError, UnknownRecord) as exc:
            turn.say(turn.t(exc.text_id, **getattr(exc, "fields", {})), (turn.menu_option(),))
        except (ValueError, IndexError):
            turn.say(turn.t("staff.usage"), (turn.menu_option(),))

    async def on_text(self, turn: Turn, text: str) -> None:
        if not as_staff(turn, f"staff:text:{turn.state.step}"):
            return
        if turn.state.step == "reason":
            await self.decide_with_reason(turn, text)
        else:
            await self.stale(turn)

    # --- bookings -------------------------------------------------------------------
    async def do_bookings(self, turn: Turn, arg: str) -> None:
        today = turn.now.astimezone(turn.services.settings.zone).date()
        day = _date(arg.strip()) or today
        bookings = await turn.services.bookings.list_for_date(day)
        if not bookings:
            turn.say(turn.t("staff.no_bookings", day=day_label(turn.t, day)), (turn.menu_option(),))
            return
        lines = [turn.t("staff.bookings_title", day=day_label(turn.t, day), count=len(bookings))]
        lines += [turn.t("staff.booking_line", ref=b.ref, window=window_label(turn.t, turn.services.settings.slot_rules, b.window), county=b.county,
                         status=turn.t(f"book.status.{b.status}")) for b in bookings]
        options = [Option(turn.t("staff.details_of", ref=b.ref), f"staff:booking:{b.ref}") for b in bookings]
        options += [Option(turn.t("staff.next_day"), f"staff:bookings:{day + timedelta(days=1)}"), turn.menu_option()]
        turn.say("\n".join(lines), options)

    async def do_booking(self, turn: Turn, ref: str) -> None:
        services = turn.services
        booking = await services.bookings.get(ref)
        if booking is None:
            await self.stale(turn)
            return
        await services.store.log_access(actor(turn), "booking.details", ref, turn.now)
        lawyer = await services.ledger.get_lawyer(booking.lawyer_id) if booking.lawyer_id else None
        turn.say(
            turn.t("staff.booking_details", ref=booking.ref, day=day_label(turn.t, booking.visit_date),
                   window=window_label(turn.t, turn.services.settings.slot_rules, booking.window), county=booking.county, township=booking.township,
                   address=booking.address, name=booking.elder_name, phone=booking.phone,
                   owner=turn.t(f"book.phone_{booking.phone_owner}"), access=booking.access_needs or turn.t("eq.none"),
                   matter=booking.matter, status=turn.t(f"book.status.{booking.status}"),
                   lawyer=lawyer.name if lawyer else turn.t("staff.no_lawyer")),
            (Option(turn.t("staff.assign"), f"staff:assign:{ref}"),
             Option(turn.t("staff.visited"), f"staff:visited:{ref}"),
             Option(turn.t("staff.no_show"), f"staff:noshow:{ref}"),
             turn.menu_option()),
        )

    async def do_assign(self, turn: Turn, ref: str) -> None:
        lawyers = [x for x in await turn.services.ledger.list_lawyers() if x.active]
        if not lawyers:
            turn.say(turn.t("staff.no_lawyers"), (turn.menu_option(),))
            return
        options = [Option(turn.t("staff.lawyer_choice", name=x.name, firm=x.firm), f"staff:assign_to:{ref}:{x.id}")
                   for x in lawyers]
        turn.say(turn.t("staff.choose_lawyer", ref=ref), [*options, turn.menu_option()])

    async def do_assign_to(self, turn: Turn, arg: str) -> None:
        ref, _, lawyer_id = arg.rpartition(":")
        services = turn.services
        booking = await services.bookings.get(ref)
        if booking is None or not lawyer_id.isdigit():
            await self.stale(turn)
            return
        outcome = await services.bookings.assign_lawyer(
            ref, int(lawyer_id), turn.now, lawyer_reminder_at(booking.visit_date, services.settings.zone))
        if outcome.status != "assigned":
            turn.say(turn.t("staff.not_done", status=outcome.status), (turn.menu_option(),))
            return
        lawyer = await services.ledger.get_lawyer(int(lawyer_id))
        if lawyer.bound:
            turn.notify(lawyer.channel, lawyer.user_id, Reply(turn.t(
                "lawyer.visit_assigned", ref=ref, day=day_label(turn.t, booking.visit_date),
                window=window_label(turn.t, turn.services.settings.slot_rules, booking.window), county=booking.county, township=booking.township,
                address=booking.address, name=booking.elder_name, phone=booking.phone,
                access=booking.access_needs or turn.t("eq.none"), matter=booking.matter)),
                dedupe_key=f"assigned:{ref}:{lawyer.id}")
        turn.say(turn.t("staff.assigned", ref=ref, name=lawyer.name), (turn.menu_option(),))

    async def do_visited(self, turn: Turn, ref: str) -> None:
        outcome = await turn.services.bookings.mark_visited(ref, actor(turn), turn.now)
        text_id = {"visited": "staff.marked_visited", "already_visited": "staff.already_marked",
                   "no_lawyer": "staff.assign_first", "not_yet": "staff.not_yet"}.get(outcome.status)
        if text_id is None:
            turn.say(turn.t("staff.not_done", status=outcome.status), (turn.menu_option(),))
        else:
            turn.say(turn.t(text_id, ref=ref), (turn.menu_option(),))

    async def do_noshow(self, turn: Turn, ref: str) -> None:
        outcome = await turn.services.bookings.mark_no_show(ref, actor(turn), turn.now)
        text_id = {"no_show": "staff.marked_no_show", "already_no_show": "staff.already_marked",
                   "not_yet": "staff.not_yet"}.get(outcome.status)
        turn.say(turn.t(text_id, ref=ref) if text_id else turn.t("staff.not_done", status=outcome.status),
                 (turn.menu_option(),))

    async def do_export(self, turn: Turn, arg: str) -> None:
        parts = arg.split()
        start, end = _date(parts[0]), _date(parts[1])
        if start is None or end is None:
            raise ValueError(arg)
        fmt = parts[2] if len(parts) > 2 and parts[2] in ("csv", "xlsx") else "xlsx"
        rows = await turn.services.bookings.export_rows(start, end)
        await turn.services.store.log_access(actor(turn), "bookings.export", f"{start}..{end}", turn.now)
        content = bookings_file(rows, fmt, turn.t)
        turn.say(turn.t("staff.export_ready", count=len(rows)),
                 document=Document(f"bookings-{start}-{end}.{fmt}", content))

    # --- lawyers and points ----------------------------------------------------------
    async def do_lawyer_add(self, turn: Turn, arg: str) -> None:
        name, firm = shlex.split(arg)[:2]
        lawyer, code = await turn.services.ledger.add_lawyer(name, firm, turn.now)
        turn.say(turn.t("staff.lawyer_added", name=lawyer.name, id=lawyer.id, code=code), (turn.menu_option(),))

    async def do_lawyers(self, turn: Turn, arg: str) -> None:
        lines = [turn.t("staff.lawyer_line", id=x.id, name=x.name, firm=x.firm,
                        duty=turn.t("staff.duty_on" if x.on_duty else "staff.duty_off"))
                 for x in await turn.services.ledger.list_lawyers()]
        turn.say("\n".join(lines) or turn.t("staff.no_lawyers"), (turn.menu_option(),))

    async def do_points_add(self, turn: Turn, arg: str) -> None:
        parts = shlex.split(arg)
        lawyer_id, item, day = int(parts[0]), parts[1], _date(parts[2])
        if day is None:
            raise ValueError(parts[2])
        rest = parts[3:]
        quantity = int(rest.pop(0)) if rest and rest[0].isdigit() else 1
        points = None
        if item == "other_award":
            points, quantity = quantity, 1
        entry = await turn.services.ledger.add_entry(
            lawyer_id, item, day, actor(turn), turn.now, note=" ".join(rest), points=points, quantity=quantity)
        turn.say(turn.t("staff.entry_added", id=entry.id, clause=entry.clause, points=f"{entry.points:+d}"),
                 (turn.menu_option(),))

    async def do_points_reverse(self, turn: Turn, arg: str) -> None:
        entry_id, _, note = arg.partition(" ")
        entry = await turn.services.ledger.reverse(int(entry_id), actor(turn), turn.now, note.strip())
        turn.say(turn.t("staff.entry_reversed", id=entry.id, original=entry.reverses_id,
                        points=f"{entry.points:+d}"), (turn.menu_option(),))

    async def do_report(self, turn: Turn, arg: str) -> None:
        parts = arg.split()
        today = turn.now.astimezone(turn.services.settings.zone).date()
        year = int(parts[0]) if parts and parts[0].isdigit() else today.year
        quarter = int(parts[1]) if len(parts) > 1 and parts[1] in "1234" else None
        fmt = next((p for p in parts if p in ("csv", "xlsx", "json")), "xlsx")
        headers = [turn.t(f"report.points.{c}") for c in REPORT_COLUMNS]
        filename, content, mime = await points_report_file(
            turn.services.ledger, year, quarter, fmt, headers,
            vetoed_mark=turn.t("report.points.vetoed_yes"), bands=turn.services.settings.bands)
        turn.say(turn.t("staff.report_ready", year=year), document=Document(filename, content, mime))

    async def do_praise(self, turn: Turn, arg: str) -> None:
        pending = await turn.services.ledger.list_pending()
        if not pending:
            turn.say(turn.t("staff.nothing_pending"), (turn.menu_option(),))
            return
        for item in pending[:10]:
            lawyer = await turn.services.ledger.get_lawyer(item.lawyer_id)
            turn.say(turn.t("staff.praise_item", id=item.id, name=lawyer.name, source=item.source_id),
                     (Option(turn.t("staff.confirm"), f"staff:praise_ok:{item.id}"),
                      Option(turn.t("staff.reject"), f"staff:praise_no:{item.id}")))

    async def do_praise_ok(self, turn: Turn, arg: str) -> None:
        entry = await turn.services.ledger.confirm_pending(int(arg), actor(turn), turn.now)
        turn.say(turn.t("staff.entry_added", id=entry.id, clause=entry.clause, points=f"{entry.points:+d}"),
                 (turn.menu_option(),))

    async def do_praise_no(self, turn: Turn, arg: str) -> None:
        self.ask_reason(turn, "praise", arg)

    async def do_corrections(self, turn: Turn, arg: str) -> None:
        pending = await turn.services.ledger.list_corrections("pending")
        if not pending:
            turn.say(turn.t("staff.nothing_pending"), (turn.menu_option(),))
            return
        for item in pending[:10]:
            lawyer = await turn.services.ledger.get_lawyer(item.lawyer_id)
            turn.say(turn.t("staff.correction_item", id=item.id, name=lawyer.name, year=item.year,
                            quarter=item.quarter, text=item.text),
                     (Option(turn.t("staff.accept"), f"staff:corr_ok:{item.id}"),
                      Option(turn.t("staff.reject"), f"staff:corr_no:{item.id}")))

    async def do_corr_ok(self, turn: Turn, arg: str) -> None:
        self.ask_reason(turn, "accept", arg)

    async def do_corr_no(self, turn: Turn, arg: str) -> None:
        self.ask_reason(turn, "reject", arg)

    def ask_reason(self, turn: Turn, decision: str, record_id: str) -> None:
        turn.state.flow, turn.state.step = NAME, "reason"
        turn.state.data[NAME] = {"decision": decision, "id": int(record_id)}
        turn.say(turn.t("staff.reason_prompt"), (turn.menu_option(),))

    async def decide_with_reason(self, turn: Turn, reason: str) -> None:
        data = turn.state.data.pop(NAME, {})
        turn.state.reset()
        ledger = turn.services.ledger
        try:
            if data.get("decision") == "praise":
                await ledger.reject_pending(data["id"], actor(turn), reason, turn.now)
            else:
                correction = await ledger.decide_correction(
                    data["id"], data.get("decision") == "accept", reason, actor(turn), turn.now)
                lawyer = await ledger.get_lawyer(correction.lawyer_id)
                if lawyer is not None and lawyer.bound:
                    turn.notify(lawyer.channel, lawyer.user_id, Reply(turn.t(
                        "lawyer.correction_decided", year=correction.year, quarter=correction.quarter,
                        decision=turn.t(f"staff.decision.{correction.status}"), reason=reason)),
                        dedupe_key=f"correction-decided:{correction.id}")
        except (LedgerError, UnknownRecord) as exc:
            turn.say(turn.t(exc.text_id, **getattr(exc, "fields", {})), (turn.menu_option(),))
            return
        turn.say(turn.t("staff.decided"), (turn.menu_option(),))

    async def do_unclaimed(self, turn: Turn, arg: str) -> None:
        services = turn.services
        waiting = await services.consultations.unclaimed(turn.now, turn.now)
        if not waiting:
            turn.say(turn.t("staff.nothing_pending"), (turn.menu_option(),))
            return
        for c in waiting[:10]:
            await services.store.log_access(actor(turn), "consultation.read", c.ref, turn.now)
            reply = new_question_reply(turn, c.id, c.ref, c.question)
            turn.say(reply.text)
