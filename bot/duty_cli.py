"""`legalaid duty list|add|remove`: the 值班表 (online duty on non-working days) from the command line."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from common.config import Settings
from policy.ledger import LedgerError, UnknownRecord
from services import duty
from services.actor import Actor
from services.context import Services


def add_parsers(sub: argparse._SubParsersAction) -> None:
    from bot.staff_cli import OneLineParser

    roster = sub.add_parser("duty", help="the duty roster of non-working days (值班表)")
    commands = roster.add_subparsers(dest="sub", required=True, parser_class=OneLineParser)
    listing = commands.add_parser("list", help="the coming non-working days and who is on duty")
    listing.add_argument("--weeks", type=int, default=duty.ROSTER_WEEKS)
    for name, help_line in (("add", "put a lawyer on duty for a non-working day"),
                            ("remove", "take a lawyer off a day that has not started")):
        change = commands.add_parser(name, help=help_line)
        change.add_argument("day", type=date.fromisoformat, metavar="DATE", help="YYYY-MM-DD")
        change.add_argument("lawyer", type=int, metavar="LAWYER_ID", help="legalaid lawyers list")
        change.add_argument("--by", default="staff", help="who makes the change (audit)")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.staff_cli import open_services

    async with open_services(settings) as services:
        try:
            return await _run(args, services)
        except (LedgerError, UnknownRecord) as exc:
            print(services.texts(exc.text_id, **exc.fields), file=sys.stderr)
            return 2


async def _run(args: argparse.Namespace, services: Services) -> int:
    now = services.clock()
    actor = Actor.staff(f"cli:{getattr(args, 'by', None) or 'staff'}")
    if args.sub == "list":
        if args.weeks < 1:
            print("duty list: --weeks must be 1 or more", file=sys.stderr)
            return 2
        for day in await duty.roster(services, actor, services.today(now), args.weeks):
            who = ", ".join(f"{e.name} ({e.lawyer_id})" + ("" if e.active and e.bound else " unreachable")
                            for e in day.entries)
            print(f"{day.day.isoformat()}  {day.holiday or '':4s}  {who or '-- nobody --'}")
        return 0
    change = duty.add if args.sub == "add" else duty.remove
    done = await change(services, actor, args.day, args.lawyer, now)
    for notice in done.notices:
        await services.store.enqueue(notice, now)
    verb = "added to" if args.sub == "add" else "removed from"
    print(f"lawyer {args.lawyer} {verb} {args.day.isoformat()}" if done.value else "no change")
    return 0
