"""CAHPS-style member-experience scores: top-box and 0-100 scoring, case-mix adjustment, reliability.

Scoring of one answer:
* composite items (1 never, 2 sometimes, 3 usually, 4 always): top box = "always" (4);
  0-100 score = (response - 1) / 3 x 100.
* ratings (0 worst .. 10 best): top box = 9 or 10; 0-100 score = response x 10.
A top-box percentage is 100 x the mean of the 0/1 top-box scores.

Case-mix adjustment. Members who are older, less educated or in better self-rated health answer
more favourably whatever care they got, so units (plans, provider groups) serving different members
are compared after adjusting for these answers. For each score (one item at a time):

    score_ij = unit_j + sum_k b_k x_ijk + e_ij          (unit fixed effects, ordinary least squares)

The b_k are estimated within units (score and adjusters centred on their unit means), so they
describe how answers move with the adjusters inside a unit, not how units differ. Then

    adjusted mean_j = unadjusted mean_j + sum_k b_k (overall mean of x_k - unit j mean of x_k)

with the overall mean taken over all respondents: each unit is reported as if it served the
average member. Adjusters are coded as ordinal numbers by default, one slope each (age band 1-7
from 18-24 to 75+, education 1-6 from 8th grade or less to postgraduate, general and mental health
1 excellent .. 5 poor), as the CAHPS analysis program does; fewer coefficients keep small units
stable. Any adjuster may be listed as categorical instead (dummy coded against its first level).
A missing adjuster is replaced by the respondent's unit mean of that adjuster (CAHPS practice), so
it neither drops the respondent nor moves the unit's adjustment.

Reliability per unit = signal / (signal + noise): signal = between-unit variance of the adjusted
means (one-way ANOVA, max(0, (MSB - s_w^2) / n0)), noise = s_w^2 / n_j with s_w^2 the residual
variance of the fixed-effects regression (degrees of freedom N - units - coefficients).

Minimum respondents: a unit's score is shown only with at least 30 respondents (the publication
minimum used across this project); under 11 respondents (the privacy floor) the score is suppressed
everywhere, including internal views, because a handful of answers can identify a member.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.contract import SURVEY_ITEMS

MIN_RESPONDENTS_TO_SHOW = 30
PRIVACY_FLOOR_RESPONDENTS = 11
MIN_RELIABILITY = 0.7

ADJUSTER_CODES: dict[str, dict[str, int]] = {
    "age_band": {"18-24": 1, "25-34": 2, "35-44": 3, "45-54": 4, "55-64": 5, "65-74": 6, "75+": 7},
    "education": {"8th_grade_or_less": 1, "some_high_school": 2, "high_school": 3, "some_college": 4,
                  "college_graduate": 5, "postgraduate": 6},
    "general_health": {"excellent": 1, "very_good": 2, "good": 3, "fair": 4, "poor": 5},
    "mental_health": {"excellent": 1, "very_good": 2, "good": 3, "fair": 4, "poor": 5},
}
STANDARD_ADJUSTERS = tuple(ADJUSTER_CODES)


def item_type_expr(item_id: str = "item_id") -> pl.Expr:
    """"composite" or "rating" for each survey item, from the data contract."""
    return pl.col(item_id).replace_strict(SURVEY_ITEMS, default=None, return_dtype=pl.String)


def top_box_expr(item_type: str | pl.Expr, response: str = "response") -> pl.Expr:
    """1.0 when the answer is in the top box (always; 9-10), else 0.0; null for unknown item types."""
    kind = pl.col(item_type) if isinstance(item_type, str) else item_type
    answer = pl.col(response).cast(pl.Int64)
    return (pl.when(kind == "composite").then((answer == 4).cast(pl.Float64))
            .when(kind == "rating").then((answer >= 9).cast(pl.Float64))
            .otherwise(None))


def linear_score_expr(item_type: str | pl.Expr, response: str = "response") -> pl.Expr:
    """The answer on a 0-100 scale: (response - 1) / 3 x 100 for composites, response x 10 for ratings."""
    kind = pl.col(item_type) if isinstance(item_type, str) else item_type
    answer = pl.col(response).cast(pl.Float64)
    return (pl.when(kind == "composite").then((answer - 1.0) / 3.0 * 100.0)
            .when(kind == "rating").then(answer * 10.0)
            .otherwise(None))


def encode_adjusters(frame: pl.DataFrame, codes: Mapping[str, Mapping[str, int]] = ADJUSTER_CODES) -> pl.DataFrame:
    """Replace the text adjusters with their ordinal codes (unknown or missing -> null)."""
    return frame.with_columns(
        pl.col(name).replace_strict(dict(mapping), default=None, return_dtype=pl.Float64).alias(name)
        for name, mapping in codes.items() if name in frame.columns)


@dataclass(frozen=True)
class CaseMixResult:
    """Unit table plus the fitted coefficients and variances, kept for audit."""

    units: pl.DataFrame
    coefficients: dict[str, float]
    overall_means: dict[str, float]
    within_variance: float
    between_variance: float


def _design_columns(data: pl.DataFrame, unit: str, adjusters: Sequence[str],
                    categorical: Sequence[str]) -> tuple[pl.DataFrame, list[str]]:
    expressions, names = [], []
    for adjuster in adjusters:
        if adjuster in categorical:
            levels = sorted(data[adjuster].drop_nulls().unique().to_list())
            for level in levels[1:]:
                name = f"{adjuster}={level}"
                indicator = pl.when(pl.col(adjuster).is_null()).then(None).otherwise(
                    (pl.col(adjuster) == level).cast(pl.Float64))
                expressions.append(indicator.alias(name))
                names.append(name)
        else:
            expressions.append(pl.col(adjuster).cast(pl.Float64).alias(adjuster))
            names.append(adjuster)
    design = data.select(pl.col(unit), pl.col("_score"), *expressions)
    design = design.with_columns(
        pl.col(name).fill_null(pl.col(name).mean().over(unit)).fill_null(pl.col(name).mean()).fill_null(0.0)
        for name in names)
    return design, names


def case_mix_adjust(frame: pl.DataFrame, *, unit: str, score: str,
                    adjusters: Sequence[str] = STANDARD_ADJUSTERS,
                    categorical: Sequence[str] = ()) -> CaseMixResult:
    """Adjusted unit means with reliability and display status (module docstring for the method).

    `frame` has one row per respondent with the unit, the score (0/1 top box or 0-100) and numeric
    adjusters (use `encode_adjusters` first) or, for those listed in `categorical`, any labels.
    Respondents without a score are ignored. Unit columns: unit, respondents, unadjusted_mean,
    adjustment, adjusted_mean, reliability, display_status ("shown", "too_few_respondents",
    "suppressed_privacy"), low_reliability, shown_score (adjusted mean when shown, else null).
    """
    data = frame.filter(pl.col(score).is_not_null()).with_columns(pl.col(score).cast(pl.Float64).alias("_score"))
    design, names = _design_columns(data, unit, adjusters, categorical)
    centred = design.select(
        *[(pl.col(c) - pl.col(c).mean().over(unit)).alias(c) for c in ["_score", *names]])
    y_within = centred["_score"].to_numpy()
    x_within = centred.select(names).to_numpy() if names else np.zeros((design.height, 0))
    if names and design.height:
        slopes = np.linalg.lstsq(x_within, y_within, rcond=None)[0]
    else:
        slopes = np.zeros(len(names))
    overall = {name: float(design[name].mean()) for name in names} if design.height else {n: float("nan") for n in names}

    adjustment = pl.lit(0.0)
    for name, slope in zip(names, slopes):
        adjustment = adjustment + float(slope) * (overall[name] - pl.col(f"_mean_{name}"))
    units = (design.group_by(unit, maintain_order=True)
             .agg(pl.len().alias("respondents"), pl.col("_score").mean().alias("unadjusted_mean"),
                  *[pl.col(name).mean().alias(f"_mean_{name}") for name in names])
             .with_columns(adjustment.alias("adjustment"))
             .with_columns((pl.col("unadjusted_mean") + pl.col("adjustment")).alias("adjusted_mean"))
             .drop([f"_mean_{name}" for name in names])
             .sort(unit))

    respondents = units["respondents"].to_numpy().astype(np.float64)
    unit_count = units.height
    total = respondents.sum()
    residual = y_within - (x_within @ slopes if names else 0.0)
    residual_df = total - unit_count - np.linalg.matrix_rank(x_within) if names and design.height else total - unit_count
    within_variance = float(np.sum(residual**2) / residual_df) if residual_df > 0 else float("nan")
    between_variance = 0.0
    if unit_count >= 2 and np.isfinite(within_variance):
        adjusted = units["adjusted_mean"].to_numpy()
        weighted_mean = float(np.sum(respondents * adjusted) / total)
        between_mean_square = float(np.sum(respondents * (adjusted - weighted_mean) ** 2) / (unit_count - 1))
        typical_size = (total - np.sum(respondents**2) / total) / (unit_count - 1)
        between_variance = max(0.0, (between_mean_square - within_variance) / typical_size)
    if between_variance > 0.0:
        unit_reliability = between_variance / (between_variance + within_variance / respondents)
    else:
        unit_reliability = np.zeros(unit_count)

    status = (pl.when(pl.col("respondents") < PRIVACY_FLOOR_RESPONDENTS).then(pl.lit("suppressed_privacy"))
              .when(pl.col("respondents") < MIN_RESPONDENTS_TO_SHOW).then(pl.lit("too_few_respondents"))
              .otherwise(pl.lit("shown")))
    units = (units.with_columns(pl.Series("reliability", unit_reliability, dtype=pl.Float64), status.alias("display_status"))
             .with_columns((pl.col("reliability") < MIN_RELIABILITY).alias("low_reliability"),
                           pl.when(pl.col("display_status") == "shown").then(pl.col("adjusted_mean"))
                           .otherwise(None).alias("shown_score")))
    return CaseMixResult(units=units, coefficients={n: float(s) for n, s in zip(names, slopes)},
                         overall_means=overall, within_variance=within_variance, between_variance=between_variance)
