"""Rates with Wilson score intervals, the reportability rule and the direction of inverse measures.

The Wilson interval is used rather than the textbook normal ("Wald") interval because quality rates
are often near 0 or 1 and denominators are small; the Wald interval then collapses to zero width or
leaves [0, 1], the Wilson interval does neither (Brown, Cai & DasGupta 2001).

Every function accepts array-likes (lists, NumPy arrays, Polars Series) and returns NumPy arrays, with
NaN standing for "no value" (a zero denominator). The Polars expression helpers return nulls instead,
which is what tables should store.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray

Z_95 = 1.959963984540054
"""Two-sided 95% standard-normal quantile (the 97.5th percentile)."""

Z_998 = 3.090232306167813
"""Two-sided 99.8% standard-normal quantile (the 99.9th percentile), the funnel plot's outer limit."""

REPORTABLE_MIN_DENOMINATOR = 30
"""Plan rates with fewer cases than this are shown but marked not reportable (plan-program spec, section 6)."""

INVERSE_MEASURES: frozenset[str] = frozenset({"GSD"})
"""Measures where a lower rate is better. Only GSD (HbA1c / GMI > 9%) is truly inverse (measures spec, note 12)."""

Direction = Literal["higher_is_better", "lower_is_better"]


def as_float_array(values: ArrayLike) -> NDArray[np.float64]:
    """Lists, NumPy arrays and Polars Series as a float64 array (Polars nulls become NaN)."""
    if isinstance(values, pl.Series):
        return values.cast(pl.Float64).to_numpy()
    return np.asarray(values, dtype=np.float64)


def observed_rate(numerator: ArrayLike, denominator: ArrayLike) -> NDArray[np.float64]:
    """numerator / denominator, NaN where the denominator is 0."""
    x = as_float_array(numerator)
    n = as_float_array(denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, x / np.where(n > 0, n, 1.0), np.nan)


def wilson_interval(numerator: ArrayLike, denominator: ArrayLike,
                    z: float = Z_95) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Wilson score interval (lower, upper) for each numerator / denominator pair; NaN when n = 0.

    lower, upper = (p + z^2/(2n) -/+ z * sqrt(p(1-p)/n + z^2/(4n^2))) / (1 + z^2/n)
    """
    x = as_float_array(numerator)
    n = as_float_array(denominator)
    has_cases = n > 0
    safe_n = np.where(has_cases, n, 1.0)
    p = x / safe_n
    z2_over_n = z * z / safe_n
    centre = (p + z2_over_n / 2.0) / (1.0 + z2_over_n)
    half_width = (z / (1.0 + z2_over_n)) * np.sqrt(np.maximum(p * (1.0 - p) / safe_n + z2_over_n / (4.0 * safe_n), 0.0))
    lower = np.where(has_cases, np.clip(centre - half_width, 0.0, 1.0), np.nan)
    upper = np.where(has_cases, np.clip(centre + half_width, 0.0, 1.0), np.nan)
    return lower, upper


def wilson_exprs(numerator: str | pl.Expr, denominator: str | pl.Expr,
                 z: float = Z_95) -> tuple[pl.Expr, pl.Expr]:
    """Polars expressions for the Wilson bounds (null when the denominator is 0 or null).

    Same formula as `wilson_interval`, written as expressions so lazy frames and group-by results can
    take the interval without leaving Polars. Alias them yourself, e.g. `.alias("rate_lower")`.
    """
    x = pl.col(numerator) if isinstance(numerator, str) else numerator
    n = pl.col(denominator) if isinstance(denominator, str) else denominator
    x = x.cast(pl.Float64)
    n = n.cast(pl.Float64)
    p = x / n
    z2_over_n = z * z / n
    centre = (p + z2_over_n / 2.0) / (1.0 + z2_over_n)
    half_width = (z / (1.0 + z2_over_n)) * (p * (1.0 - p) / n + z2_over_n / (4.0 * n)).clip(lower_bound=0.0).sqrt()
    lower = pl.when(n > 0).then((centre - half_width).clip(0.0, 1.0)).otherwise(None)
    upper = pl.when(n > 0).then((centre + half_width).clip(0.0, 1.0)).otherwise(None)
    return lower, upper


def reportable(denominator: ArrayLike, minimum: int = REPORTABLE_MIN_DENOMINATOR) -> NDArray[np.bool_]:
    """True where the denominator reaches the reporting minimum (30 by default)."""
    return as_float_array(denominator) >= minimum


def is_inverse(measure_id: str) -> bool:
    """True for measures where a lower rate is better."""
    return measure_id.upper() in INVERSE_MEASURES


def direction(measure_id: str) -> Direction:
    """The direction flag every view shows next to a rate."""
    return "lower_is_better" if is_inverse(measure_id) else "higher_is_better"


def direction_label(measure_id: str) -> str:
    """Human wording of the direction flag, for chart titles and table headers."""
    return "lower is better" if is_inverse(measure_id) else "higher is better"


def inverse_flags(measure_ids: ArrayLike) -> NDArray[np.bool_]:
    """Vectorised `is_inverse` for a column of measure ids."""
    ids = measure_ids.to_numpy() if isinstance(measure_ids, pl.Series) else np.asarray(measure_ids)
    return np.isin(np.char.upper(ids.astype(str)), sorted(INVERSE_MEASURES))


def performance_rate(rate: ArrayLike, inverse: ArrayLike | bool) -> NDArray[np.float64]:
    """The rate turned so that higher is always better: 1 - rate for inverse measures.

    Composites, percentile ranks and stars work on this orientation so a provider with few poorly
    controlled diabetics (a low GSD rate) scores high like a provider with many screenings.
    """
    values = as_float_array(rate)
    flip = np.broadcast_to(np.asarray(inverse, dtype=bool), values.shape)
    return np.where(flip, 1.0 - values, values)


def performance_counts(numerator: ArrayLike, denominator: ArrayLike,
                       inverse: ArrayLike | bool) -> NDArray[np.float64]:
    """Numerators turned so that higher is better: denominator - numerator for inverse measures."""
    x = as_float_array(numerator)
    n = as_float_array(denominator)
    flip = np.broadcast_to(np.asarray(inverse, dtype=bool), x.shape)
    return np.where(flip, n - x, x)
