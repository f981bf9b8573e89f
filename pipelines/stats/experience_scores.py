"""Member-experience scores per unit from the long survey_response table, case-mix adjusted.

One row per unit x measure x scoring, where a measure is a CAHPS composite (getting_needed_care,
getting_care_quickly, doctor_communication, customer_service) or a global rating
(rating_health_plan, rating_health_care, rating_personal_doctor, rating_specialist), and scoring is
"top_box" (percent of answers in the top box) or "mean_0_100" (answers on the 0-100 scale).

Composites are scored at the respondent level: each respondent's composite score is the mean of the
composite's items they answered, and that score is case-mix adjusted like any single item. This
keeps one respondent count and one reliability per composite (a respondent who answered one of two
items counts once), which an item-by-item average would not give. Both scales are 0-100, so a
top-box score of 62.5 means 62.5% of answers were in the top box. Adjustment and display rules are
those of casemix.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from pipelines.stats.casemix import (STANDARD_ADJUSTERS, case_mix_adjust, encode_adjusters, item_type_expr,
                                     linear_score_expr, top_box_expr)

SCORINGS = {"top_box": "_top_box", "mean_0_100": "_linear"}


def measure_of_item_expr(item_id: str = "item_id") -> pl.Expr:
    """The composite an item belongs to (item id without its trailing _<number>), or the rating itself."""
    return (pl.when(item_type_expr(item_id) == "composite")
            .then(pl.col(item_id).str.replace(r"_\d+$", ""))
            .otherwise(pl.col(item_id)))


def experience_scores(responses: pl.DataFrame, *, unit: str, respondent: str = "respondent_id",
                      adjusters: Sequence[str] = STANDARD_ADJUSTERS,
                      categorical: Sequence[str] = ()) -> pl.DataFrame:
    """Unadjusted and case-mix adjusted 0-100 scores per unit x measure x scoring, with display status.

    `responses` follows the survey_response contract (item_id, response and the text adjusters),
    filtered to one survey type; `unit` names the column that identifies the unit (e.g.
    provider_npi for clinician-group surveys, or a constant column for the plan).
    """
    present_adjusters = [a for a in adjusters if a in responses.columns]
    scored = (encode_adjusters(responses)
              .with_columns(item_type_expr().alias("_item_type"), measure_of_item_expr().alias("measure"))
              .filter(pl.col("_item_type").is_not_null())
              .with_columns((top_box_expr("_item_type") * 100.0).alias("_top_box"),
                            linear_score_expr("_item_type").alias("_linear")))
    per_respondent = scored.group_by([respondent, unit, "measure"], maintain_order=True).agg(
        pl.col("_top_box").mean(), pl.col("_linear").mean(),
        *[pl.col(a).drop_nulls().first().alias(a) for a in present_adjusters])
    parts = []
    for (measure,), answers in per_respondent.group_by(["measure"], maintain_order=True):
        for scoring, column in SCORINGS.items():
            adjusted = case_mix_adjust(answers, unit=unit, score=column, adjusters=present_adjusters,
                                       categorical=categorical)
            parts.append(adjusted.units.with_columns(pl.lit(measure).alias("measure"),
                                                     pl.lit(scoring).alias("scoring")))
    if not parts:
        return pl.DataFrame()
    result = pl.concat(parts)
    leading = [unit, "measure", "scoring"]
    return result.select(leading + [c for c in result.columns if c not in leading]).sort(leading)
