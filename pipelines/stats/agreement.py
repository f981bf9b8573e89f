"""Inter-rater reliability on re-reviewed chart audits: percent agreement and Cohen's kappa.

A sample of audits is reviewed a second time, independently, by another reviewer (review_round 2).
For each audit x element the round-1 and round-2 results (pass / fail / not_applicable) form a pair.

    percent agreement  p_o = pairs with the same result / pairs
    chance agreement   p_e = sum over results c of (share of c from rater 1) x (share of c from rater 2)
    Cohen's kappa          = (p_o - p_e) / (1 - p_e)

Kappa is undefined (null) when p_e = 1, i.e. both raters gave one and the same result to every
chart, so agreement cannot be told apart from chance. Per element, rater 1 is the round-1 review
and rater 2 the round-2 review. Per reviewer pair, the pair is named (reviewer_a, reviewer_b) in
alphabetical order and rater 1 is always reviewer_a, whichever round they did. Reviewers whose
percent agreement across all their paired reviews is below 95% are flagged for retraining.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

RESULT_CATEGORIES = ("pass", "fail", "not_applicable")
AGREEMENT_THRESHOLD = 0.95


def cohens_kappa(confusion: ArrayLike) -> float:
    """Kappa from a square table of counts (rows rater 1, columns rater 2); NaN if empty or p_e = 1."""
    table = np.asarray(confusion, dtype=np.float64)
    total = table.sum()
    if total <= 0:
        return float("nan")
    observed = np.trace(table) / total
    expected = float(np.sum(table.sum(axis=1) * table.sum(axis=0)) / total**2)
    if expected >= 1.0:
        return float("nan")
    return float((observed - expected) / (1.0 - expected))


def paired_reviews(audits: pl.DataFrame) -> pl.DataFrame:
    """One row per audit x element reviewed in both rounds.

    Columns audit_id, element, reviewer_first, result_first (round 1), reviewer_second,
    result_second (round 2), and reviewer_a / result_a / reviewer_b / result_b with the pair in
    alphabetical order of reviewer id.
    """
    keep = ["audit_id", "element", "reviewer_id", "result"]
    first = (audits.filter(pl.col("review_round").cast(pl.Int64) == 1).select(keep)
             .rename({"reviewer_id": "reviewer_first", "result": "result_first"}))
    second = (audits.filter(pl.col("review_round").cast(pl.Int64) == 2).select(keep)
              .rename({"reviewer_id": "reviewer_second", "result": "result_second"}))
    pairs = first.join(second, on=["audit_id", "element"], how="inner")
    first_is_a = pl.col("reviewer_first") <= pl.col("reviewer_second")
    return pairs.with_columns(
        pl.when(first_is_a).then(pl.col("reviewer_first")).otherwise(pl.col("reviewer_second")).alias("reviewer_a"),
        pl.when(first_is_a).then(pl.col("result_first")).otherwise(pl.col("result_second")).alias("result_a"),
        pl.when(first_is_a).then(pl.col("reviewer_second")).otherwise(pl.col("reviewer_first")).alias("reviewer_b"),
        pl.when(first_is_a).then(pl.col("result_second")).otherwise(pl.col("result_first")).alias("result_b"),
    )


def agreement_by(pairs: pl.DataFrame, keys: Sequence[str], *, rater_1: str, rater_2: str) -> pl.DataFrame:
    """Pairs compared, agreements, percent agreement, expected (chance) agreement and kappa per group."""
    counts = [pl.len().alias("pairs_compared"),
              (pl.col(rater_1) == pl.col(rater_2)).sum().alias("agreements")]
    for category in RESULT_CATEGORIES:
        counts.append((pl.col(rater_1) == category).sum().alias(f"_r1_{category}"))
        counts.append((pl.col(rater_2) == category).sum().alias(f"_r2_{category}"))
    n = pl.col("pairs_compared").cast(pl.Float64)
    expected = pl.sum_horizontal(
        [pl.col(f"_r1_{c}").cast(pl.Float64) * pl.col(f"_r2_{c}") for c in RESULT_CATEGORIES]) / (n * n)
    observed = pl.col("agreements") / n
    return (pairs.group_by(list(keys), maintain_order=True).agg(counts)
            .with_columns(observed.alias("percent_agreement"), expected.alias("expected_agreement"))
            .with_columns(pl.when(pl.col("expected_agreement") < 1.0)
                          .then((pl.col("percent_agreement") - pl.col("expected_agreement"))
                                / (1.0 - pl.col("expected_agreement")))
                          .otherwise(None).alias("kappa"))
            .drop([c for c in [f"_r{r}_{c}" for r in (1, 2) for c in RESULT_CATEGORIES]])
            .sort(list(keys)))


def agreement_by_element(audits: pl.DataFrame) -> pl.DataFrame:
    """Percent agreement and kappa per audited element (round 1 vs round 2)."""
    return agreement_by(paired_reviews(audits), ["element"], rater_1="result_first", rater_2="result_second")


def agreement_by_reviewer_pair(audits: pl.DataFrame) -> pl.DataFrame:
    """Percent agreement and kappa per reviewer pair over all elements and audits they both reviewed."""
    return agreement_by(paired_reviews(audits), ["reviewer_a", "reviewer_b"], rater_1="result_a", rater_2="result_b")


def reviewer_agreement(audits: pl.DataFrame, threshold: float = AGREEMENT_THRESHOLD) -> pl.DataFrame:
    """Each reviewer's percent agreement with whoever re-reviewed them (or whom they re-reviewed).

    Columns reviewer_id, pairs_compared, agreements, percent_agreement, below_threshold.
    """
    pairs = paired_reviews(audits)
    agrees = (pl.col("result_first") == pl.col("result_second")).alias("agrees")
    long = pl.concat([
        pairs.select(pl.col("reviewer_first").alias("reviewer_id"), agrees),
        pairs.select(pl.col("reviewer_second").alias("reviewer_id"), agrees),
    ])
    return (long.group_by("reviewer_id").agg(pl.len().alias("pairs_compared"),
                                            pl.col("agrees").sum().alias("agreements"))
            .with_columns((pl.col("agreements") / pl.col("pairs_compared")).alias("percent_agreement"))
            .with_columns((pl.col("percent_agreement") < threshold).alias("below_threshold"))
            .sort("reviewer_id"))
