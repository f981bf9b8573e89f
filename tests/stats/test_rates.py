"""Wilson intervals, reportability and inverse-measure direction, against hand-worked values."""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.stats.rates import (Z_95, direction, direction_label, inverse_flags, is_inverse,
                                   observed_rate, performance_counts, performance_rate, reportable,
                                   wilson_exprs, wilson_interval)


def test_wilson_interval_hand_worked_8_of_10():
    # p = 0.8, n = 10, z = 1.959964, z^2 = 3.841459, z^2/n = 0.3841459
    # centre = (0.8 + 0.3841459/2) / 1.3841459 = 0.9920729 / 1.3841459 = 0.716744
    # half   = (1.959964 / 1.3841459) * sqrt(0.8*0.2/10 + 3.841459/400)
    #        = 1.416005 * sqrt(0.016 + 0.0096036) = 1.416005 * 0.160011 = 0.226576
    # -> (0.490168, 0.943320)
    lower, upper = wilson_interval([8], [10])
    assert abs(lower[0] - 0.490168) < 1e-5
    assert abs(upper[0] - 0.943320) < 1e-5


def test_wilson_interval_zero_successes_starts_at_zero():
    # p = 0: centre = half = (z^2/2n)/(1 + z^2/n), so upper = (z^2/n)/(1 + z^2/n) = 0.3841459/1.3841459
    lower, upper = wilson_interval([0], [10])
    assert lower[0] == 0.0
    assert abs(upper[0] - 0.3841459 / 1.3841459) < 1e-6


def test_wilson_interval_all_successes_ends_at_one_and_is_mirror_of_zero():
    lower_all, upper_all = wilson_interval([10], [10])
    lower_none, upper_none = wilson_interval([0], [10])
    assert abs(upper_all[0] - 1.0) < 1e-12
    assert abs(lower_all[0] - (1.0 - upper_none[0])) < 1e-12


def test_wilson_interval_zero_denominator_is_null():
    lower, upper = wilson_interval([0, 3], [0, 5])
    assert np.isnan(lower[0]) and np.isnan(upper[0])
    assert not np.isnan(lower[1])
    assert np.isnan(observed_rate([0], [0])[0])


def test_wilson_interval_contains_the_rate_and_narrows_with_n():
    rng = np.random.default_rng(7)
    n = rng.integers(1, 5000, 2000)
    x = rng.binomial(n, rng.uniform(0, 1, 2000))
    lower, upper = wilson_interval(x, n)
    rate = x / n
    assert np.all((lower <= rate + 1e-12) & (rate <= upper + 1e-12))
    assert np.all((lower >= 0) & (upper <= 1))
    small = np.subtract(*wilson_interval([30], [100])[::-1])
    large = np.subtract(*wilson_interval([300], [1000])[::-1])
    assert large[0] < small[0]


def test_wilson_exprs_match_numpy_and_give_nulls_for_empty_denominators():
    frame = pl.DataFrame({"num": [8, 0, 0, 45], "den": [10, 10, 0, 50]})
    lower_expr, upper_expr = wilson_exprs("num", "den", z=Z_95)
    result = frame.select(lower_expr.alias("lower"), upper_expr.alias("upper"))
    lower, upper = wilson_interval(frame["num"], frame["den"])
    assert result["lower"].null_count() == 1 and result["lower"][2] is None
    np.testing.assert_allclose(result["lower"].to_numpy()[[0, 1, 3]], lower[[0, 1, 3]], atol=1e-12)
    np.testing.assert_allclose(result["upper"].to_numpy()[[0, 1, 3]], upper[[0, 1, 3]], atol=1e-12)


def test_reportable_needs_thirty_cases():
    assert reportable([0, 29, 30, 31]).tolist() == [False, False, True, True]


def test_inverse_measures_flip_direction():
    assert is_inverse("GSD") and is_inverse("gsd") and not is_inverse("CBP")
    assert direction("GSD") == "lower_is_better" and direction("BCS") == "higher_is_better"
    assert direction_label("GSD") == "lower is better"
    assert inverse_flags(pl.Series(["GSD", "COL", "CIS"])).tolist() == [True, False, False]
    # a 20% poor-control rate is an 80% good-control performance; a 20% screening rate stays 20%
    np.testing.assert_allclose(performance_rate([0.2, 0.2], [True, False]), [0.8, 0.2])
    np.testing.assert_allclose(performance_counts([20, 20], [100, 100], [True, False]), [80, 20])
