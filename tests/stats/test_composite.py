"""Provider composites (opportunity-weighted and mean of shrunken rates) and percentile ranks."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from pipelines.stats.composite import percentile_rank, provider_composites


def _provider_measures() -> pl.DataFrame:
    return pl.DataFrame({
        "provider_npi": ["A", "A", "B", "B"],
        "measure_id": ["BCS", "GSD", "BCS", "GSD"],
        "numerator": [30, 10, 5, 0],
        "denominator": [40, 50, 10, 0],
        "shrunken_rate": [0.70, 0.25, 0.55, None],
        "too_few_cases": [False, True, True, True],
    })


def test_opportunity_weighted_composite_turns_inverse_measures_into_their_complement():
    # A: BCS 30/40 ; GSD 10/50 poorly controlled -> 40/50 well controlled
    #    (30 + 40) / (40 + 50) = 70 / 90 = 0.777778
    # B: BCS 5/10 ; GSD has no cases and is ignored -> 5 / 10 = 0.5
    result = provider_composites(_provider_measures())
    a, b = result.row(0, named=True), result.row(1, named=True)
    assert a["provider_npi"] == "A" and a["opportunities"] == 90 and a["performance_successes"] == 70
    assert a["opportunity_weighted_score"] == pytest.approx(70 / 90)
    assert b["measures"] == 1 and b["opportunity_weighted_score"] == pytest.approx(0.5)


def test_mean_shrunken_composite_and_ranked_flag():
    # A: mean(0.70, 1 - 0.25) = mean(0.70, 0.75) = 0.725 ; one reliable measure -> ranked
    # B: only BCS 0.55, flagged too few cases -> not ranked
    result = provider_composites(_provider_measures())
    assert result["mean_shrunken_score"].to_list() == pytest.approx([0.725, 0.55])
    assert result["reliable_measures"].to_list() == [1, 0]
    assert result["ranked"].to_list() == [True, False]


def test_lower_gsd_rate_raises_the_composite():
    frame = _provider_measures()
    better = frame.with_columns(pl.when(pl.col("measure_id") == "GSD").then(pl.col("numerator") - 5)
                                .otherwise(pl.col("numerator")).alias("numerator"))
    before = provider_composites(frame)["opportunity_weighted_score"][0]
    after = provider_composites(better)["opportunity_weighted_score"][0]
    assert after > before


def test_composite_without_shrinkage_columns():
    result = provider_composites(_provider_measures().drop("shrunken_rate", "too_few_cases"),
                                 shrunken_rate=None, too_few_cases=None)
    assert "mean_shrunken_score" not in result.columns and result["ranked"].all()


def test_percentile_rank_hand_worked_with_ties_and_missing():
    # scores 0.2, 0.5, 0.5, 0.9 (and one unranked NaN)
    # 0.2: (0 below + 0.5 * 1 equal) / 4 = 12.5 ; 0.5: (1 + 0.5 * 2) / 4 = 50 ; 0.9: (3 + 0.5) / 4 = 87.5
    ranks = percentile_rank([0.2, 0.5, np.nan, 0.5, 0.9])
    np.testing.assert_allclose(ranks, [12.5, 50.0, np.nan, 50.0, 87.5])


def test_percentile_rank_edge_cases():
    assert percentile_rank([0.7]).tolist() == [50.0]
    assert percentile_rank([0.3, 0.3, 0.3]).tolist() == [50.0, 50.0, 50.0]
    assert np.isnan(percentile_rank([np.nan])).all() and percentile_rank([]).size == 0
    rng = np.random.default_rng(2)
    scores = rng.uniform(size=500)
    ranks = percentile_rank(scores)
    order = np.argsort(scores)
    assert np.all(np.diff(ranks[order]) > 0) and ranks.min() > 0 and ranks.max() < 100
