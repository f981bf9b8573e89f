"""Impossible-value counts used by the asset checks."""

from __future__ import annotations

import polars as pl

from pipelines.stats.provider_scores import provider_measure_scores
from pipelines.stats.validity import has_impossible_values, impossible_value_counts


def test_each_rule_counts_the_rows_that_break_it():
    frame = pl.DataFrame({
        "numerator": [5, 12, -1, 0],
        "denominator": [10, 10, 10, 0],
        "raw_rate": [0.5, 1.2, None, None],
        "reliability": [0.9, -0.1, 1.0, 0.0],
        "wilson_lower": [0.2, 0.9, None, None],
        "wilson_upper": [0.8, 0.8, None, None],
    })
    counts = impossible_value_counts(frame)
    assert counts == {"raw_rate outside 0-1": 1, "wilson_lower outside 0-1": 0, "wilson_upper outside 0-1": 0,
                      "reliability outside 0-1": 1, "negative numerator": 1, "negative denominator": 0,
                      "numerator > denominator": 1, "wilson_lower > wilson_upper": 1}
    assert has_impossible_values(counts)


def test_scores_from_the_library_have_no_impossible_values():
    frame = pl.DataFrame({"provider_npi": ["1", "2", "3", "4"], "measure_id": ["BCS"] * 4,
                          "numerator": [0, 10, 30, 0], "denominator": [10, 10, 60, 0]})
    counts = impossible_value_counts(provider_measure_scores(frame))
    assert counts["numerator > denominator"] == 0 and "shrunken_rate outside 0-1" in counts
    assert not has_impossible_values(counts)
    assert impossible_value_counts(pl.DataFrame({"other": [1]})) == {}
