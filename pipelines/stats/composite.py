"""Provider composites over measures and percentile ranks, always oriented so that higher is better.

Two composites are computed for every provider:

* opportunity-weighted: sum of numerators / sum of denominators across the provider's measures,
  with inverse measures (GSD) turned into their complement (denominator - numerator) first. It is
  what a provider can recompute from their own counts, but high-volume measures dominate it and it
  is as noisy as the raw rates for small panels.
* mean of shrunken rates: the plain average of the provider's empirical-Bayes rates (complement for
  inverse measures), each measure weighing the same and small panels already pulled toward the plan.

The dashboards rank and star on the mean of shrunken rates (fair to small panels, not dominated by
one measure) and show the opportunity-weighted composite beside it as the reproducible raw figure.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray

from pipelines.stats.rates import INVERSE_MEASURES


def _is_inverse_expr(measure: str) -> pl.Expr:
    return pl.col(measure).str.to_uppercase().is_in(sorted(INVERSE_MEASURES))


def provider_composites(frame: pl.DataFrame, *, provider: str = "provider_npi", measure: str = "measure_id",
                        numerator: str = "numerator", denominator: str = "denominator",
                        shrunken_rate: str | None = "shrunken_rate",
                        too_few_cases: str | None = "too_few_cases") -> pl.DataFrame:
    """One row per provider with both composites.

    Input: one row per provider x measure (the shrinkage output fits). Rows with a zero denominator
    are ignored. Output columns: provider, measures, opportunities, performance_successes,
    opportunity_weighted_score, mean_shrunken_score (if `shrunken_rate` is given), reliable_measures
    (measures not flagged too few cases, if `too_few_cases` is given) and ranked (at least one
    reliable measure; the only providers that get percentile ranks and stars).
    """
    inverse = _is_inverse_expr(measure)
    with_cases = frame.filter(pl.col(denominator) > 0)
    performance_numerator = pl.when(inverse).then(pl.col(denominator) - pl.col(numerator)).otherwise(pl.col(numerator))
    aggregations = [
        pl.col(measure).n_unique().alias("measures"),
        pl.col(denominator).sum().alias("opportunities"),
        performance_numerator.sum().alias("performance_successes"),
    ]
    if shrunken_rate is not None:
        performance_shrunken = pl.when(inverse).then(1.0 - pl.col(shrunken_rate)).otherwise(pl.col(shrunken_rate))
        aggregations.append(performance_shrunken.mean().alias("mean_shrunken_score"))
    if too_few_cases is not None:
        aggregations.append((~pl.col(too_few_cases)).sum().alias("reliable_measures"))
    result = (with_cases.group_by(provider, maintain_order=True).agg(aggregations)
              .with_columns((pl.col("performance_successes") / pl.col("opportunities"))
                            .alias("opportunity_weighted_score")))
    ranked = pl.col("reliable_measures") > 0 if too_few_cases is not None else pl.lit(True)
    return result.with_columns(ranked.alias("ranked")).sort(provider)


def percentile_rank(scores: ArrayLike) -> NDArray[np.float64]:
    """Mid-rank percentile (0-100) of each score among the finite scores; NaN scores get NaN.

    percentile = 100 * (number below + half the number equal) / count, so tied providers share a
    rank, a lone provider sits at 50 and no one reaches exactly 0 or 100.
    """
    values = np.asarray(scores, dtype=np.float64)
    finite = np.isfinite(values)
    ordered = np.sort(values[finite])
    result = np.full(values.shape, np.nan)
    if ordered.size == 0:
        return result
    below = np.searchsorted(ordered, values[finite], side="left")
    below_or_equal = np.searchsorted(ordered, values[finite], side="right")
    result[finite] = 100.0 * (below + 0.5 * (below_or_equal - below)) / ordered.size
    return result
