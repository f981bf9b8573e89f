"""Case-mix adjustment against a hand-computed two-unit example; scoring rules; reliability and display."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from pipelines.stats.casemix import (case_mix_adjust, encode_adjusters, item_type_expr, linear_score_expr,
                                     top_box_expr)


def _two_units() -> pl.DataFrame:
    # x = 1 when self-rated health is good or better
    return pl.DataFrame({
        "unit": ["A"] * 4 + ["B"] * 4,
        "score": [60.0, 80.0, 90.0, 70.0, 40.0, 60.0, 56.0, 92.0],
        "healthy": [0, 1, 1, 1, 0, 0, 0, 1],
    })


def test_case_mix_adjustment_hand_worked_two_units_one_binary_adjuster():
    # unit A: mean x = 0.75, mean score = 75 ; unit B: mean x = 0.25, mean score = 62 ; overall mean x = 0.5
    # centred within units:
    #   A: x~ = [-.75, .25, .25, .25], y~ = [-15, 5, 15, -5]  -> sum x~y~ = 11.25 + 1.25 + 3.75 - 1.25 = 15
    #   B: x~ = [-.25, -.25, -.25, .75], y~ = [-22, -2, -6, 30] -> sum x~y~ = 5.5 + 0.5 + 1.5 + 22.5 = 30
    #   sum x~^2 = 0.75 + 0.75 = 1.5  -> b = (15 + 30) / 1.5 = 30
    # adjusted A = 75 + 30 x (0.5 - 0.75) = 67.5 ; adjusted B = 62 + 30 x (0.5 - 0.25) = 69.5
    # (A looked 13 points better; once its healthier respondents are allowed for, B is 2 points better)
    result = case_mix_adjust(_two_units(), unit="unit", score="score", adjusters=["healthy"])
    assert result.coefficients == {"healthy": pytest.approx(30.0)}
    assert result.overall_means == {"healthy": pytest.approx(0.5)}
    units = {r["unit"]: r for r in result.units.iter_rows(named=True)}
    assert units["A"]["unadjusted_mean"] == pytest.approx(75.0) and units["B"]["unadjusted_mean"] == pytest.approx(62.0)
    assert units["A"]["adjusted_mean"] == pytest.approx(67.5) and units["B"]["adjusted_mean"] == pytest.approx(69.5)
    assert units["A"]["adjustment"] == pytest.approx(-7.5)


def test_reliability_and_display_status_hand_worked():
    # residuals y~ - 30 x~: A [7.5, -2.5, 7.5, -12.5] (squares 275), B [-14.5, 5.5, 1.5, 7.5] (squares 299)
    # s_w^2 = (275 + 299) / (8 - 2 units - 1 slope) = 574 / 5 = 114.8
    # MSB = (4 x (67.5 - 68.5)^2 + 4 x (69.5 - 68.5)^2) / 1 = 8 ; n0 = (8 - 32/8) / 1 = 4
    # between variance = max(0, (8 - 114.8) / 4) = 0 -> reliability 0 ; 4 respondents < 11: suppressed
    result = case_mix_adjust(_two_units(), unit="unit", score="score", adjusters=["healthy"])
    assert result.within_variance == pytest.approx(114.8)
    assert result.between_variance == 0.0
    assert result.units["reliability"].to_list() == [0.0, 0.0]
    assert result.units["display_status"].to_list() == ["suppressed_privacy"] * 2
    assert result.units["shown_score"].to_list() == [None, None]


def test_missing_adjuster_takes_the_unit_mean_and_leaves_the_slope_alone():
    frame = pl.concat([_two_units(), pl.DataFrame({"unit": ["A"], "score": [75.0], "healthy": [None]},
                                                  schema=_two_units().schema)])
    result = case_mix_adjust(frame, unit="unit", score="score", adjusters=["healthy"])
    # the imputed 0.75 sits at A's mean, so it adds nothing to the within-unit slope
    assert result.coefficients["healthy"] == pytest.approx(30.0)
    assert result.units.filter(pl.col("unit") == "A")["respondents"].item() == 5


def test_categorical_coding_of_a_binary_adjuster_equals_ordinal_coding():
    ordinal = case_mix_adjust(_two_units(), unit="unit", score="score", adjusters=["healthy"])
    categorical = case_mix_adjust(_two_units(), unit="unit", score="score", adjusters=["healthy"],
                                  categorical=["healthy"])
    assert list(categorical.coefficients) == ["healthy=1"]
    np.testing.assert_allclose(categorical.units["adjusted_mean"].to_numpy(), ordinal.units["adjusted_mean"].to_numpy())


def test_no_adjusters_and_identical_case_mix_leave_means_unadjusted():
    plain = case_mix_adjust(_two_units(), unit="unit", score="score", adjusters=[])
    np.testing.assert_allclose(plain.units["adjusted_mean"].to_numpy(), [75.0, 62.0])
    same_mix = _two_units().with_columns(pl.Series("healthy", [0, 1, 1, 0, 0, 1, 1, 0]))
    result = case_mix_adjust(same_mix, unit="unit", score="score", adjusters=["healthy"])
    np.testing.assert_allclose(result.units["adjustment"].to_numpy(), [0.0, 0.0], atol=1e-12)


def test_simulation_recovers_true_unit_effects_and_reliability_grows_with_respondents():
    rng = np.random.default_rng(17)
    units, per_unit = 40, rng.integers(30, 400, 40)
    truth = rng.normal(70, 4, units)
    unit_ids = np.repeat(np.arange(units), per_unit)
    # healthier members cluster in some units and answer 6 points higher per level of health
    health = np.clip(np.round(rng.normal(np.repeat(rng.uniform(1.5, 4.5, units), per_unit), 0.8)), 1, 5)
    score = truth[unit_ids] - 6.0 * (health - 3.0) + rng.normal(0, 15, unit_ids.size)
    frame = pl.DataFrame({"unit": unit_ids, "score": score, "general_health": health})
    result = case_mix_adjust(frame, unit="unit", score="score", adjusters=["general_health"])
    assert result.coefficients["general_health"] == pytest.approx(-6.0, abs=0.6)
    adjusted = result.units.sort("unit")
    expected = truth - 6.0 * (result.overall_means["general_health"] - 3.0)
    residual = adjusted["adjusted_mean"].to_numpy() - expected
    raw_residual = adjusted["unadjusted_mean"].to_numpy() - expected
    assert np.sqrt(np.mean(residual**2)) < 0.5 * np.sqrt(np.mean(raw_residual**2))
    reliability = adjusted["reliability"].to_numpy()
    order = np.argsort(adjusted["respondents"].to_numpy())
    assert np.all((reliability >= 0) & (reliability <= 1)) and np.all(np.diff(reliability[order]) >= 0)
    assert set(adjusted["display_status"].to_list()) == {"shown"}


def test_top_box_and_linear_scores_for_composites_and_ratings():
    answers = pl.DataFrame({"item_id": ["doctor_communication_1"] * 4 + ["rating_health_plan"] * 4,
                            "response": [1, 3, 4, 2, 0, 8, 9, 10]})
    scored = answers.with_columns(item_type_expr().alias("item_type")).with_columns(
        top_box_expr("item_type").alias("top_box"), linear_score_expr("item_type").alias("linear"))
    assert scored["top_box"].to_list() == [0, 0, 1, 0, 0, 0, 1, 1]
    # composites: (r - 1) / 3 x 100 -> 0, 66.67, 100, 33.33 ; ratings: r x 10
    np.testing.assert_allclose(scored["linear"].to_numpy(), [0, 200 / 3, 100, 100 / 3, 0, 80, 90, 100])


def test_encode_adjusters_uses_ordinal_codes():
    frame = pl.DataFrame({"age_band": ["18-24", "75+", None], "general_health": ["excellent", "poor", "good"]})
    encoded = encode_adjusters(frame)
    assert encoded["age_band"].to_list() == [1.0, 7.0, None]
    assert encoded["general_health"].to_list() == [1.0, 5.0, 3.0]


def test_display_thresholds_at_the_privacy_floor_and_publication_minimum():
    sizes = {"u10": 10, "u11": 11, "u29": 29, "u30": 30}
    rng = np.random.default_rng(1)
    frame = pl.DataFrame({"unit": [u for u, n in sizes.items() for _ in range(n)],
                          "score": rng.integers(0, 2, sum(sizes.values())).astype(float)})
    units = case_mix_adjust(frame, unit="unit", score="score", adjusters=[]).units
    status = dict(zip(units["unit"].to_list(), units["display_status"].to_list()))
    assert status == {"u10": "suppressed_privacy", "u11": "too_few_respondents",
                      "u29": "too_few_respondents", "u30": "shown"}
    shown = dict(zip(units["unit"].to_list(), units["shown_score"].to_list()))
    assert shown["u29"] is None and shown["u30"] == pytest.approx(units["adjusted_mean"][3])


def test_reliability_hand_worked_three_units_without_adjusters():
    # units A [0, 10], B [20, 30], C [40, 50]: means 5, 25, 45, grand mean 25
    # within: each unit (-5)^2 + 5^2 = 50, total 150 over N - units = 6 - 3 = 3 -> s_w^2 = 50
    # MSB = 2 x (20^2 + 0 + 20^2) / (3 - 1) = 800 ; n0 = (6 - 12/6) / 2 = 2
    # between variance = (800 - 50) / 2 = 375 ; reliability = 375 / (375 + 50/2) = 0.9375
    frame = pl.DataFrame({"unit": ["A", "A", "B", "B", "C", "C"], "score": [0.0, 10, 20, 30, 40, 50]})
    result = case_mix_adjust(frame, unit="unit", score="score", adjusters=[])
    assert result.within_variance == pytest.approx(50.0)
    assert result.between_variance == pytest.approx(375.0)
    assert result.units["reliability"].to_list() == pytest.approx([0.9375] * 3)
    assert result.units["low_reliability"].to_list() == [False] * 3
