"""`legalaid check` (what the opinion gives one person) and `legalaid counties list|set` (which counties
apply the 有条件 measures of 衢市司发〔2020〕3号 二, as staff record them)."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import date, datetime

from bot.usage import UsageError
from common.catalog import Catalog, load_catalog
from common.config import Settings
from handlers.eligibility_result import details, finding_values, headline
from policy.age import AgeError, age_on
from policy.county_status import County, CountyMeasures, CountyStatus
from policy.eligibility import Condition, Facts, assess
from storage.counties import CountyStore
from storage.db import database_for

COUNTY_NAMES = [c.value for c in County]
STATUS_TEXT = {CountyStatus.APPLIES: "counties.applies", CountyStatus.NOT_APPLIED: "counties.not_applied",
               CountyStatus.UNCONFIRMED: "counties.unconfirmed"}


def add_parsers(sub: argparse._SubParsersAction) -> None:
    check = sub.add_parser("check", help="what the elderly legal-aid opinion gives one person")
    when = check.add_mutually_exclusive_group(required=True)
    when.add_argument("--age", type=int, help="age in whole years (周岁)")
    when.add_argument("--birth-date", type=date.fromisoformat, help="YYYY-MM-DD")
    check.add_argument("--on", type=date.fromisoformat, help="date of the question, YYYY-MM-DD (default today)")
    check.add_argument("--county", choices=COUNTY_NAMES, metavar="COUNTY", help=", ".join(COUNTY_NAMES))
    check.add_argument("--condition", action="append", default=[], choices=[c.value for c in Condition])
    check.add_argument("--will-notarised-before", action="store_true")
    check.add_argument("--json", action="store_true", help="print one JSON object")

    counties = sub.add_parser("counties", help="which counties apply the 有条件 measures of 3号 二")
    counties_sub = counties.add_subparsers(dest="sub", required=True)
    counties_sub.add_parser("list", help="every county and what staff recorded")
    record = counties_sub.add_parser("set", help="record a county's status")
    record.add_argument("--county", required=True, choices=COUNTY_NAMES, metavar="COUNTY", help=", ".join(COUNTY_NAMES))
    record.add_argument("--status", required=True, choices=[s.value for s in CountyStatus])
    record.add_argument("--since", type=date.fromisoformat, help="YYYY-MM-DD the county began (or stopped)")
    record.add_argument("--source", required=True, help="where this comes from, e.g. the county's notice")
    record.add_argument("--by", required=True, help="who records it (audit)")


def check(args: argparse.Namespace, settings: Settings) -> int:
    if args.on is not None and args.birth_date is None:
        raise UsageError("--on goes with --birth-date")
    try:
        if args.birth_date is not None:
            age = age_on(args.birth_date, args.on or datetime.now(settings.zone).date())
        else:
            age = args.age
        facts = Facts(age=age, county=County(args.county) if args.county else None,
                      conditions=frozenset(args.condition), will_notarised_before=args.will_notarised_before)
        measures = asyncio.run(_recorded(settings, facts.county))
        result = assess(facts, measures.status if measures else CountyStatus.UNCONFIRMED)
    except AgeError as exc:
        raise UsageError(str(exc)) from None
    t = load_catalog()
    values = finding_values(t, t("eq.who_self"), measures)

    def lines(findings):
        return [{"text": t(f"elig.{f.code}", **values), "source": f.source} for f in findings]

    if args.json:
        print(json.dumps({
            "age": result.age,
            "older_person": result.older_person,
            "means_test_exempt": result.means_test_exempt.value,
            "scope_unrestricted": result.scope_unrestricted.value,
            "county_status": measures.status.value if measures else CountyStatus.UNCONFIRMED.value,
            "will_notary_fee": result.will_notary_fee.value,
            "home_visit": result.home_visit,
            "summary": headline(t, result, values).splitlines(),
            "reasons": lines(result.reasons),
            "services": lines(result.services),
            "changes": lines(result.changes),
        }, ensure_ascii=False))
    else:
        print(headline(t, result, values))
        print(details(t, result, values))
    return 0


async def _recorded(settings: Settings, county: County | None) -> CountyMeasures | None:
    """What staff recorded for `county`; with no database yet, nothing is recorded."""
    if county is None:
        return None
    if settings.database_url is None and not settings.db_path.exists():
        return CountyMeasures(county)
    db = database_for(settings.database)
    await db.open()
    try:
        return await CountyStore(db).get(county)
    finally:
        await db.close()


async def counties(args: argparse.Namespace, settings: Settings) -> int:
    t = load_catalog()
    db = database_for(settings.database)
    await db.open()
    try:
        store = CountyStore(db)
        if args.sub == "list":
            for measures in (await store.all()).values():
                print(_line(t, measures))
            return 0
        if not args.source.strip():
            raise UsageError("--source must say where the status comes from")
        measures = await store.set(County(args.county), CountyStatus(args.status), args.since, args.source,
                                   f"cli:{args.by}", datetime.now(settings.zone))
        print(t("counties.saved", by=args.by, line=_line(t, measures)))
        return 0
    finally:
        await db.close()


def _line(t: Catalog, measures: CountyMeasures) -> str:
    since = t("eq.since", day=measures.since.isoformat()) if measures.since else ""
    return t("counties.line", county=measures.county.value, status=t(STATUS_TEXT[measures.status]), since=since,
             source=measures.source).rstrip()
