"""Staff commands of the `legalaid` CLI: lawyers, the points ledger, booking exports."""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import NoReturn

from common.config import Settings
from common.exports import FORMATS, write_private
from services import calendar_admin, lawyers, misses, points, visits
from services.actor import Actor
from services.context import Services
from services.reports import STATEMENT_COLUMNS
from storage.db import database_for
from storage.ledger import LedgerError, UnknownRecord


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments to a staff command: one line on stderr and exit status 2, no usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def _commands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    return parser.add_subparsers(dest="sub", required=True, parser_class=OneLineParser)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    lawyers = _commands(sub.add_parser("lawyers", help="register and list lawyers"))
    add = lawyers.add_parser("add", help="register a lawyer; prints the one-time code for /register CODE")
    add.add_argument("--name", required=True)
    add.add_argument("--firm", required=True)
    lawyers.add_parser("list", help="registered lawyers")

    points = _commands(sub.add_parser("points", help="the points ledger (衢市司发〔2020〕4号)"))
    entry = points.add_parser("add", help="enter an item of 二(一), 二(二) or 二(三) for a lawyer")
    entry.add_argument("--lawyer", type=int, required=True, help="lawyer id (legalaid lawyers list)")
    entry.add_argument("--item", required=True, help="item key, e.g. duty_day, late_archive (see policy/points.py)")
    entry.add_argument("--on", type=date.fromisoformat, required=True, help="YYYY-MM-DD the item happened")
    entry.add_argument("--by", required=True, help="who enters it (audit)")
    entry.add_argument("--note", default="")
    entry.add_argument("--quantity", type=int, default=1)
    entry.add_argument("--points", type=int, help="only for 二(一)12, decided case by case")
    entry.add_argument("--people", type=int,
                       help="a group case (--item case): the number of people; 二(一)1 counts it as 2 or 3 cases")
    rev = points.add_parser("reverse", help="reverse an entry with a counter-entry")
    rev.add_argument("entry", type=int)
    rev.add_argument("--by", required=True)
    rev.add_argument("--note", required=True)
    report = points.add_parser("report", help="ranking of the year or a quarter (二(五))")
    report.add_argument("--year", type=int, required=True)
    report.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])
    report.add_argument("--format", choices=FORMATS, default="csv")
    report.add_argument("--output", type=Path, help="file to write (default: standard output)")
    statement = points.add_parser("statement", help="one lawyer's items and total")
    statement.add_argument("--lawyer", type=int, required=True)
    statement.add_argument("--year", type=int, required=True)
    statement.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])

    bookings = _commands(sub.add_parser("bookings", help="home-visit bookings"))
    export = bookings.add_parser("export", help="bookings in a date range as a file for Excel")
    export.add_argument("--from", dest="date_from", type=date.fromisoformat, required=True)
    export.add_argument("--to", dest="date_to", type=date.fromisoformat, required=True)
    export.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    export.add_argument("--output", type=Path)


@asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[Services]:
    """The service layer over the database, without the knowledge base a chat needs."""
    db = database_for(settings.database)
    await db.open()
    try:
        services = Services.over(db, settings)
        await calendar_admin.refresh(services)  # the holidays staff entered on 日历与名额 (二(一)9's days)
        yield services
    finally:
        await db.close()


async def run(args: argparse.Namespace, settings: Settings) -> int:
    async with open_services(settings) as services:
        try:
            return await _run(args, services)
        except (LedgerError, UnknownRecord) as exc:
            t = services.texts
            print(t(exc.text_id, **exc.fields) if exc.text_id in t else str(exc), file=sys.stderr)
            return 2


async def faq_misses(args: argparse.Namespace, settings: Settings) -> int:
    async with open_services(settings) as services:
        since = datetime.combine(args.since, time.min, settings.zone) if args.since else None
        rows = await misses.misses(services, Actor.staff("cli"), since, args.limit)
    for row in rows:
        print(f"{row.count:4d}  {row.kind:8s}  {row.question}  → {', '.join(row.best_ids)}")
    if not rows:
        print("no misses")
    return 0


async def faq_check(args: argparse.Namespace, settings: Settings) -> int:
    """The files, with the staff revisions on top when there is a database to read them from."""
    kb, revisions = await _knowledge(settings)
    phrasings = sum(len(e.phrasings) for e in kb.entries)
    print(f"ok: {len(kb)} entries, {phrasings} phrasings" + (f", {revisions} staff revisions" if revisions else ""))
    return 0


async def faq_export(args: argparse.Namespace, settings: Settings) -> int:
    from faq.export import export

    kb, revisions = await _knowledge(settings)
    for path in export(kb, args.dir, settings.faq_dir):
        print(f"written: {path}")
    print(f"{len(kb)} entries ({revisions} changed by staff); commit them to keep the edits in the repository")
    return 0


async def _knowledge(settings: Settings):
    """The knowledge base in use and how many entries staff revised; the files alone when no
    database is configured (none at LEGALAID_DATABASE_URL, no SQLite file): nothing is created."""
    from faq.kb import read_files, validate
    from services import knowledge

    base = read_files(settings.faq_dir)
    if settings.database_url is None and not settings.db_path.exists():
        return validate(base), 0
    async with open_services(settings) as services:
        revisions = await services.revisions.latest()
    return knowledge.merged(base, revisions), len(revisions)


async def _run(args: argparse.Namespace, services: Services) -> int:
    now, t = services.clock(), services.texts
    actor = Actor.staff(f"cli:{getattr(args, 'by', None) or 'staff'}")
    if args.command == "lawyers":
        if args.sub == "add":
            lawyer, code = await lawyers.add_lawyer(services, actor, args.name, args.firm, now)
            print(f"lawyer {lawyer.id}: {lawyer.name} ({lawyer.firm}); one-time code: {code}")
            print(f"the lawyer sends /register {code} to the bot within 7 days")
            print("the points scheme covers lawyers registered at 市本级 only (衢市司发〔2020〕4号 一(一))")
        else:
            for lawyer in await lawyers.roster(services, actor):
                bound = "bound" if lawyer.bound else "not bound"
                duty = "on duty" if lawyer.on_duty else "off duty"
                print(f"{lawyer.id:4d}  {lawyer.name}  {lawyer.firm}  {bound}, {duty}")
        return 0
    if args.command == "points":
        if args.sub == "add":
            entry = await points.add_entry(services, actor, args.lawyer, args.item, args.on, now, note=args.note,
                                           points=args.points, quantity=args.quantity, people=args.people)
            print(f"entry {entry.id}: {entry.clause} ×{entry.quantity} {entry.points:+d}")
        elif args.sub == "reverse":
            entry = await points.reverse(services, actor, args.entry, args.note, now)
            print(f"entry {entry.id} reverses {entry.reverses_id}: {entry.points:+d}")
        elif args.sub == "report":
            _write((await points.report(services, actor, args.year, args.quarter, args.format)).content, args.output)
        else:
            statement = await points.statement(services, actor, args.lawyer, args.year, args.quarter)
            print("\t".join(t(f"statement.points.{c}") for c in STATEMENT_COLUMNS))
            for line in statement.items:
                note = line.note or (t("statement.points.reversal", entry_id=line.reverses_id) if line.reverses_id else "")
                row = [line.occurred_on.isoformat(), line.clause, line.title, line.quantity, line.points, note]
                print("\t".join(str(c) for c in row))
            print(f"{t('statement.points.total')}\t{statement.total}")
        return 0
    if args.command == "bookings":
        export = await visits.export(services, actor, args.date_from, args.date_to, args.format, now)
        _write(export.document.content, args.output)
        return 0
    raise ValueError(args.command)


def _write(content: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        write_private(output, content)
        print(f"written: {output}", file=sys.stderr)
