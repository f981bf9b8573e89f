"""Percent agreement and Cohen's kappa against hand-computed 2x2 and 3x3 tables."""

from __future__ import annotations

import math

import polars as pl
import pytest

from pipelines.stats.agreement import (agreement_by_element, agreement_by_reviewer_pair, cohens_kappa,
                                       paired_reviews, reviewer_agreement)

CATEGORIES = ("pass", "fail", "not_applicable")


def _audits_from_table(table: list[list[int]], element: str, first: str, second: str,
                       prefix: str) -> list[dict]:
    """Long audit rows whose round-1 x round-2 cross-tabulation is `table` (rows round 1)."""
    rows, counter = [], 0
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            for _ in range(count):
                counter += 1
                audit_id = f"{prefix}{counter}"
                rows.append({"audit_id": audit_id, "review_round": 1, "provider_npi": "1234567893",
                             "reviewer_id": first, "element": element, "result": CATEGORIES[i]})
                rows.append({"audit_id": audit_id, "review_round": 2, "provider_npi": "1234567893",
                             "reviewer_id": second, "element": element, "result": CATEGORIES[j]})
    return rows


# 2x2 (pass / fail), rows reviewer R1, columns reviewer R2, n = 50
#            pass  fail
#   pass      20     5    | 25
#   fail      10    15    | 25
#             30    20
# p_o = (20 + 15) / 50 = 0.70 ; p_e = (25 x 30 + 25 x 20) / 50^2 = 1250 / 2500 = 0.50
# kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40
TABLE_2X2 = [[20, 5, 0], [10, 15, 0], [0, 0, 0]]

# 3x3 (pass / fail / not_applicable), n = 50
#            pass  fail  n/a
#   pass      25     2    3  | 30
#   fail       3    12    0  | 15
#   n/a        2     1    2  |  5
#             30    15    5
# p_o = (25 + 12 + 2) / 50 = 0.78 ; p_e = (30 x 30 + 15 x 15 + 5 x 5) / 2500 = 1150 / 2500 = 0.46
# kappa = (0.78 - 0.46) / (1 - 0.46) = 0.32 / 0.54 = 0.592593
TABLE_3X3 = [[25, 2, 3], [3, 12, 0], [2, 1, 2]]


def test_cohens_kappa_on_hand_computed_tables():
    assert cohens_kappa([[20, 5], [10, 15]]) == pytest.approx(0.40)
    assert cohens_kappa(TABLE_3X3) == pytest.approx(0.32 / 0.54)


def test_kappa_undefined_when_chance_agreement_is_one_and_when_empty():
    # both raters said "pass" to all 12 charts: p_o = 1 and p_e = 1 -> 0/0
    assert math.isnan(cohens_kappa([[12, 0], [0, 0]]))
    assert math.isnan(cohens_kappa([[0, 0], [0, 0]]))
    # perfect agreement with two categories used: kappa = 1 ; systematic disagreement: kappa < 0
    assert cohens_kappa([[7, 0], [0, 5]]) == pytest.approx(1.0)
    assert cohens_kappa([[0, 6], [6, 0]]) == pytest.approx(-1.0)


def _audits() -> pl.DataFrame:
    rows = (_audits_from_table(TABLE_2X2, "allergies", "R1", "R2", "a")
            + _audits_from_table(TABLE_3X3, "care_plan", "R3", "R1", "c")
            + _audits_from_table([[12, 0, 0], [0, 0, 0], [0, 0, 0]], "signature", "R2", "R3", "s"))
    # an audit reviewed only once has nothing to compare
    rows.append({"audit_id": "solo", "review_round": 1, "provider_npi": "1234567893", "reviewer_id": "R1",
                 "element": "allergies", "result": "pass"})
    return pl.DataFrame(rows)


def test_agreement_by_element_from_the_long_table():
    result = {row["element"]: row for row in agreement_by_element(_audits()).iter_rows(named=True)}
    assert result["allergies"]["pairs_compared"] == 50 and result["allergies"]["agreements"] == 35
    assert result["allergies"]["percent_agreement"] == pytest.approx(0.70)
    assert result["allergies"]["expected_agreement"] == pytest.approx(0.50)
    assert result["allergies"]["kappa"] == pytest.approx(0.40)
    assert result["care_plan"]["kappa"] == pytest.approx(0.592593, abs=1e-6)
    assert result["signature"]["percent_agreement"] == 1.0 and result["signature"]["kappa"] is None


def test_agreement_by_reviewer_pair_orders_pairs_alphabetically():
    # care_plan was reviewed by R3 first and R1 second; the pair is named (R1, R3) with R1 as rater 1.
    # Swapping raters transposes the table, which leaves p_o, p_e and kappa unchanged.
    result = agreement_by_reviewer_pair(_audits())
    pairs = {(r["reviewer_a"], r["reviewer_b"]): r for r in result.iter_rows(named=True)}
    assert set(pairs) == {("R1", "R2"), ("R1", "R3"), ("R2", "R3")}
    assert pairs[("R1", "R3")]["kappa"] == pytest.approx(0.32 / 0.54)
    assert pairs[("R1", "R2")]["kappa"] == pytest.approx(0.40)
    paired = paired_reviews(_audits())
    care = paired.filter(pl.col("element") == "care_plan")
    assert (care["reviewer_a"] == "R1").all() and care["result_a"].equals(care["result_second"], check_names=False)


def test_reviewers_below_95_percent_are_flagged():
    # R1: allergies 35/50 + care_plan 39/50 = 74/100 = 0.74 -> flagged
    # R2: allergies 35/50 + signature 12/12 = 47/62 = 0.758 -> flagged
    # R3: care_plan 39/50 + signature 12/12 = 51/62 = 0.823 -> flagged
    result = {r["reviewer_id"]: r for r in reviewer_agreement(_audits()).iter_rows(named=True)}
    assert result["R1"]["pairs_compared"] == 100 and result["R1"]["percent_agreement"] == pytest.approx(0.74)
    assert result["R2"]["percent_agreement"] == pytest.approx(47 / 62)
    assert all(r["below_threshold"] for r in result.values())
    perfect = pl.DataFrame(_audits_from_table([[19, 0, 0], [0, 1, 0], [0, 0, 0]], "allergies", "R8", "R9", "p"))
    flags = reviewer_agreement(perfect)["below_threshold"].to_list()
    assert flags == [False, False]
    # 19 of 20 agree = exactly 95%: not below the threshold ; 18 of 20 = 90%: flagged
    edge = pl.DataFrame(_audits_from_table([[18, 1, 0], [0, 1, 0], [0, 0, 0]], "allergies", "R8", "R9", "e"))
    assert reviewer_agreement(edge)["percent_agreement"].to_list() == [0.95, 0.95]
    assert reviewer_agreement(edge)["below_threshold"].to_list() == [False, False]
    worse = pl.DataFrame(_audits_from_table([[17, 2, 0], [0, 1, 0], [0, 0, 0]], "allergies", "R8", "R9", "w"))
    assert reviewer_agreement(worse)["below_threshold"].to_list() == [True, True]
