"""What the opinion gives one person, as they read it: short headlines, then reasons with sources."""

from __future__ import annotations

from handlers.turn import Turn
from policy.eligibility import Assessment


def render_result(turn: Turn, a: Assessment, who_text: str) -> tuple[str, str]:
    """Short headline lines, then the reasons with sources, services and what would change it."""
    t = turn.t
    if not a.older_person:
        lines = [t("eq.head.not_older", who=who_text)]
    else:
        lines = [
            t("eq.head.means_yes" if a.means_test_exempt else "eq.head.means_no"),
            t("eq.head.scope_yes" if a.scope_unrestricted else "eq.head.scope_no"),
            t(f"eq.head.will_{a.will_notary_fee.value}"),
            t("eq.head.visit_yes" if a.home_visit else "eq.head.visit_no"),
        ]
    lines.append(t("eq.final_decision"))
    headline = "\n".join(lines)

    def block(title_id: str, findings) -> list[str]:
        if not findings:
            return []
        rows = [t(title_id)]
        rows += [t("eq.finding_line", text=t(f"elig.{f.code}", who=who_text), source=f.source) for f in findings]
        return rows

    details = block("eq.why", a.reasons) + block("eq.services", a.services) + block("eq.changes", a.changes)
    return headline, "\n".join(details)

