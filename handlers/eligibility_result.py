"""What the opinion gives one person, as they read it: at most six short lines with one reason each,
then, behind a button, the reasons with their sources, the services and what would change it."""

from __future__ import annotations

from collections.abc import Callable

from policy.county_status import CountyMeasures
from policy.eligibility import AID_EXTENSION_AGE, Assessment, Finding, Verdict

Texts = Callable[..., str]

# The short reason a headline gives, by the finding that grounds it (the first the policy lists).
MEANS_REASON = {"means_ground_hardship": "eq.reason.hardship", "means_ground_disabled": "eq.reason.disabled",
                "means_ground_semi_disabled": "eq.reason.semi_disabled", "means_ground_age70": "eq.reason.age70",
                "means_ground_serious_illness": "eq.reason.serious_illness"}
VISIT_REASON = {"home_visit_age80": "eq.reason.age80", "home_visit_serious_illness": "eq.reason.ill",
                "home_visit_mobility": "eq.reason.mobility", "home_visit_disabled": "eq.reason.disabled_either"}
WILL_HEAD = {"will_fee_free_age80": "eq.head.will_free", "will_fee_half_age70": "eq.head.will_half",
             "will_fee_full_under70": "eq.head.will_full", "will_fee_full_not_first": "eq.head.will_not_first"}
MEANS_HEAD = {Verdict.YES: "eq.head.means_yes", Verdict.TO_CONFIRM: "eq.head.means_to_confirm"}
SCOPE_HEAD = {Verdict.YES: "eq.head.scope_yes", Verdict.TO_CONFIRM: "eq.head.scope_to_confirm"}


def finding_values(t: Texts, who: str, measures: CountyMeasures | None) -> dict[str, str]:
    """The placeholders of every elig.* sentence."""
    since = t("eq.since", day=measures.since.isoformat()) if measures and measures.since else ""
    return {"who": who, "county": measures.county.value if measures else t("eq.your_county"),
            "since": since, "source": (measures.source if measures else "") or "-"}


def headline(t: Texts, a: Assessment, values: dict[str, str], unsure: tuple[str, ...] = ()) -> str:
    """`unsure`: text ids of ❓ lines the rules cannot settle (低保, which 3号 二 does not name)."""
    if not a.older_person:
        return "\n".join((t("eq.head.not_older", **values), t("eq.final_decision")))
    means = _first(a.reasons, MEANS_REASON)
    visit = _first(a.reasons, VISIT_REASON)
    lines = [
        _verdict_line(t, a.means_test_exempt, MEANS_HEAD, "eq.head.means_no_county" if means else "eq.head.means_no",
                      values, means),
        _verdict_line(t, a.scope_unrestricted, SCOPE_HEAD,
                      "eq.head.scope_no_county" if a.age >= AID_EXTENSION_AGE else "eq.head.scope_no", values),
        t(next(WILL_HEAD[f.code] for f in a.reasons if f.code in WILL_HEAD)),
        t("eq.head.visit_yes", reason=t(visit)) if visit else t("eq.head.visit_no"),
    ]
    lines += [t(text_id) for text_id in unsure]
    confirm = Verdict.TO_CONFIRM in (a.means_test_exempt, a.scope_unrestricted) or bool(unsure)
    lines.append(t("eq.to_confirm" if confirm else "eq.final_decision"))
    return "\n".join(lines)


def details(t: Texts, a: Assessment, values: dict[str, str]) -> str:
    def block(title_id: str, findings: tuple[Finding, ...]) -> list[str]:
        rows = [t("eq.finding_line", text=t(f"elig.{f.code}", **values), source=f.source) for f in findings]
        return [t(title_id), *rows] if rows else []

    return "\n".join(block("eq.why", a.reasons) + block("eq.services", a.services) + block("eq.changes", a.changes))


def _first(findings: tuple[Finding, ...], reasons: dict[str, str]) -> str | None:
    return next((reasons[f.code] for f in findings if f.code in reasons), None)


def _verdict_line(t: Texts, verdict: Verdict, heads: dict[Verdict, str], no: str, values: dict[str, str],
                  reason: str | None = None) -> str:
    return t(heads.get(verdict, no), **values, reason=t(reason) if reason else "")
