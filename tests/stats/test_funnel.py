"""Funnel z-scores, Spiegelhalter's overdispersion correction, limits, and a planted-outlier simulation."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from pipelines.stats.funnel import (chi_square_upper_quantile, estimate_overdispersion, funnel_frame,
                                    funnel_limits, funnel_scores, winsorise)


def test_z_scores_and_flags_hand_worked():
    # target 0.5, n = 100: s = sqrt(0.25 / 100) = 0.05
    # 65/100 -> z = 0.15 / 0.05 = 3.0  (beyond 95% = 1.96, inside 99.8% = 3.09)
    # 66/100 -> z = 3.2 (beyond 99.8%: better) ; 34/100 -> z = -3.2 (worse) ; 0/0 -> no score
    scores = funnel_scores([65, 66, 34, 0], [100, 100, 100, 0], target=0.5, correct_overdispersion=False)
    np.testing.assert_allclose(scores.z[:3], [3.0, 3.2, -3.2], atol=1e-12)
    assert scores.beyond_95.tolist() == [True, True, True, False]
    assert scores.beyond_998.tolist() == [False, True, True, False]
    assert scores.flag.tolist() == ["as_expected", "better", "worse", None]


def test_inverse_measure_flips_the_flag_direction():
    # for GSD a rate 16 points above target is poor control: "worse"
    scores = funnel_scores([66, 34], [100, 100], target=0.5, inverse=True, correct_overdispersion=False)
    assert scores.flag.tolist() == ["worse", "better"]


def test_winsorise_pulls_tails_to_the_10th_and_90th_percentiles():
    # [-4, -2, 0, 2, 4]: the 10th percentile by linear interpolation sits 0.4 of the way from
    # -4 to -2 = -3.2 ; the 90th = 3.2
    np.testing.assert_allclose(winsorise([-4, -2, 0, 2, 4]), [-3.2, -2, 0, 2, 3.2])


def test_overdispersion_hand_worked():
    # winsorised z = [-3.2, -2, 0, 2, 3.2]: z^2 = 10.24 + 4 + 0 + 4 + 10.24 = 28.48, phi = 5.696
    # k phi = 28.48 > chi-square(4) 95th percentile ~ 9.49 -> overdispersed
    # w = 100 each: sum w - sum w^2 / sum w = 500 - 50000/500 = 400
    # tau^2 = (28.48 - 4) / 400 = 0.0612
    result = estimate_overdispersion([-4, -2, 0, 2, 4], [100] * 5)
    assert result.phi == pytest.approx(5.696)
    assert result.overdispersed
    assert result.tau2 == pytest.approx(0.0612)
    # z = [-2, -1, 0, 1, 2] -> winsorised at +/-1.6, sum z^2 = 7.12 < 9.49: not overdispersed
    calm = estimate_overdispersion([-2, -1, 0, 1, 2], [100] * 5)
    assert calm.phi == pytest.approx(7.12 / 5) and not calm.overdispersed and calm.tau2 == 0.0


def test_chi_square_quantile_approximation_is_close_to_tables():
    # tables: chi-square 95th percentiles 9.488 (4 df), 18.307 (10 df), 124.342 (100 df)
    for dof, table in [(4, 9.488), (10, 18.307), (100, 124.342)]:
        assert abs(chi_square_upper_quantile(dof) - table) / table < 0.01


def test_overdispersion_widens_limits_and_removes_spurious_flags():
    rng = np.random.default_rng(5)
    n = rng.integers(200, 2000, 400)
    x = rng.binomial(n, np.clip(rng.normal(0.6, 0.06, 400), 0, 1))
    plain = funnel_scores(x, n, correct_overdispersion=False)
    adjusted = funnel_scores(x, n)
    assert adjusted.overdispersion.overdispersed and adjusted.overdispersion.tau2 > 0
    assert np.all(np.abs(adjusted.z_adjusted) <= np.abs(plain.z) + 1e-12)
    assert adjusted.beyond_998.sum() < plain.beyond_998.sum()
    # tau^2 estimates the planted between-provider variance 0.06^2 = 0.0036
    assert 0.002 < adjusted.overdispersion.tau2 < 0.006


def test_edge_cases_single_provider_and_identical_rates():
    single = funnel_scores([30], [50])
    assert single.z[0] == pytest.approx(0.0) and single.flag.tolist() == ["as_expected"]
    assert np.isnan(single.overdispersion.phi)
    identical = funnel_scores([30, 60, 90], [100, 200, 300])
    np.testing.assert_allclose(identical.z, 0.0, atol=1e-12)
    assert identical.overdispersion.tau2 == 0.0
    all_successes = funnel_scores([10, 20], [10, 20])
    assert all(f is None for f in all_successes.flag)


def test_limit_curves_narrow_with_n_and_nest():
    limits = funnel_limits(0.5, [10, 1000], points=50)
    assert limits["n"].min() == 10 and limits["n"].max() == 1000
    first, last = limits.row(0, named=True), limits.row(-1, named=True)
    # at n = 1000: 0.5 +/- 3.090232 * sqrt(0.25/1000) = 0.5 +/- 0.048861
    assert last["upper_998"] == pytest.approx(0.5 + 3.090232 * (0.25 / 1000) ** 0.5, abs=1e-6)
    assert first["upper_998"] - first["lower_998"] > last["upper_998"] - last["lower_998"]
    assert (limits["lower_998"] <= limits["lower_95"]).all() and (limits["upper_95"] <= limits["upper_998"]).all()
    wider = funnel_limits(0.5, [10, 1000], tau2=0.01, points=50)
    assert (wider["upper_998"] >= limits["upper_998"]).all()
    assert funnel_limits(0.5, []).height == 0


def test_simulation_planted_outliers_are_flagged_and_false_flags_near_two_per_thousand():
    rng = np.random.default_rng(20261127)
    average_count, planted_count, plan_rate = 3000, 25, 0.6
    n_average = rng.integers(50, 600, average_count)
    x_average = rng.binomial(n_average, plan_rate)
    n_poor = rng.integers(150, 600, planted_count)
    x_poor = rng.binomial(n_poor, plan_rate - 0.2)
    n_excellent = rng.integers(150, 600, planted_count)
    x_excellent = rng.binomial(n_excellent, plan_rate + 0.2)
    x = np.concatenate([x_average, x_poor, x_excellent])
    n = np.concatenate([n_average, n_poor, n_excellent])

    for inverse in (False, True):
        scores = funnel_scores(x, n, inverse=inverse)
        flags = scores.flag
        poor_expected, excellent_expected = ("better", "worse") if inverse else ("worse", "better")
        poor_hits = int(np.sum(flags[average_count:average_count + planted_count] == poor_expected))
        excellent_hits = int(np.sum(flags[average_count + planted_count:] == excellent_expected))
        false_flags = int(np.sum(flags[:average_count] != "as_expected"))
        expected_false = 0.002 * average_count
        message = (f"inverse={inverse}: planted low-rate flagged {poor_hits}/{planted_count}, planted high-rate "
                   f"flagged {excellent_hits}/{planted_count}, average providers flagged {false_flags}/"
                   f"{average_count} (expected about {expected_false:.0f} at 99.8%), "
                   f"phi={scores.overdispersion.phi:.3f}, tau2={scores.overdispersion.tau2:.5f}")
        assert poor_hits == planted_count and excellent_hits == planted_count, message
        # Poisson(6): P(count > 15) < 0.001
        assert false_flags <= 15, message
        print(message)


def test_funnel_frame_groups_by_measure_and_uses_measure_direction():
    frame = pl.DataFrame({
        "measure_id": ["GSD", "GSD", "BCS", "BCS"],
        "numerator": [66, 34, 66, 34],
        "denominator": [100, 100, 100, 100],
    })
    result = funnel_frame(frame, correct_overdispersion=False)
    assert result["funnel_flag"].to_list() == ["worse", "better", "better", "worse"]
    assert result["funnel_target"].to_list() == [0.5] * 4
    assert funnel_frame(frame.clear()).height == 0


def test_funnel_frame_can_score_against_a_given_plan_rate():
    # against a published plan rate of 0.5 instead of the providers' pooled 0.6:
    # 80/100 -> z = (0.8 - 0.5) / 0.05 = 6 (better) ; 40/100 -> z = -2 (as expected)
    frame = pl.DataFrame({"measure_id": ["BCS", "BCS"], "numerator": [80, 40], "denominator": [100, 100],
                          "plan_rate": [0.5, 0.5]})
    result = funnel_frame(frame, correct_overdispersion=False, target_column="plan_rate")
    assert result["funnel_z"].to_list() == pytest.approx([6.0, -2.0])
    assert result["funnel_flag"].to_list() == ["better", "as_expected"]
