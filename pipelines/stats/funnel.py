"""Funnel-plot z-scores against the plan rate, with Spiegelhalter's overdispersion correction.

A funnel plot draws each provider's rate against its caseload with control limits that narrow as
the caseload grows; a provider outside the 99.8% limits is "significantly better / worse". With
only binomial noise, 0.2% of average providers fall outside the 99.8% limits by chance.

Real provider rates vary more than binomial noise (case mix, coding, chance clusters), which would
push far more than 0.2% of ordinary providers outside the limits. Spiegelhalter (2005, "Funnel plots
for comparing institutional performance", Statistics in Medicine 24:1185-1202) corrects for this:

    s_i    = sqrt(target (1 - target) / n_i)                   binomial standard error at the target
    z_i    = (y_i - target) / s_i
    phi    = mean of z_i^2 after winsorising z at its 10th and 90th percentiles
    k phi is compared with chi-square(k - 1); when it exceeds the 95th percentile the providers are
    overdispersed and an additive random effect is estimated (DerSimonian-Laird style):
    tau^2  = max(0, (k phi - (k - 1)) / (sum w_i - sum w_i^2 / sum w_i)),   w_i = 1 / s_i^2
    z_adj  = (y_i - target) / sqrt(s_i^2 + tau^2)

Winsorising stops the few true outliers (the providers we want to find) from inflating phi and
hiding themselves. Limits use the normal approximation, target +/- z sqrt(s^2 + tau^2), clipped to
[0, 1]. Flags respect inverse measures: a GSD rate above the target is "worse".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray

from pipelines.stats.rates import Z_95, Z_998, as_float_array, inverse_flags, observed_rate

WINSOR_FRACTION = 0.10
_Z_95_ONE_SIDED = 1.6448536269514722


@dataclass(frozen=True)
class Overdispersion:
    """The overdispersion estimate stored with the scores so the limits can be redrawn."""

    phi: float
    tau2: float
    providers: int
    overdispersed: bool


def winsorise(values: ArrayLike, fraction: float = WINSOR_FRACTION) -> NDArray[np.float64]:
    """Pull values below the `fraction` quantile (and above 1 - fraction) in to those quantiles (linear interpolation)."""
    array = np.asarray(values, dtype=np.float64)
    if array.size == 0:
        return array
    low, high = np.quantile(array, [fraction, 1.0 - fraction])
    return np.clip(array, low, high)


def chi_square_upper_quantile(degrees_of_freedom: float, z: float = _Z_95_ONE_SIDED) -> float:
    """Wilson-Hilferty approximation to the chi-square quantile (good to ~1% from 3 degrees of freedom)."""
    nu = float(degrees_of_freedom)
    return nu * (1.0 - 2.0 / (9.0 * nu) + z * np.sqrt(2.0 / (9.0 * nu))) ** 3


def estimate_overdispersion(z: ArrayLike, weights: ArrayLike,
                            fraction: float = WINSOR_FRACTION) -> Overdispersion:
    """phi from winsorised z-scores and, when k phi beats chi-square(k-1) at 5%, the additive tau^2.

    `weights` are the inverse binomial variances 1 / s_i^2. NaN z-scores (empty providers) are ignored.
    """
    z_arr = np.asarray(z, dtype=np.float64)
    w_arr = np.asarray(weights, dtype=np.float64)
    usable = np.isfinite(z_arr) & np.isfinite(w_arr)
    z_arr, w_arr = z_arr[usable], w_arr[usable]
    k = int(z_arr.size)
    if k < 2:
        return Overdispersion(phi=float("nan"), tau2=0.0, providers=k, overdispersed=False)
    phi = float(np.mean(winsorise(z_arr, fraction) ** 2))
    overdispersed = k * phi > chi_square_upper_quantile(k - 1)
    tau2 = 0.0
    if overdispersed:
        spread = float(w_arr.sum() - np.sum(w_arr * w_arr) / w_arr.sum())
        tau2 = max(0.0, (k * phi - (k - 1)) / spread) if spread > 0 else 0.0
    return Overdispersion(phi=phi, tau2=tau2, providers=k, overdispersed=overdispersed)


@dataclass(frozen=True)
class FunnelScores:
    """Per-provider funnel results aligned with the inputs; flags are None where n = 0."""

    target: float
    rate: NDArray[np.float64]
    z: NDArray[np.float64]
    z_adjusted: NDArray[np.float64]
    beyond_95: NDArray[np.bool_]
    beyond_998: NDArray[np.bool_]
    flag: NDArray[np.object_]  # "better", "worse", "as_expected" or None
    overdispersion: Overdispersion


def funnel_scores(numerator: ArrayLike, denominator: ArrayLike, *, target: float | None = None,
                  inverse: bool = False, correct_overdispersion: bool = True,
                  fraction: float = WINSOR_FRACTION) -> FunnelScores:
    """z-scores (raw and overdispersion-adjusted) against `target` (default: the pooled plan rate) and flags.

    A provider is flagged at the 99.8% limit, two-sided: |z_adj| > 3.09. The flag names the
    direction of performance, not of the rate: for inverse measures a rate above target is "worse".
    """
    x = as_float_array(numerator)
    n = as_float_array(denominator)
    rate = observed_rate(x, n)
    has_cases = n > 0
    if target is None:
        total = n[has_cases].sum()
        target = float(x[has_cases].sum() / total) if total > 0 else float("nan")
    binomial_variance = target * (1.0 - target)
    scorable = has_cases & (binomial_variance > 0)
    safe_n = np.where(scorable, n, 1.0)
    variance = np.where(scorable, binomial_variance / safe_n, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(scorable, (rate - target) / np.sqrt(variance), np.nan)
        weights = np.where(scorable, 1.0 / variance, np.nan)
    overdispersion = (estimate_overdispersion(z, weights, fraction) if correct_overdispersion
                      else Overdispersion(phi=float("nan"), tau2=0.0, providers=int(scorable.sum()),
                                          overdispersed=False))
    with np.errstate(invalid="ignore"):
        z_adjusted = np.where(scorable, (rate - target) / np.sqrt(variance + overdispersion.tau2), np.nan)
    beyond_95 = scorable & (np.abs(np.nan_to_num(z_adjusted)) > Z_95)
    beyond_998 = scorable & (np.abs(np.nan_to_num(z_adjusted)) > Z_998)
    above = z_adjusted > 0
    good_side = ~above if inverse else above
    flag = np.where(beyond_998, np.where(good_side, "better", "worse"), "as_expected").astype(object)
    flag[~scorable] = None
    return FunnelScores(target=target, rate=rate, z=z, z_adjusted=z_adjusted, beyond_95=beyond_95,
                        beyond_998=beyond_998, flag=flag, overdispersion=overdispersion)


def funnel_limits(target: float, denominators: ArrayLike, *, tau2: float = 0.0,
                  points: int = 200) -> pl.DataFrame:
    """Limit curves for plotting: one row per caseload on a log-spaced grid across the providers' range.

    Columns n, lower_998, lower_95, target, upper_95, upper_998 (clipped to [0, 1]).
    """
    n = as_float_array(denominators)
    n = n[n > 0]
    if n.size == 0:
        grid = np.array([], dtype=np.float64)
    else:
        grid = np.unique(np.round(np.geomspace(max(1.0, n.min()), max(1.0, n.max()), points)))
    spread = np.sqrt(target * (1.0 - target) / grid + tau2) if grid.size else grid
    return pl.DataFrame({
        "n": grid.astype(np.int64),
        "lower_998": np.clip(target - Z_998 * spread, 0.0, 1.0),
        "lower_95": np.clip(target - Z_95 * spread, 0.0, 1.0),
        "target": np.full(grid.shape, target),
        "upper_95": np.clip(target + Z_95 * spread, 0.0, 1.0),
        "upper_998": np.clip(target + Z_998 * spread, 0.0, 1.0),
    }, schema={c: (pl.Int64 if c == "n" else pl.Float64) for c in
               ("n", "lower_998", "lower_95", "target", "upper_95", "upper_998")})


def funnel_frame(frame: pl.DataFrame, *, group_by: Sequence[str] = ("measure_id",),
                 measure_column: str = "measure_id", numerator: str = "numerator",
                 denominator: str = "denominator", correct_overdispersion: bool = True,
                 target_column: str | None = None) -> pl.DataFrame:
    """Add funnel columns to a provider x measure table, one target and tau^2 per `group_by` group.

    The target is each group's pooled rate, or the group's value of `target_column` when given (for
    example the published plan rate, which also counts unattributed members). Inverse direction
    comes from `measure_column`, which should be one of the `group_by` keys. Adds
    funnel_target, funnel_z, funnel_z_adjusted, funnel_beyond_95, funnel_beyond_998, funnel_flag,
    funnel_phi and funnel_tau2.
    """
    schema_additions = {"funnel_target": pl.Float64, "funnel_z": pl.Float64, "funnel_z_adjusted": pl.Float64,
                        "funnel_beyond_95": pl.Boolean, "funnel_beyond_998": pl.Boolean,
                        "funnel_flag": pl.String, "funnel_phi": pl.Float64, "funnel_tau2": pl.Float64}
    if frame.height == 0:
        return frame.with_columns(pl.lit(None, dtype).alias(name) for name, dtype in schema_additions.items())
    parts = []
    for _, group in frame.group_by(list(group_by), maintain_order=True):
        inverse = bool(inverse_flags(group[measure_column])[0])
        target = float(group[target_column][0]) if target_column is not None else None
        scored = funnel_scores(group[numerator], group[denominator], target=target, inverse=inverse,
                               correct_overdispersion=correct_overdispersion)
        parts.append(group.with_columns(
            pl.lit(scored.target).alias("funnel_target"),
            pl.Series("funnel_z", scored.z).fill_nan(None),
            pl.Series("funnel_z_adjusted", scored.z_adjusted).fill_nan(None),
            pl.Series("funnel_beyond_95", scored.beyond_95),
            pl.Series("funnel_beyond_998", scored.beyond_998),
            pl.Series("funnel_flag", scored.flag.tolist(), dtype=pl.String),
            pl.lit(scored.overdispersion.phi).alias("funnel_phi"),
            pl.lit(scored.overdispersion.tau2).alias("funnel_tau2"),
        ))
    return pl.concat(parts)
