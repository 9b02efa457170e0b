"""`legalaid calendar`: what 日历与名额 does in the console, from the command line, over the same
service functions (services/calendar_admin.py), so the change is kept with who and when, the
process that made it takes it at once and the others within a minute.

    legalaid calendar list [--county X] [--days N]       places, closed days, the holiday notice entered
    legalaid calendar close DATE [--county X] [--half am|pm] --reason R
    legalaid calendar reopen DATE [--county X] [--half am|pm]
    legalaid calendar places COUNTY am|pm N
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta

from bot.staff_cli import OneLineParser, open_services
from common.config import Settings
from policy.eligibility import County
from policy.ledger import LedgerError
from services import calendar_admin
from services.actor import Actor
from services.context import Services
from storage.calendar_admin import ALL, Closure

COUNTIES = [c.value for c in County]
HALVES = ("am", "pm")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    calendar = sub.add_parser("calendar",
                              help="home-visit places per county and half-day, and days closed (日历与名额)")
    commands = calendar.add_subparsers(dest="sub", required=True, parser_class=OneLineParser)
    listing = commands.add_parser("list", help="places, closed days and the holiday notice entered")
    listing.add_argument("--county", choices=COUNTIES, help="one county (closures of every county are shown too)")
    listing.add_argument("--days", type=_days, default=60, help="closed days this many days ahead (default 60)")
    for name, text in (("close", "close a day (or one half-day) to visits, in every county or one"),
                       ("reopen", "reopen a closed day")):
        one = commands.add_parser(name, help=text)
        one.add_argument("day", type=date.fromisoformat, metavar="DATE", help="YYYY-MM-DD")
        one.add_argument("--county", choices=COUNTIES, help="one county (default: every county)")
        one.add_argument("--half", choices=HALVES, help="one half-day (default: the whole day)")
        one.add_argument("--by", help="who makes the change (recorded as cli:NAME)")
        if name == "close":
            one.add_argument("--reason", required=True, help="培训, 台风 … (shown with the closed day)")
    places = commands.add_parser("places", help="the places of one county and half-day (0: not offered there)")
    places.add_argument("county", choices=COUNTIES, metavar="COUNTY")
    places.add_argument("half", choices=HALVES, metavar="HALF")
    places.add_argument("places", type=int, metavar="N")
    places.add_argument("--by", help="who makes the change (recorded as cli:NAME)")


def _days(text: str) -> int:
    value = int(text)
    if not 0 < value <= 3660:
        raise argparse.ArgumentTypeError(f"days must be 1..3660, got {value}")
    return value


async def run(args: argparse.Namespace, settings: Settings) -> int:
    async with open_services(settings) as services:
        try:
            return await _run(args, services)
        except LedgerError as exc:
            print(f"legalaid calendar {args.sub}: {services.texts(exc.text_id, **exc.fields)}", file=sys.stderr)
            return 2
        except ValueError as exc:  # a past day, places out of range, nothing closed to reopen
            print(f"legalaid calendar {args.sub}: {exc}", file=sys.stderr)
            return 2


async def _run(args: argparse.Namespace, services: Services) -> int:
    actor = Actor.staff(f"cli:{getattr(args, 'by', None) or 'staff'}")
    now = services.clock()
    today = services.today(now)
    county = County(args.county) if args.county else None
    if args.sub == "list":
        await _list(services, actor, today, county, args.days)
    elif args.sub == "close":
        affected = await calendar_admin.close_day(services, actor, args.day, county, args.half, args.reason, now)
        print(f"closed: {_where(affected.closure)}")
        for booking in affected.bookings:
            print(f"  still booked: {booking.ref} {booking.county} {booking.window}: move or cancel it on 预约")
    elif args.sub == "reopen":
        wanted = (args.day, county.value if county else ALL, args.half or ALL)
        page = await calendar_admin.page(services, actor, today)
        found = [a.closure for a in page.closed if (a.closure.day, a.closure.county, a.closure.window) == wanted]
        if not found:
            raise ValueError(f"{args.day} {_place(wanted[1], wanted[2])} is not closed (legalaid calendar list)")
        for closure in found:
            await calendar_admin.reopen(services, actor, closure.id, now)
            print(f"reopened: {_where(closure)}")
    else:
        await calendar_admin.set_places(services, actor, County(args.county), args.half, args.places, now)
        print(f"places: {args.county} {args.half} {args.places}")
    return 0


async def _list(services: Services, actor: Actor, today: date, county: County | None, days: int) -> None:
    page = await calendar_admin.page(services, actor, today)
    print(f"places (default {page.default}):")
    for name in [county.value] if county else COUNTIES:
        print(f"  {name}  " + "  ".join(f"{w} {page.places.get((name, w), page.default)}" for w in page.windows))
    until, zone = today + timedelta(days=days), services.settings.zone
    closed = [a for a in page.closed
              if a.closure.day <= until and (county is None or a.closure.county in (ALL, county.value))]
    print(f"closed days to {until}:" + ("" if closed else " none"))
    for affected in closed:
        c = affected.closure
        booked = [b.ref for b in affected.bookings if county is None or b.county == county.value]
        print(f"  {_where(c)}  ({c.closed_by}, {c.closed_at.astimezone(zone):%Y-%m-%d %H:%M})"
              + (f"  still booked: {' '.join(booked)}" if booked else ""))
    for year, entered in page.entered.items():
        marks = " ".join(f"{d.day:%m-%d} {'workday' if d.worked else 'holiday'}" for d in entered)
        state = "provisional" if year in page.unconfirmed else "known"
        print(f"holiday notice {year} ({state}): {marks or 'nothing entered'}")


def _place(county: str, window: str) -> str:
    return f"{county or 'every county'} {window or 'whole day'}"


def _where(closure: Closure) -> str:
    return f"{closure.day} {_place(closure.county, closure.window)}: {closure.reason}"
