"""Chart-audit scores of one measurement year, from staging.chart_audit through pipelines.stats.

An audit belongs to the year of its round-1 audit_date; its round-2 re-review (which may be dated
later) goes with it. Compliance (pass / applicable, round 1 only) per element, provider and
reviewer, and the provider audit score with its minimum of charts come from
`stats.audit_compliance`; percent agreement and Cohen's kappa per element and reviewer pair, and
the reviewers below 95% agreement, from `stats.agreement`.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.scores.store import clear_year, insert_frame, read_frame, year_params
from pipelines.stats.agreement import (AGREEMENT_THRESHOLD, agreement_by_element, agreement_by_reviewer_pair,
                                       reviewer_agreement)
from pipelines.stats.audit_compliance import MIN_CHARTS_FOR_PROVIDER_SCORE, compliance_rates, provider_audit_scores

TABLES = ("scores.chart_audit_element_compliance", "scores.chart_audit_provider_compliance",
          "scores.chart_audit_reviewer_compliance", "scores.chart_audit_element_agreement",
          "scores.chart_audit_reviewer_pair_agreement", "scores.chart_audit_reviewer_agreement")

AUDITS_OF_YEAR = """
with audit_of_year as (
    select distinct audit_id
    from staging.chart_audit
    where review_round = 1 and audit_date between $year_start and $year_end
)
select a.audit_id, a.review_round, a.provider_npi, a.reviewer_id, a.audit_date, a.element, a.result
from staging.chart_audit as a
join audit_of_year using (audit_id)
"""


def audits_of_year(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame:
    params = year_params(year)
    return read_frame(con, AUDITS_OF_YEAR, {"year_start": params["year_start"], "year_end": params["year_end"]})


def chart_audit_tables(audits: pl.DataFrame, minimum_charts: int = MIN_CHARTS_FOR_PROVIDER_SCORE,
                       threshold: float = AGREEMENT_THRESHOLD) -> dict[str, pl.DataFrame]:
    """The six chart-audit tables of one year, keyed by table name."""
    if audits.is_empty():
        return {table: pl.DataFrame() for table in TABLES}
    provider = provider_audit_scores(audits, minimum_charts).with_columns(
        pl.lit(minimum_charts).alias("minimum_charts"),
        pl.when(pl.col("scored")).then(pl.col("compliance")).otherwise(None).alias("audit_score"))
    return {
        "scores.chart_audit_element_compliance": compliance_rates(audits, ["element"]),
        "scores.chart_audit_provider_compliance": provider,
        "scores.chart_audit_reviewer_compliance": compliance_rates(audits, ["reviewer_id"]),
        "scores.chart_audit_element_agreement": agreement_by_element(audits),
        "scores.chart_audit_reviewer_pair_agreement": agreement_by_reviewer_pair(audits),
        "scores.chart_audit_reviewer_agreement": reviewer_agreement(audits, threshold).with_columns(
            pl.lit(threshold).alias("threshold")),
    }


def build_chart_audits(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, int]:
    """Replace the year's chart-audit tables (call inside a transaction); returns rows per table."""
    tables = chart_audit_tables(audits_of_year(con, year))
    clear_year(con, TABLES, year)
    return {table: insert_frame(con, table, frame, year) for table, frame in tables.items()}


def chart_audit_summary(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, object]:
    """Plan-level figures for asset metadata: charts, overall compliance, kappa range, reviewers flagged."""
    charts, compliance = con.execute(
        "select coalesce(sum(charts), 0), sum(passes) / nullif(sum(applicable), 0) "
        "from scores.chart_audit_provider_compliance where measurement_year = ?", [year]).fetchone()
    flagged, reviewers = con.execute(
        "select count(*) filter (where below_threshold), count(*) from scores.chart_audit_reviewer_agreement "
        "where measurement_year = ?", [year]).fetchone()
    pairs, agreement = con.execute(
        "select coalesce(sum(pairs_compared), 0), sum(agreements) / nullif(sum(pairs_compared), 0) "
        "from scores.chart_audit_element_agreement where measurement_year = ?", [year]).fetchone()
    return {"charts": int(charts), "compliance": None if compliance is None else round(float(compliance), 4),
            "re_reviewed_pairs": int(pairs),
            "percent_agreement": None if agreement is None else round(float(agreement), 4),
            "reviewers": int(reviewers), "reviewers_below_threshold": int(flagged)}
