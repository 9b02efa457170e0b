"""衢市司发〔2020〕3号 二、三 applied to one older person."""

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy.age import AgeError
from common.catalog import load_catalog
from policy.county_status import CountyStatus
from policy.eligibility import (
    Asker,
    Assessment,
    Condition,
    County,
    Facts,
    NotaryFee,
    Verdict,
    assess,
)

NO, TO_CONFIRM, YES = Verdict.NO, Verdict.TO_CONFIRM, Verdict.YES
APPLIES, NOT_APPLIED = CountyStatus.APPLIES, CountyStatus.NOT_APPLIED

SERVICE_CODES = ("green_channel", "missing_documents", "township_station", "hotline_12348", "drafting", "mediation_first")
FEE_RANK = {NotaryFee.FULL: 0, NotaryFee.HALF: 1, NotaryFee.FREE: 2}
VERDICT_RANK = {NO: 0, TO_CONFIRM: 1, YES: 2}


def codes(findings) -> list[str]:
    return [f.code for f in findings]


def benefits(a: Assessment) -> tuple:
    return (
        a.older_person,
        VERDICT_RANK[a.means_test_exempt],
        VERDICT_RANK[a.scope_unrestricted],
        FEE_RANK[a.will_notary_fee],
        a.home_visit,
        len(a.services),
    )


def no_worse(after: Assessment, before: Assessment) -> bool:
    return all(x >= y for x, y in zip(benefits(after), benefits(before), strict=True))


# --- who the opinion is for -------------------------------------------------------------


def test_county_names_are_the_six_of_quzhou():
    assert [c.value for c in County] == ["柯城区", "衢江区", "龙游县", "江山市", "常山县", "开化县"]


def test_at_59_the_opinion_does_not_apply_and_gives_nothing():
    a = assess(Facts(age=59, conditions=frozenset(Condition), county=County.KECHENG))
    assert not a.older_person
    assert (a.means_test_exempt, a.scope_unrestricted, a.home_visit) == (NO, NO, False)
    assert a.will_notary_fee is NotaryFee.FULL
    assert codes(a.reasons) == ["not_older_person"]
    assert a.services == ()
    assert codes(a.changes) == ["change_turn60"]


def test_at_60_an_older_person_gets_the_standing_services_but_still_the_means_test():
    a = assess(Facts(age=60))
    assert a.older_person
    assert codes(a.services) == list(SERVICE_CODES)
    assert a.means_test_exempt is NO
    assert a.scope_unrestricted is NO
    assert a.will_notary_fee is NotaryFee.FULL
    assert not a.home_visit
    assert "means_test_applies" in codes(a.reasons)


def test_services_cite_their_clauses():
    sources = {f.code: f.source for f in assess(Facts(age=60)).services}
    assert sources["green_channel"] == "衢市司发〔2020〕3号 三"
    assert sources["hotline_12348"] == "衢市司发〔2020〕3号 三"
    assert sources["drafting"] == "衢市司发〔2020〕3号 二"
    assert sources["mediation_first"] == "衢市司发〔2020〕3号 二"


# --- 70周岁及以上 ---------------------------------------------------------------------------


def test_at_69_no_age_benefit_yet():
    a = assess(Facts(age=69, county=County.QUJIANG), APPLIES)
    assert (a.means_test_exempt, a.scope_unrestricted, a.will_notary_fee) == (NO, NO, NotaryFee.FULL)


def test_at_70_in_a_county_that_applies_them_means_test_waived_scope_unrestricted_first_will_half_price():
    a = assess(Facts(age=70, county=County.QUJIANG), APPLIES)
    assert a.means_test_exempt is YES
    assert a.scope_unrestricted is YES
    assert a.will_notary_fee is NotaryFee.HALF
    assert {"means_ground_age70", "scope_ground_age70", "county_applies", "will_fee_half_age70"} <= set(
        codes(a.reasons))
    assert not a.home_visit


# --- 80周岁及以上 ---------------------------------------------------------------------------


def test_at_79_will_is_half_price_and_no_home_visit():
    a = assess(Facts(age=79))
    assert a.will_notary_fee is NotaryFee.HALF
    assert not a.home_visit


def test_at_80_first_will_is_free_and_home_visits_can_be_booked():
    a = assess(Facts(age=80))
    assert a.will_notary_fee is NotaryFee.FREE
    assert a.home_visit
    assert {"will_fee_free_age80", "home_visit_age80"} <= set(codes(a.reasons))


def test_a_second_will_notarisation_is_full_price_even_at_90():
    a = assess(Facts(age=90, will_notarised_before=True))
    assert a.will_notary_fee is NotaryFee.FULL
    assert "will_fee_full_not_first" in codes(a.reasons)


# --- conditions, alone ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "means_exempt", "home_visit", "reason_codes"),
    [
        (Condition.HARDSHIP, True, False, {"means_ground_hardship"}),
        (Condition.DISABLED, True, True, {"means_ground_disabled", "home_visit_disabled"}),
        (Condition.SEMI_DISABLED, True, True, {"means_ground_semi_disabled", "home_visit_disabled"}),
        (Condition.SERIOUS_ILLNESS, True, True, {"means_ground_serious_illness", "home_visit_serious_illness"}),
        (Condition.MOBILITY, False, True, {"home_visit_mobility"}),
    ],
)
def test_each_condition_alone_at_65(condition, means_exempt, home_visit, reason_codes):
    a = assess(Facts(age=65, conditions=frozenset({condition}), county=County.KECHENG), APPLIES)
    assert a.means_test_exempt is (YES if means_exempt else NO)
    assert a.home_visit is home_visit
    assert reason_codes <= set(codes(a.reasons))
    # Conditions never touch the age-only benefits.
    assert a.scope_unrestricted is NO
    assert a.will_notary_fee is NotaryFee.FULL


def test_all_conditions_together_give_one_reason_per_ground():
    a = assess(Facts(age=85, conditions=frozenset(Condition)))
    reasons = codes(a.reasons)
    assert len(reasons) == len(set(reasons))
    means = [c for c in reasons if c.startswith("means_ground_")]
    visits = [c for c in reasons if c.startswith("home_visit_")]
    assert sorted(means) == sorted(
        ["means_ground_hardship", "means_ground_disabled", "means_ground_semi_disabled",
         "means_ground_age70", "means_ground_serious_illness"]
    )
    assert sorted(visits) == sorted(
        ["home_visit_age80", "home_visit_serious_illness", "home_visit_mobility", "home_visit_disabled"]
    )
    assert "means_test_applies" not in reasons
    assert "home_visit_not_eligible" not in reasons


def test_hardship_and_mobility_together_cover_both_benefits():
    a = assess(Facts(age=62, conditions=frozenset({Condition.HARDSHIP, Condition.MOBILITY}), county=County.KAIHUA),
               APPLIES)
    assert a.means_test_exempt is YES and a.home_visit


def test_conditions_given_as_strings_are_accepted():
    facts = Facts(age=65, conditions={"serious-illness"})
    assert facts.conditions == frozenset({Condition.SERIOUS_ILLNESS})
    with pytest.raises(ValueError):
        Facts(age=65, conditions={"tired"})


# --- 有条件的县(市、区) -----------------------------------------------------------------------
# 3号 二: "有条件的县(市、区)司法局自2020年起要对70周岁及以上老年人不设法律援助事项范围限制,对城乡特困老人、
# 失能半失能、70周岁及以上和患有重大疾病的老年人申请法律援助的,免于经济状况审查" — one sentence, both measures.


@pytest.mark.parametrize("county", list(County))
def test_until_staff_record_a_county_both_measures_are_to_confirm_not_promised(county):
    a = assess(Facts(age=75, county=county))
    assert (a.means_test_exempt, a.scope_unrestricted) == (TO_CONFIRM, TO_CONFIRM)
    assert "county_unconfirmed" in codes(a.reasons)


def test_a_county_that_does_not_apply_them_waives_neither_the_means_test_nor_the_scope():
    a = assess(Facts(age=75, county=County.KAIHUA, conditions=frozenset(Condition)), NOT_APPLIED)
    assert (a.means_test_exempt, a.scope_unrestricted) == (NO, NO)
    assert "county_not_applied" in codes(a.reasons)


@pytest.mark.parametrize("status", list(CountyStatus))
def test_the_fee_reductions_and_home_visits_do_not_depend_on_the_county(status):
    a = assess(Facts(age=85, county=County.KAIHUA), status)
    assert (a.will_notary_fee, a.home_visit) == (NotaryFee.FREE, True)


def test_without_a_county_the_measures_are_to_confirm_whatever_was_recorded():
    a = assess(Facts(age=75, county=None), APPLIES)
    assert (a.means_test_exempt, a.scope_unrestricted) == (TO_CONFIRM, TO_CONFIRM)
    assert "county_unconfirmed" in codes(a.reasons)


def test_under_70_without_grounds_the_county_is_not_mentioned():
    a = assess(Facts(age=69, county=County.JIANGSHAN), APPLIES)
    assert a.scope_unrestricted is NO
    assert "scope_standard_under70" in codes(a.reasons)
    assert not {"county_applies", "county_not_applied", "county_unconfirmed"} & set(codes(a.reasons))


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("age", [-1, 131])
def test_impossible_ages_are_refused(age):
    with pytest.raises(AgeError):
        assess(Facts(age=age))


# --- what would change the result ---------------------------------------------------------------


def test_at_65_with_nothing_else_every_route_is_offered():
    a = assess(Facts(age=65, county=County.CHANGSHAN), APPLIES)
    assert codes(a.changes) == [
        "change_turn70_means_test",
        "change_turn70_scope",
        "change_turn70_will_half",
        "change_turn80_will_free",
        "change_turn80_home_visit",
        "change_serious_illness_means_test",
        "change_serious_illness_home_visit",
        "change_disability_means_test",
        "change_disability_home_visit",
        "change_hardship_means_test",
        "change_mobility_home_visit",
    ]


def test_at_85_having_made_a_will_before_nothing_more_can_change():
    a = assess(Facts(age=85, county=County.KECHENG, will_notarised_before=True))
    assert a.changes == ()


def test_serious_illness_at_65_leaves_only_the_age_routes():
    a = assess(Facts(age=65, conditions=frozenset({Condition.SERIOUS_ILLNESS}), county=County.KECHENG), APPLIES)
    assert codes(a.changes) == [
        "change_turn70_scope",
        "change_turn70_will_half",
        "change_turn80_will_free",
    ]


def test_turning_70_or_a_condition_does_not_promise_the_measures_where_the_county_does_not_apply_them():
    a = assess(Facts(age=65, county=County.KAIHUA), NOT_APPLIED)
    assert not {"change_turn70_scope", "change_turn70_means_test", "change_hardship_means_test"} & set(codes(a.changes))


# The change each code describes, and the benefit it promises.
CHANGE_EFFECTS = {
    "change_turn60": (lambda f: dataclasses.replace(f, age=60), lambda a: a.older_person),
    "change_turn70_means_test": (lambda f: dataclasses.replace(f, age=70), lambda a: a.means_test_exempt is not NO),
    "change_turn70_scope": (lambda f: dataclasses.replace(f, age=70), lambda a: a.scope_unrestricted is not NO),
    "change_turn70_will_half": (
        lambda f: dataclasses.replace(f, age=70),
        lambda a: a.will_notary_fee is NotaryFee.HALF,
    ),
    "change_turn80_will_free": (
        lambda f: dataclasses.replace(f, age=80),
        lambda a: a.will_notary_fee is NotaryFee.FREE,
    ),
    "change_turn80_home_visit": (lambda f: dataclasses.replace(f, age=80), lambda a: a.home_visit),
    **{
        f"change_{name}_{effect}": (
            lambda f, c=condition: dataclasses.replace(f, conditions=f.conditions | {c}),
            benefit,
        )
        for name, condition in (
            ("serious_illness", Condition.SERIOUS_ILLNESS),
            ("disability", Condition.DISABLED),
            ("hardship", Condition.HARDSHIP),
            ("mobility", Condition.MOBILITY),
        )
        for effect, benefit in (
            ("means_test", lambda a: a.means_test_exempt is not NO),
            ("home_visit", lambda a: a.home_visit),
        )
    },
}

facts_strategy = st.builds(
    Facts,
    age=st.integers(0, 130),
    county=st.none() | st.sampled_from(County),
    conditions=st.frozensets(st.sampled_from(Condition)),
    will_notarised_before=st.booleans(),
    asker=st.sampled_from(Asker),
)
switches_strategy = st.sampled_from(CountyStatus)


def _offered_change_is_reachable(facts, switches, code) -> bool:
    apply, benefit = CHANGE_EFFECTS[code]
    if code.startswith("change_turn") and facts.age >= int(code[len("change_turn"):][:2]):
        return False  # no one grows younger
    return not benefit(assess(facts, switches)) and benefit(assess(apply(facts), switches))


@given(facts_strategy, switches_strategy)
def test_a_change_is_offered_exactly_when_it_would_bring_its_benefit(facts, switches):
    offered = set(codes(assess(facts, switches).changes))
    if facts.age < 60:
        # Under 60 the one step that matters is becoming an older person; the rest follow from it.
        assert offered == {"change_turn60"}
        return
    reachable = {code for code in CHANGE_EFFECTS if _offered_change_is_reachable(facts, switches, code)}
    assert offered == reachable


# --- monotonicity -------------------------------------------------------------------------------


@given(facts_strategy, switches_strategy, st.integers(0, 130))
def test_growing_older_never_removes_a_benefit(facts, switches, later_age):
    older = dataclasses.replace(facts, age=max(facts.age, later_age))
    assert no_worse(assess(older, switches), assess(facts, switches))


@given(facts_strategy, switches_strategy, st.sampled_from(Condition))
def test_adding_a_condition_never_removes_a_benefit(facts, switches, condition):
    more = dataclasses.replace(facts, conditions=facts.conditions | {condition})
    assert no_worse(assess(more, switches), assess(facts, switches))


@given(facts_strategy, switches_strategy)
def test_every_benefit_has_a_reason_and_every_finding_cites_a_source(facts, switches):
    a = assess(facts, switches)
    reasons = set(codes(a.reasons))
    grounds = any(c.startswith("means_ground_") for c in reasons)
    assert (a.means_test_exempt is not NO) <= grounds
    assert (a.means_test_exempt is YES) == (grounds and "county_applies" in reasons)
    assert a.home_visit == any(c.startswith("home_visit_") and c != "home_visit_not_eligible" for c in reasons)
    for f in a.reasons + a.services + a.changes:
        assert f.source.startswith(("衢市司发〔2020〕3号 ", "《老年人权益保障法》第二条"))


@given(facts_strategy, switches_strategy)
def test_the_asker_does_not_change_the_result(facts, switches):
    flipped = Asker.FAMILY if facts.asker is Asker.SELF else Asker.SELF
    assert assess(facts, switches) == assess(dataclasses.replace(facts, asker=flipped), switches)


# --- catalog draft --------------------------------------------------------------------------


def _all_emitted_codes() -> set[str]:
    seen: set[str] = set()
    for age in (30, 59, 60, 65, 69, 70, 75, 79, 80, 95):
        for county in (None, County.KECHENG):
            for switches in CountyStatus:
                for before in (False, True):
                    for conditions in [frozenset()] + [frozenset({c}) for c in Condition] + [frozenset(Condition)]:
                        a = assess(Facts(age, county, conditions, before), switches)
                        seen |= set(codes(a.reasons + a.services + a.changes))
    return seen


def test_the_catalog_has_a_sentence_for_every_code_and_no_stale_ones():
    catalog = load_catalog()
    in_catalog = {key for key in catalog.keys() if key.startswith("elig.")}
    assert in_catalog == {f"elig.{code}" for code in _all_emitted_codes()}


def test_catalog_sentences_fill_in_who_the_county_and_nothing_else():
    catalog = load_catalog()
    for key in (k for k in catalog.keys() if k.startswith("elig.")):
        assert catalog.fields(key) <= {"who", "county", "since", "source"}, key
