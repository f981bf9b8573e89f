"""All provider x measure scores in one call: Wilson interval, shrunken rate, reliability, funnel flag.

This is the entry point the scores layer calls: it chains rates.py, shrinkage.py and funnel.py so
that every provider x measure row carries the same columns, documented once here:

    numerator, denominator                 as given
    raw_rate, wilson_lower, wilson_upper   observed rate and its 95% Wilson interval (null when n = 0)
    direction                              "higher_is_better" or "lower_is_better" (GSD)
    shrunken_rate, shrunken_lower, shrunken_upper, reliability, too_few_cases,
    prior_alpha, prior_beta, prior_method  empirical Bayes (shrinkage.py), one prior per group
    funnel_target, funnel_z, funnel_z_adjusted, funnel_beyond_95, funnel_beyond_998, funnel_flag,
    funnel_phi, funnel_tau2                funnel plot (funnel.py), one target per group
    ranked                                 not too_few_cases: the rows that enter ranks and stars

"Significantly better / worse" (funnel_flag) and "too few cases" are separate facts and both are
kept: a small provider can be far enough out to be flagged and still too small to be ranked.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from pipelines.stats.funnel import funnel_frame
from pipelines.stats.rates import INVERSE_MEASURES, wilson_exprs
from pipelines.stats.shrinkage import shrink_frame


def provider_measure_scores(frame: pl.DataFrame, *, group_by: Sequence[str] = ("measure_id",),
                            measure_column: str = "measure_id", numerator: str = "numerator",
                            denominator: str = "denominator", target_column: str | None = None,
                            correct_overdispersion: bool = True) -> pl.DataFrame:
    """Score every provider x measure row of `frame` (one prior and one funnel target per `group_by` group)."""
    lower, upper = wilson_exprs(numerator, denominator)
    with_intervals = frame.with_columns(
        lower.alias("wilson_lower"), upper.alias("wilson_upper"),
        pl.when(pl.col(measure_column).str.to_uppercase().is_in(sorted(INVERSE_MEASURES)))
        .then(pl.lit("lower_is_better")).otherwise(pl.lit("higher_is_better")).alias("direction"))
    shrunk = shrink_frame(with_intervals, group_by=group_by, numerator=numerator, denominator=denominator)
    scored = funnel_frame(shrunk, group_by=group_by, measure_column=measure_column, numerator=numerator,
                          denominator=denominator, correct_overdispersion=correct_overdispersion,
                          target_column=target_column)
    return scored.with_columns((~pl.col("too_few_cases")).alias("ranked"))
