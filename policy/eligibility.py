"""What Quzhou's elderly legal-aid opinion gives one older person (衢市司发〔2020〕3号 二、三).

`assess` turns the facts a user tells the bot into an `Assessment`: the benefits,
the findings that justify them, the standing services, and what would change
the result. Findings carry stable codes only; the chat layer renders them from
the text catalog (keys "elig.<code>").

The means-test waiver and the unrestricted scope are scoped by the text to "有条件的县(市、区)":
they are YES only where staff have recorded that the county applies them (policy.county_status),
NO where it does not, and TO_CONFIRM otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from policy.age import OLDER_PERSON_AGE, check_age
from policy.county_status import County, CountyStatus

OPINION_2 = "衢市司发〔2020〕3号 二"
OPINION_3 = "衢市司发〔2020〕3号 三"
ELDERLY_LAW_2 = "《老年人权益保障法》第二条"

# 二: "70周岁及以上" unlocks the means-test exemption, the unrestricted scope and
# the half-price first will notarisation.
AID_EXTENSION_AGE = 70
# 二 "80周岁及以上" (free first will notarisation) and 三 "80周岁以上的高龄老人"
# (home visits) name the same threshold: 以上 includes the number (民法典第1259条).
ADVANCED_AGE = 80


class Condition(StrEnum):
    """Circumstances the opinion names besides age (衢市司发〔2020〕3号 二、三)."""

    HARDSHIP = "hardship"  # 城乡特困老人 (二)
    DISABLED = "disabled"  # 失能 (二)
    SEMI_DISABLED = "semi-disabled"  # 半失能 (二)
    # 二 says 患有重大疾病, 三 says 患重病; read as one condition.
    SERIOUS_ILLNESS = "serious-illness"
    MOBILITY = "mobility"  # 其他行动不便 (三)


class Asker(StrEnum):
    """Who is talking to the bot: the older person or a family member.

    The rules do not depend on it; the chat layer uses it to fill {who}.
    """

    SELF = "self"
    FAMILY = "family"


class NotaryFee(StrEnum):
    """Reduction of the will notarisation fee (衢市司发〔2020〕3号 二): FULL means the opinion gives none."""

    FULL = "full"
    HALF = "half"
    FREE = "free"


class Verdict(StrEnum):
    """A benefit the text scopes to 有条件的县(市、区): YES where the county applies it, NO where it
    does not (or the person has no ground), TO_CONFIRM while the county's practice is not recorded."""

    NO = "no"
    TO_CONFIRM = "to_confirm"
    YES = "yes"


_DISABILITY = frozenset({Condition.DISABLED, Condition.SEMI_DISABLED})


@dataclass(frozen=True)
class Facts:
    """What the user has told the bot about the older person."""

    age: int
    county: County | None = None
    conditions: frozenset[Condition] = field(default_factory=frozenset)
    will_notarised_before: bool = False
    asker: Asker = Asker.SELF

    def __post_init__(self) -> None:
        # Accept any iterable of Condition values (e.g. a set or strings) but store a frozenset.
        object.__setattr__(self, "conditions", frozenset(Condition(c) for c in self.conditions))


@dataclass(frozen=True)
class Finding:
    """One rule that fired: a stable catalog code and the clause it rests on."""

    code: str
    source: str


@dataclass(frozen=True)
class Assessment:
    age: int
    older_person: bool
    means_test_exempt: Verdict
    scope_unrestricted: Verdict
    will_notary_fee: NotaryFee
    home_visit: bool
    reasons: tuple[Finding, ...]
    services: tuple[Finding, ...]
    changes: tuple[Finding, ...]


# 三 and 二: what every older applicant gets, whatever their circumstances.
SERVICES: tuple[Finding, ...] = (
    Finding("green_channel", OPINION_3),  # 开设"绿色通道",优先受理
    Finding("missing_documents", OPINION_3),  # 容缺受理 + 证照"快递送达"补交材料
    Finding("township_station", OPINION_3),  # 乡镇法律援助工作站受理、初审转报,就近跑一次
    Finding("hotline_12348", OPINION_3),  # 7×24小时"12348"法律咨询热线
    Finding("drafting", OPINION_2),  # 法律关系简单、案件事实清楚、维权难度不大的案件,提供代书服务
    Finding("mediation_first", OPINION_2),  # 援调结合,调解优先
)


_COUNTY_VERDICT = {CountyStatus.APPLIES: Verdict.YES, CountyStatus.NOT_APPLIED: Verdict.NO,
                   CountyStatus.UNCONFIRMED: Verdict.TO_CONFIRM}
_COUNTY_FINDING = {CountyStatus.APPLIES: "county_applies", CountyStatus.NOT_APPLIED: "county_not_applied",
                   CountyStatus.UNCONFIRMED: "county_unconfirmed"}


def assess(facts: Facts, county_status: CountyStatus = CountyStatus.UNCONFIRMED) -> Assessment:
    """Apply 衢市司发〔2020〕3号 二、三 to `facts`.

    `county_status` is what staff recorded about `facts.county` (policy.county_status); with no
    county given it is not known either, so the two county-scoped measures are TO_CONFIRM.
    """
    age = check_age(facts.age)
    if age < OLDER_PERSON_AGE:
        return Assessment(
            age=age,
            older_person=False,
            means_test_exempt=Verdict.NO,
            scope_unrestricted=Verdict.NO,
            will_notary_fee=NotaryFee.FULL,
            home_visit=False,
            reasons=(Finding("not_older_person", ELDERLY_LAW_2),),
            services=(),
            changes=(Finding("change_turn60", ELDERLY_LAW_2),),
        )

    conditions = facts.conditions
    status = county_status if facts.county is not None else CountyStatus.UNCONFIRMED
    reasons: list[Finding] = [Finding("older_person", ELDERLY_LAW_2)]

    # 二: 对城乡特困老人、失能半失能、70周岁及以上和患有重大疾病的老年人 … 免于经济状况审查
    # The grounds are facts about the person; whether they waive the test is the county's (有条件的县).
    means_grounds = [
        Finding(code, OPINION_2)
        for code, applies in (
            ("means_ground_hardship", Condition.HARDSHIP in conditions),
            ("means_ground_disabled", Condition.DISABLED in conditions),
            ("means_ground_semi_disabled", Condition.SEMI_DISABLED in conditions),
            ("means_ground_age70", age >= AID_EXTENSION_AGE),
            ("means_ground_serious_illness", Condition.SERIOUS_ILLNESS in conditions),
        )
        if applies
    ]
    means_test_exempt = _COUNTY_VERDICT[status] if means_grounds else Verdict.NO
    reasons += means_grounds or [Finding("means_test_applies", OPINION_2)]

    # 二: 有条件的县(市、区)司法局 … 对70周岁及以上老年人不设法律援助事项范围限制
    if age < AID_EXTENSION_AGE:
        scope_unrestricted = Verdict.NO
        reasons.append(Finding("scope_standard_under70", OPINION_2))
    else:
        scope_unrestricted = _COUNTY_VERDICT[status]
        reasons.append(Finding("scope_ground_age70", OPINION_2))
    if means_grounds or age >= AID_EXTENSION_AGE:
        reasons.append(Finding(_COUNTY_FINDING[status], OPINION_2))

    # 二: 70周岁及以上 首次办理遗嘱公证减半收费; 80周岁及以上 首次办理遗嘱公证免收费用 (every county)
    if facts.will_notarised_before:
        fee, fee_code = NotaryFee.FULL, "will_fee_full_not_first"
    elif age >= ADVANCED_AGE:
        fee, fee_code = NotaryFee.FREE, "will_fee_free_age80"
    elif age >= AID_EXTENSION_AGE:
        fee, fee_code = NotaryFee.HALF, "will_fee_half_age70"
    else:
        fee, fee_code = NotaryFee.FULL, "will_fee_full_under70"
    reasons.append(Finding(fee_code, OPINION_2))

    # 三: 对患重病、80周岁以上的高龄老人和其他行动不便的老年人实行预约提供上门服务 (every county)
    visit_grounds = [
        Finding(code, OPINION_3)
        for code, applies in (
            ("home_visit_age80", age >= ADVANCED_AGE),
            ("home_visit_serious_illness", Condition.SERIOUS_ILLNESS in conditions),
            ("home_visit_mobility", Condition.MOBILITY in conditions),
            # A reading, not the letter: 失能/半失能 means (partly) unable to look after
            # oneself, which includes getting about, so it is one of the "其他行动不便"
            # the clause covers.
            ("home_visit_disabled", bool(conditions & _DISABILITY)),
        )
        if applies
    ]
    home_visit = bool(visit_grounds)
    reasons += visit_grounds or [Finding("home_visit_not_eligible", OPINION_3)]

    return Assessment(
        age=age,
        older_person=True,
        means_test_exempt=means_test_exempt,
        scope_unrestricted=scope_unrestricted,
        will_notary_fee=fee,
        home_visit=home_visit,
        reasons=tuple(reasons),
        services=SERVICES,
        changes=_reachable_changes(facts, bool(means_grounds), home_visit, status),
    )


def _reachable_changes(
    facts: Facts, has_means_ground: bool, home_visit: bool, status: CountyStatus
) -> tuple[Finding, ...]:
    """What could still improve the result for an older person; only effects not already had.

    Where the county does not apply the 有条件 measures, no ground of the person can bring them."""
    age, conditions, first_will = facts.age, facts.conditions, not facts.will_notarised_before
    means_open = not has_means_ground and status is not CountyStatus.NOT_APPLIED
    candidates: tuple[tuple[str, str, bool], ...] = (
        # Turning 70 (二).
        ("change_turn70_means_test", OPINION_2, age < AID_EXTENSION_AGE and means_open),
        ("change_turn70_scope", OPINION_2, age < AID_EXTENSION_AGE and status is not CountyStatus.NOT_APPLIED),
        ("change_turn70_will_half", OPINION_2, age < AID_EXTENSION_AGE and first_will),
        # Turning 80 (二 fee, 三 home visit).
        ("change_turn80_will_free", OPINION_2, age < ADVANCED_AGE and first_will),
        ("change_turn80_home_visit", OPINION_3, age < ADVANCED_AGE and not home_visit),
        # A condition the user has not mentioned.
        ("change_serious_illness_means_test", OPINION_2, Condition.SERIOUS_ILLNESS not in conditions and means_open),
        ("change_serious_illness_home_visit", OPINION_3,
         Condition.SERIOUS_ILLNESS not in conditions and not home_visit),
        ("change_disability_means_test", OPINION_2, not conditions & _DISABILITY and means_open),
        ("change_disability_home_visit", OPINION_3, not conditions & _DISABILITY and not home_visit),
        ("change_hardship_means_test", OPINION_2, Condition.HARDSHIP not in conditions and means_open),
        ("change_mobility_home_visit", OPINION_3, Condition.MOBILITY not in conditions and not home_visit),
    )
    return tuple(Finding(code, source) for code, source, reachable in candidates if reachable)
