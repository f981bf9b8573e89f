"""Documentation compliance from chart audits: passes over applicable elements.

compliance = pass / (pass + fail); not_applicable elements count for neither. By default only
round-1 reviews are counted so that a re-reviewed chart is not counted twice (round 2 exists to
measure reviewer agreement, see agreement.py). A provider's audit score is shown only once at least
MIN_CHARTS_FOR_PROVIDER_SCORE distinct charts have been audited: fewer charts say more about which
charts were picked than about the provider.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

MIN_CHARTS_FOR_PROVIDER_SCORE = 10


def compliance_rates(audits: pl.DataFrame, by: Sequence[str], rounds: Sequence[int] = (1,)) -> pl.DataFrame:
    """Charts, passes, applicable elements and compliance per group (compliance null when nothing applied)."""
    selected = audits.filter(pl.col("review_round").cast(pl.Int64).is_in(list(rounds)))
    return (selected.group_by(list(by), maintain_order=True).agg(
                pl.col("audit_id").n_unique().alias("charts"),
                (pl.col("result") == "pass").sum().alias("passes"),
                (pl.col("result") != "not_applicable").sum().alias("applicable"))
            .with_columns(pl.when(pl.col("applicable") > 0)
                          .then(pl.col("passes") / pl.col("applicable")).otherwise(None).alias("compliance"))
            .sort(list(by)))


def provider_audit_scores(audits: pl.DataFrame, minimum_charts: int = MIN_CHARTS_FOR_PROVIDER_SCORE) -> pl.DataFrame:
    """Compliance per provider over all elements, with `scored` false below the minimum number of charts."""
    return compliance_rates(audits, ["provider_npi"]).with_columns(
        (pl.col("charts") >= minimum_charts).alias("scored"))
