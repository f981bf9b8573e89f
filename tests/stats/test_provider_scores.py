"""The combined provider x measure scoring: columns, consistency with the parts, invariants."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from pipelines.stats.provider_scores import provider_measure_scores
from pipelines.stats.rates import wilson_interval
from pipelines.stats.shrinkage import shrink_rates


def _scores_input() -> pl.DataFrame:
    rng = np.random.default_rng(8)
    providers = [f"{1_000_000_000 + i}" for i in range(60)]
    denominators = np.concatenate([[0, 5], rng.integers(10, 400, 58)])
    rows = []
    for measure, rate in [("BCS", 0.7), ("GSD", 0.25)]:
        numerators = rng.binomial(denominators, rate)
        rows.append(pl.DataFrame({"provider_npi": providers, "measure_id": measure,
                                  "numerator": numerators, "denominator": denominators}))
    return pl.concat(rows)


def test_scores_match_the_parts_and_keep_every_row():
    frame = _scores_input()
    scored = provider_measure_scores(frame)
    assert scored.height == frame.height
    bcs = scored.filter(pl.col("measure_id") == "BCS")
    lower, upper = wilson_interval(bcs["numerator"], bcs["denominator"])
    np.testing.assert_allclose(bcs["wilson_lower"].to_numpy()[1:], lower[1:])
    assert bcs["wilson_lower"][0] is None and bcs["raw_rate"][0] is None
    expected = shrink_rates(bcs["numerator"], bcs["denominator"])
    np.testing.assert_allclose(bcs["shrunken_rate"].to_numpy(), expected.shrunken_rate)
    assert scored.filter(pl.col("measure_id") == "GSD")["direction"].unique().to_list() == ["lower_is_better"]
    assert bcs["direction"].unique().to_list() == ["higher_is_better"]
    assert (scored["ranked"] == ~scored["too_few_cases"]).all()


def test_invariants_that_the_asset_checks_rely_on():
    scored = provider_measure_scores(_scores_input()).filter(pl.col("denominator") > 0)
    assert (scored["numerator"] <= scored["denominator"]).all()
    for column in ("raw_rate", "wilson_lower", "wilson_upper", "shrunken_rate", "shrunken_lower",
                   "shrunken_upper", "reliability"):
        assert scored[column].is_between(0.0, 1.0).all(), column
    assert (scored["wilson_lower"] <= scored["raw_rate"]).all() and (scored["raw_rate"] <= scored["wilson_upper"]).all()
    assert ((scored["shrunken_lower"] <= scored["shrunken_rate"])
            & (scored["shrunken_rate"] <= scored["shrunken_upper"])).all()
    assert scored.filter(pl.col("denominator") < 20)["ranked"].not_().all()


def test_given_plan_rate_is_used_as_the_funnel_target():
    frame = _scores_input().with_columns(pl.lit(0.5).alias("plan_rate"))
    scored = provider_measure_scores(frame, target_column="plan_rate")
    assert scored["funnel_target"].unique().to_list() == [pytest.approx(0.5)]
