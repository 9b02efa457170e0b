"""衢市司发〔2020〕4号: the points catalogue, ratings, group cases and the correction deadline."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy.points import (
    AWARDS,
    DEDUCTIONS,
    ITEMS_BY_KEY,
    VETOES,
    Bands,
    Rating,
    correction_deadline,
    group_case_count,
    quarter_of,
    rate,
    signed_points,
)
from policy.workdays import WorkCalendar

# --- the catalogue ---------------------------------------------------------------------------


def test_awards_cover_the_twelve_clauses_of_two_one_in_order():
    clauses = list(dict.fromkeys(i.clause for i in AWARDS))
    assert clauses == [f"二(一){n}" for n in range(1, 13)]


def test_clause_one_splits_into_cases_and_legal_help():
    assert (ITEMS_BY_KEY["case"].points, ITEMS_BY_KEY["legal_help"].points) == (20, 5)
    assert ITEMS_BY_KEY["case"].clause == ITEMS_BY_KEY["legal_help"].clause == "二(一)1"


def test_clause_six_pays_by_the_level_that_used_the_report():
    assert [ITEMS_BY_KEY[k].points for k in ("report_city", "report_province", "report_ministry")] == [10, 20, 30]
    assert {ITEMS_BY_KEY[k].clause for k in ("report_city", "report_province", "report_ministry")} == {"二(一)6"}


def test_other_awards_are_discretionary():
    assert ITEMS_BY_KEY["other_award"].clause == "二(一)12"
    assert ITEMS_BY_KEY["other_award"].points is None
    assert all(i.points is not None for i in AWARDS if i.clause != "二(一)12")


def test_non_workday_consultation_is_five_points():
    assert ITEMS_BY_KEY["non_workday_consult"].clause == "二(一)9"
    assert ITEMS_BY_KEY["non_workday_consult"].points == 5


def test_deductions_are_stored_as_positive_magnitudes():
    assert [(i.clause, i.points) for i in DEDUCTIONS] == [
        ("二(二)1", 2),
        ("二(二)2", 2),
        ("二(二)2", 3),
        ("二(二)3", 2),
        ("二(二)4", 1),
    ]


def test_signed_points_subtract_deductions_and_add_awards():
    assert signed_points("incomplete_upload") == -3
    assert signed_points("case") == 20
    assert signed_points("other_award") is None
    assert signed_points("lost_materials") is None


def test_six_vetoes_without_points():
    assert [i.clause for i in VETOES] == [f"二(三){n}" for n in range(1, 7)]
    assert all(i.points is None for i in VETOES)


def test_every_item_has_a_unique_key_and_a_title():
    items = AWARDS + DEDUCTIONS + VETOES
    assert len(ITEMS_BY_KEY) == len(items)
    assert all(i.title for i in items)


def test_catalogue_lookup_cannot_be_changed():
    with pytest.raises(TypeError):
        ITEMS_BY_KEY["case"] = ITEMS_BY_KEY["legal_help"]  # type: ignore[index]


# --- group cases (二(一)1) ----------------------------------------------------------------------


@pytest.mark.parametrize(("people", "cases"), [(2, 2), (9, 2), (10, 3), (11, 3), (200, 3)])
def test_group_case_counts_as_two_up_to_ten_people_and_three_from_ten(people, cases):
    assert group_case_count(people) == cases


@pytest.mark.parametrize("people", [1, 0, -3])
def test_fewer_than_two_people_is_not_a_group_case(people):
    with pytest.raises(ValueError):
        group_case_count(people)


# --- ratings (一(一)) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "rating"),
    [
        (-5, Rating.FAIL),
        (59, Rating.FAIL),
        (60, Rating.PASS),  # 60分以下 and 60—70 share 60: the higher band
        (70, Rating.PASS),
        (75, Rating.PASS),  # the 70–80 gap stays 合格
        (79, Rating.PASS),
        (80, Rating.GOOD),
        (89, Rating.GOOD),
        (90, Rating.EXCELLENT),  # 80—90 and 90分以上 share 90: the higher band
        (91, Rating.EXCELLENT),
    ],
)
def test_rating_at_every_band_edge(score, rating):
    assert rate(score, vetoed=False) is rating


def test_ratings_are_the_words_of_the_text():
    assert [r.value for r in Rating] == ["不合格", "合格", "良好", "优秀"]


@pytest.mark.parametrize("score", [0, 60, 90, 500])
def test_a_veto_fails_the_year_whatever_the_score(score):
    assert rate(score, vetoed=True) is Rating.FAIL


@given(st.integers(-100, 500), st.integers(-100, 500))
def test_a_higher_score_never_rates_lower(a, b):
    order = list(Rating)
    low, high = sorted((a, b))
    assert order.index(rate(low, False)) <= order.index(rate(high, False))


def test_bands_parse_from_configuration():
    assert Bands.parse("60,80,90") == Bands()
    assert Bands.parse(" 50, 70 ,85 ") == Bands(50, 70, 85)
    assert rate(70, False, Bands.parse("50,70,85")) is Rating.GOOD


@pytest.mark.parametrize("text", ["60,80", "60,80,90,100", "60,ninety,90", "80,60,90", "60,80,80", ""])
def test_bands_refuse_bad_configuration(text):
    with pytest.raises(ValueError):
        Bands.parse(text)


# --- cycle and quarters (二(四)) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "quarter"),
    [
        (date(2026, 1, 1), 1),
        (date(2026, 3, 31), 1),
        (date(2026, 4, 1), 2),
        (date(2026, 6, 30), 2),
        (date(2026, 7, 1), 3),
        (date(2026, 9, 30), 3),
        (date(2026, 10, 1), 4),
        (date(2026, 12, 31), 4),
    ],
)
def test_quarter_edges(d, quarter):
    assert quarter_of(d) == quarter


# --- correction deadline (二(四) 5日内) --------------------------------------------------------


def test_correction_deadline_is_five_days_after_discovery_not_counting_the_discovery_day():
    assert correction_deadline(date(2026, 4, 7)) == date(2026, 4, 12)


def test_correction_deadline_crosses_month_and_year_ends():
    assert correction_deadline(date(2026, 12, 29)) == date(2027, 1, 3)


def test_with_a_calendar_a_deadline_on_a_holiday_moves_to_the_next_working_day():
    cal = WorkCalendar()
    # Delivered 30 Sep 2026; day +5 is 5 Oct, inside the 1–7 Oct holiday; 8 Oct is worked.
    assert correction_deadline(date(2026, 9, 30), cal) == date(2026, 10, 8)
    # Delivered Mon 6 Apr 2026 (a holiday itself); day +5 is Sat 11 Apr, so Mon 13 Apr.
    assert correction_deadline(date(2026, 4, 6), cal) == date(2026, 4, 13)


def test_with_a_calendar_a_deadline_on_a_working_day_stays():
    # Delivered Sun 4 Oct 2026; day +5 is Fri 9 Oct, a working day.
    assert correction_deadline(date(2026, 10, 4), WorkCalendar()) == date(2026, 10, 9)


def test_deadline_on_a_make_up_saturday_is_not_moved():
    # Delivered Mon 5 Oct 2026; day +5 is Sat 10 Oct, a 调休 working day.
    assert correction_deadline(date(2026, 10, 5), WorkCalendar()) == date(2026, 10, 10)
