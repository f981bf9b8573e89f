"""Empirical-Bayes shrinkage: a hand-worked three-provider prior, fallbacks and properties."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from pipelines.stats.shrinkage import (MIN_CASES_FOR_RANKING, estimate_beta_prior, reliability,
                                       shrink_frame, shrink_rates)


def test_method_of_moments_prior_hand_worked():
    # providers (x, n) = (2, 10), (5, 10), (8, 10): N = 30, X = 15, mu = 0.5, rates 0.2, 0.5, 0.8
    # S      = 10 * (0.3^2 + 0 + 0.3^2) = 1.8
    # design = N - sum n^2 / N - (k - 1) = 30 - 300/30 - 2 = 18
    # tau^2  = (1.8 - 2 * 0.25) / 18 = 1.3 / 18 = 0.0722222
    # m      = 0.25 / 0.0722222 - 1 = 3.461538 - 1 = 2.461538 ; alpha = beta = 1.230769
    prior = estimate_beta_prior([2, 5, 8], [10, 10, 10])
    assert prior.method == "method_of_moments"
    assert prior.between_variance == pytest.approx(1.3 / 18)
    assert prior.alpha == pytest.approx(1.230769, abs=1e-6)
    assert prior.beta == pytest.approx(1.230769, abs=1e-6)
    assert prior.mean == pytest.approx(0.5)


def test_shrunken_rate_and_reliability_hand_worked():
    # provider 1: (2 + 1.230769) / (10 + 2.461538) = 3.230769 / 12.461538 = 0.259259
    # reliability = 0.0722222 / (0.0722222 + 0.25/10) = 0.0722222 / 0.0972222 = 0.742857
    #             = n / (n + m + 1) = 10 / 13.461538
    scored = shrink_rates([2, 5, 8], [10, 10, 10])
    np.testing.assert_allclose(scored.shrunken_rate, [0.259259, 0.5, 0.740741], atol=1e-6)
    np.testing.assert_allclose(scored.reliability, [0.742857] * 3, atol=1e-6)
    # reliability passes 0.7 but the caseload is under 20: not ranked
    assert scored.too_few_cases.tolist() == [True, True, True]


def test_shrinkage_moves_toward_prior_mean_and_intervals_contain_the_estimate():
    rng = np.random.default_rng(11)
    true_rates = rng.beta(30, 20, 300)
    n = rng.integers(1, 400, 300)
    x = rng.binomial(n, true_rates)
    scored = shrink_rates(x, n)
    mu = scored.prior.mean
    raw = x / n
    assert np.all(np.abs(scored.shrunken_rate - mu) <= np.abs(raw - mu) + 1e-12)
    assert np.all(np.sign(scored.shrunken_rate - mu) * np.sign(raw - mu) >= 0)
    assert np.all((scored.lower <= scored.shrunken_rate) & (scored.shrunken_rate <= scored.upper))
    assert np.all((scored.reliability >= 0) & (scored.reliability <= 1))
    # more cases -> more reliable, less shrunk
    order = np.argsort(n)
    assert np.all(np.diff(scored.reliability[order]) >= -1e-12)
    # the fitted prior recovers the simulated spread roughly: Var(Beta(30, 20)) = 0.0047
    assert 0.002 < scored.prior.between_variance < 0.008


def test_identical_rates_fall_back_to_full_shrinkage_and_are_not_ranked():
    scored = shrink_rates([30, 30, 30, 30], [100, 100, 100, 100])
    assert scored.prior.method == "fallback_no_between_provider_variation"
    assert scored.prior.alpha == pytest.approx(120.5) and scored.prior.beta == pytest.approx(280.5)
    np.testing.assert_allclose(scored.reliability, 0.0)
    assert scored.too_few_cases.all()
    np.testing.assert_allclose(scored.shrunken_rate, (30 + 120.5) / (100 + 401), atol=1e-12)


def test_single_provider_all_successes_and_zero_denominator():
    single = shrink_rates([12], [12])
    assert single.prior.method == "fallback_fewer_than_two_providers"
    assert single.prior.mean == pytest.approx(12.5 / 13)
    assert 0 < single.lower[0] <= single.shrunken_rate[0] <= single.upper[0] <= 1
    assert single.too_few_cases[0]

    all_successes = shrink_rates([50, 40, 0], [50, 40, 0])
    assert all_successes.prior.method == "fallback_plan_rate_at_boundary"
    assert np.isnan(all_successes.raw_rate[2])
    assert all_successes.reliability[2] == 0.0 and all_successes.too_few_cases[2]
    # an empty provider gets the prior itself
    assert all_successes.shrunken_rate[2] == pytest.approx(all_successes.prior.mean)


def test_reliability_bounds_and_minimum_caseload_flag():
    values = reliability([0, 1, 10, 1000, 10**7], between_variance=0.01, plan_rate=0.5)
    assert values[0] == 0.0 and np.all(np.diff(values) > 0) and values[-1] < 1.0
    rng = np.random.default_rng(3)
    n = rng.integers(5, 3000, 200)
    x = rng.binomial(n, rng.beta(4, 4, 200))
    scored = shrink_rates(x, n)
    assert scored.too_few_cases[n < MIN_CASES_FOR_RANKING].all()
    ranked = ~scored.too_few_cases
    assert (scored.reliability[ranked] >= 0.7).all() and ranked.any()


def test_shrink_frame_fits_one_prior_per_measure():
    frame = pl.DataFrame({
        "measure_id": ["BCS"] * 3 + ["GSD"] * 3,
        "provider_npi": ["1", "2", "3"] * 2,
        "numerator": [2, 5, 8, 30, 30, 30],
        "denominator": [10, 10, 10, 100, 100, 100],
    })
    result = shrink_frame(frame)
    assert result.height == 6
    bcs = result.filter(pl.col("measure_id") == "BCS")
    gsd = result.filter(pl.col("measure_id") == "GSD")
    np.testing.assert_allclose(bcs["shrunken_rate"].to_numpy(), [0.259259, 0.5, 0.740741], atol=1e-6)
    assert gsd["prior_method"].unique().to_list() == ["fallback_no_between_provider_variation"]
    assert shrink_frame(frame.clear()).height == 0
