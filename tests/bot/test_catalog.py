"""The text catalog: every id the code asks for exists, and no text is left unused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from common.catalog import Catalog, CatalogError, load_catalog
from services.reports import BOOKING_COLUMNS, REPORT_COLUMNS, STATEMENT_COLUMNS
from faq.extract import Matter, Relation
from faq.kb import FOLLOW_UPS
from handlers.booking import ACCESS_NEEDS, BookingFlow
from policy.eligibility import Condition, NotaryFee
from storage.bookings import Change
from storage.consultations import Status
from storage.users import WebRole
from bot.web import accounts as web_accounts, calendar as web_calendar, mine, points as web_points, questions
from services.calendar_admin import DAY_KINDS

ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = ("bot", "handlers", "faq", "storage", "services", "common", "policy")
# Any string literal shaped like a catalog id ("namespace.name") in a namespace the catalog has.
LITERAL = re.compile(r"[\"']([a-z]+(?:\.[a-z0-9_-]+)+)[\"']")

# Ids built at run time, by family.
DYNAMIC = (
    {f"faq.follow_up.{key}" for key in FOLLOW_UPS}
    | {f"eq.cond.{c.value}" for c in Condition}
    | {f"told.matter.{m.value}" for m in Matter}
    | {f"told.who.{r.value}" for r in Relation}
    | {f"eq.edit.{s}" for s in ("asker", "age", "county", "conditions", "will")}
    | {f"eq.age_{e}" for e in ("unreadable", "future", "too_old")}
    | {f"eq.will_{a}" for a in ("yes", "no", "unknown")}
    | {f"eq.head.will_{fee.value}" for fee in NotaryFee}
    | {f"ledger.error.unknown_{kind}" for kind in ("lawyer", "entry", "correction")}
    | {f"report.points.{c}" for c in REPORT_COLUMNS}
    | {f"statement.points.{c}" for c in STATEMENT_COLUMNS}
    | {f"report.bookings.{c}" for c in BOOKING_COLUMNS}
    | {f"book.access.{need}" for need in ACCESS_NEEDS}
    | {f"book.edit.{field}" for field in BookingFlow.editable}
    | {f"book.weekday.{n}" for n in range(7)}
    | {f"book.window_name.{key}" for key in ("am", "pm")}
    | {f"book.status.{s}" for s in ("active", "cancelled", "visited", "no_show")}
    | {f"book.phone_{owner}" for owner in ("self", "family")}
    | {f"staff.decision.{d}" for d in ("accepted", "rejected")}
    | {f"staff.change.{c}" for c in Change}
    # The web console's families (bot/web/templates build these ids from a status or a result).
    | {f"web.q.status.{s}" for s in Status}
    | {f"web.mine.status.{s}" for s in (Status.CLAIMED, Status.ANSWERED)}
    | {f"web.q.result.{r}" for r in questions.RESULTS}
    | {f"web.mine.result.{r}" for r in mine.RESULTS}
    | {f"web.points.result.{r}" for r in web_points.RESULTS}
    | {f"web.accounts.result.{r}" for r in web_accounts.RESULTS}
    | {f"web.accounts.role_{r}" for r in WebRole}
    | {f"web.knowledge.kind_{k}" for k in ("clarify", "fallback")}
    | {f"web.calendar.result.{r}" for r in web_calendar.RESULTS}
    | {f"web.calendar.change.{c}" for c in web_calendar.CHANGES}
    | {f"web.calendar.kind.{k}" for k in DAY_KINDS}
)


def literal_ids() -> set[str]:
    namespaces = {key.split(".", 1)[0] for key in load_catalog().keys()}
    found: set[str] = set()
    for folder in CODE_DIRS:
        for path in [*(ROOT / folder).rglob("*.py"), *(ROOT / folder).rglob("*.html")]:
            for match in LITERAL.finditer(path.read_text(encoding="utf-8")):
                # A prefix a template completes ('book.phone_' ~ owner) is not an id.
                if match.group(1).split(".", 1)[0] in namespaces and not match.group(1).endswith("_"):
                    found.add(match.group(1))
    return found


def test_every_id_the_code_uses_is_in_the_catalog():
    catalog = load_catalog()
    missing = sorted(i for i in literal_ids() | DYNAMIC if i not in catalog)
    assert not missing


def test_every_text_in_the_catalog_is_used():
    catalog = load_catalog()
    used = literal_ids() | DYNAMIC
    used |= {f"{key}_numbered" for key in used}  # read in its place where options are numbered lines
    unused = sorted(k for k in catalog.keys() if k not in used and not k.startswith("elig."))
    assert not unused


def test_a_numbered_wording_stands_in_for_a_text_with_the_same_placeholders():
    catalog = load_catalog()
    variants = [key for key in catalog.keys() if key.endswith("_numbered")]
    assert "menu.title_numbered" in variants
    for key in variants:
        base = key.removesuffix("_numbered")
        assert base in catalog, key
        assert catalog.fields(key) == catalog.fields(base), key
        assert not re.search("按钮|点(下面|一|“|好|完)", catalog(key, **dict.fromkeys(catalog.fields(key), ""))), key
        assert catalog.numbered()(base, **dict.fromkeys(catalog.fields(key), "x")) == catalog(key, **dict.fromkeys(catalog.fields(key), "x"))


def test_a_broken_placeholder_is_rejected_at_load():
    with pytest.raises(CatalogError, match="menu.title"):
        Catalog({"menu.title": "您好{"})


def test_an_empty_text_is_rejected_at_load():
    with pytest.raises(CatalogError, match="menu.title"):
        Catalog({"menu.title": "  "})


def test_user_facing_chinese_stays_out_of_the_flows():
    """Chinese in handlers/ is only in comments, docstrings and input-matching word lists."""
    allowed = re.compile(r"^\s*(#|\"\"\"|[A-Z_]+ = |commands = |r?\"[^\"]*\",?$)")
    offenders = []
    for path in (ROOT / "handlers").rglob("*.py"):
        in_doc = False
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip().startswith('"""') and not (line.strip().endswith('"""') and len(line.strip()) > 3):
                in_doc = not in_doc
                continue
            code = line.split("#", 1)[0]
            if in_doc or not re.search(r"[\u4e00-\u9fff]", code) or allowed.match(line):
                continue
            if re.search(r"re\.search\(|WORDS|\(\"[\u4e00-\u9fff]", code):
                continue  # patterns that read what people type
            offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert not offenders
