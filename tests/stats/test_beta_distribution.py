"""Beta-distribution helpers checked against closed forms that can be worked by hand."""

from __future__ import annotations

import math

import numpy as np

from pipelines.stats.beta_distribution import (beta_quantile, log_beta, log_gamma,
                                               regularized_incomplete_beta)


def test_log_gamma_matches_factorials_and_half_integer_values():
    # Gamma(n) = (n-1)!: Gamma(1) = 1, Gamma(5) = 24, Gamma(11) = 3,628,800; Gamma(1/2) = sqrt(pi)
    values = log_gamma([1.0, 5.0, 11.0, 0.5, 0.01])
    expected = [0.0, math.log(24.0), math.log(3628800.0), 0.5 * math.log(math.pi), math.lgamma(0.01)]
    np.testing.assert_allclose(values, expected, atol=1e-12)


def test_log_beta_of_one_and_b_is_minus_log_b():
    # B(1, b) = Gamma(1) Gamma(b) / Gamma(b + 1) = 1 / b
    np.testing.assert_allclose(log_beta(1.0, [2.0, 4.0, 10.0]), -np.log([2.0, 4.0, 10.0]), atol=1e-12)


def test_incomplete_beta_closed_forms():
    x = np.array([0.0, 0.1, 0.5, 0.9, 1.0])
    # Beta(1, 1) is uniform: I_x = x
    np.testing.assert_allclose(regularized_incomplete_beta(x, 1.0, 1.0), x, atol=1e-12)
    # Beta(a, 1): I_x = x^a ; Beta(1, b): I_x = 1 - (1 - x)^b
    np.testing.assert_allclose(regularized_incomplete_beta(x, 3.0, 1.0), x ** 3, atol=1e-12)
    np.testing.assert_allclose(regularized_incomplete_beta(x, 1.0, 4.0), 1 - (1 - x) ** 4, atol=1e-12)
    # Beta(2, 2): I_x = 3x^2 - 2x^3, so I_0.25 = 0.1875 - 0.03125 = 0.15625
    assert abs(regularized_incomplete_beta(0.25, 2.0, 2.0) - 0.15625) < 1e-12


def test_incomplete_beta_is_symmetric_and_monotone_for_large_parameters():
    x = np.linspace(0.001, 0.999, 200)
    a, b = 350.0, 1900.0
    cdf = regularized_incomplete_beta(x, a, b)
    assert np.all(np.diff(cdf) >= -1e-14)
    np.testing.assert_allclose(cdf, 1 - regularized_incomplete_beta(1 - x, b, a), atol=1e-10)


def test_beta_quantile_inverts_closed_forms():
    q = np.array([0.025, 0.5, 0.975])
    np.testing.assert_allclose(beta_quantile(q, 1.0, 1.0), q, atol=1e-10)
    # Beta(a, 1): x^a = q  ->  x = q^(1/a)
    np.testing.assert_allclose(beta_quantile(q, 5.0, 1.0), q ** (1 / 5), atol=1e-10)
    # Beta(1, b): 1 - (1 - x)^b = q  ->  x = 1 - (1 - q)^(1/b)
    np.testing.assert_allclose(beta_quantile(q, 1.0, 7.0), 1 - (1 - q) ** (1 / 7), atol=1e-10)


def test_beta_quantile_round_trips_through_the_cdf():
    rng = np.random.default_rng(20261127)
    a = rng.uniform(0.05, 400.0, 500)
    b = rng.uniform(0.05, 4000.0, 500)
    q = rng.uniform(0.001, 0.999, 500)
    x = beta_quantile(q, a, b)
    assert np.all((x >= 0) & (x <= 1))
    np.testing.assert_allclose(regularized_incomplete_beta(x, a, b), q, atol=1e-9)
