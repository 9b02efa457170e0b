"""Answering what a message told (faq.extract): the rules of 3号 that fit this person, each matter
with its next step, and 查资格 / 预约上门 with the facts filled in for the questionnaire to confirm."""

from __future__ import annotations

from common.catalog import Catalog
from common.messages import Option, Payload
from faq.extract import MATTER_ENTRIES, Facts
from faq.kb import KnowledgeBase
from handlers.state import Told
from policy.county_status import CountyMeasures, CountyStatus
from policy.eligibility import Condition

# The three conditions 3号 二 waives the means test for, besides age, by the line that says so.
_WAIVER_LINES = {
    Condition.SERIOUS_ILLNESS: "told.serious_illness",
    Condition.DISABLED: "told.disabled",
    Condition.SEMI_DISABLED: "told.disabled",
    Condition.HARDSHIP: "told.hardship",
}
# Who need not prove their means (3号 二): offered to a person the waiver may fit.
MEANS_TEST_ENTRY = "means_test_exempt"


def told_of(facts: Facts) -> Told:
    return Told(asker=facts.asker, age=facts.age, county=facts.county,
                conditions=list(facts.conditions), matters=[m.value for m in facts.matters], dibao=facts.dibao)


def county_line(t: Catalog, measures: CountyMeasures | None) -> str:
    """Whether the 有条件的县 measures apply where this person lives: staff record it per county."""
    if measures is None:
        return t("told.county_unknown")
    county = measures.county.value
    if measures.status is CountyStatus.APPLIES:
        return t("told.county_applies", county=county, source=measures.source)
    if measures.status is CountyStatus.NOT_APPLIED:
        return t("told.county_not_applied", county=county)
    return t("told.county_unconfirmed", county=county)


def rule_lines(t: Catalog, facts: Facts, measures: CountyMeasures | None) -> list[str]:
    lines: list[str] = []
    if facts.age is not None:
        lines.append(t("told.age70" if facts.age >= 70 else "told.under70"))
    waivers = dict.fromkeys(_WAIVER_LINES[c] for c in facts.conditions if c in _WAIVER_LINES)
    if facts.age is None or facts.age < 70:
        lines += [t(i) for i in waivers]
    if lines and (facts.age is None or facts.age >= 70 or waivers):
        lines.append(county_line(t, measures))
    if facts.age is not None and facts.age >= 70 and (not facts.matters or "will" in facts.matters):
        lines.append(t("told.will_free" if facts.age >= 80 else "told.will_half"))
    if facts.home_visit_may_fit:
        lines.append(t("told.home_visit"))
    return lines


def render_told(
    t: Catalog, kb: KnowledgeBase, facts: Facts, measures: CountyMeasures | None
) -> tuple[str, tuple[Option, ...]]:
    """The reply to a message that describes a person or several matters, and its buttons."""
    who = t(f"told.who.{facts.relation.value}") if facts.relation else t("told.who.elder")
    header = t("told.header_age", who=who, age=facts.age) if facts.age is not None else t("told.header", who=who)
    parts = [header, *rule_lines(t, facts, measures)] if facts.about_person else []
    options: list[Option] = []
    if facts.matters:
        names = t("told.sep").join(t(f"told.matter.{m.value}") for m in facts.matters)
        parts.append(t("told.matters", matters=names))
        for entry_id in dict.fromkeys(MATTER_ENTRIES[m] for m in facts.matters):
            entry = kb.get(entry_id)
            if entry is not None:
                options.append(Option(entry.question, Payload("faq", "show", entry_id).encode()))
    if facts.about_person and (facts.age is not None and facts.age >= 70 or set(facts.conditions) & _WAIVER_LINES.keys()):
        entry = kb.get(MEANS_TEST_ENTRY)
        if entry is not None and not facts.matters:
            options.append(Option(entry.question, Payload("faq", "show", MEANS_TEST_ENTRY).encode()))
    parts.append(t("told.confirm"))
    options.append(Option(t("told.check"), Payload("elig", "start", "told").encode()))
    if facts.home_visit_may_fit:
        options.append(Option(t("told.book"), Payload("book", "start", "told").encode()))
    return "\n".join(parts), tuple(options)
