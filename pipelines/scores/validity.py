"""Impossible-value counts per score family and year, for the asset checks (no member identifiers).

Each function returns {rule: rows breaking it}; a check fails when any count is above zero. The
generic rules (proportions outside 0-1, negative counts, numerator above denominator) come from
`pipelines.stats.validity`; the rules specific to a family are added here.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.scores.store import read_frame
from pipelines.stats.validity import impossible_value_counts


def _prefixed(prefix: str, counts: dict[str, int]) -> dict[str, int]:
    return {f"{prefix}: {rule}": n for rule, n in counts.items()}


def _year_frame(con: duckdb.DuckDBPyConnection, table: str, columns: str, year: int) -> pl.DataFrame:
    return read_frame(con, f"select {columns} from {table} where measurement_year = $year", {"year": year})


def attribution_problems(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, int]:
    """Visits with the PCP above all visits, negative counts, and members enrolled in the year without
    exactly one attribution row (or attribution rows for members not enrolled)."""
    frame = _year_frame(con, "scores.attribution", "attributed_visits, total_visits, pcps_seen", year)
    counts = _prefixed("attribution", impossible_value_counts(frame, numerator="attributed_visits",
                                                              denominator="total_visits"))
    counts["attribution: negative pcps_seen"] = int(frame.filter(pl.col("pcps_seen") < 0).height)
    missing, duplicated, extra = con.execute("""
        with enrolled as (
            select distinct person_id from staging.eligibility
            where enrollment_start_date <= make_date($year, 12, 31) and enrollment_end_date >= make_date($year, 1, 1)
        ),
        attributed as (
            select person_id, count(*) as rows from scores.attribution where measurement_year = $year group by 1
        )
        select count(*) filter (where a.person_id is null),
               count(*) filter (where a.rows > 1),
               count(*) filter (where e.person_id is null)
        from enrolled as e full join attributed as a using (person_id)""", {"year": year}).fetchone()
    counts["attribution: enrolled member without a row"] = int(missing)
    counts["attribution: member with several rows"] = int(duplicated)
    counts["attribution: row for a member not enrolled in the year"] = int(extra)
    return counts


def chart_audit_problems(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in ("element", "provider", "reviewer"):
        frame = _year_frame(con, f"scores.chart_audit_{table}_compliance", "passes, applicable, compliance", year)
        counts |= _prefixed(f"{table} compliance", impossible_value_counts(frame, numerator="passes",
                                                                           denominator="applicable"))
    for table in ("element_agreement", "reviewer_pair_agreement", "reviewer_agreement"):
        columns = "agreements, pairs_compared, percent_agreement" + (", kappa" if table != "reviewer_agreement" else "")
        frame = _year_frame(con, f"scores.chart_audit_{table}", columns, year)
        counts |= _prefixed(table, impossible_value_counts(frame, numerator="agreements", denominator="pairs_compared"))
        if "kappa" in frame.columns:
            counts[f"{table}: kappa outside -1..1"] = int(frame.filter((pl.col("kappa") < -1) | (pl.col("kappa") > 1)).height)
    return counts


def experience_problems(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, int]:
    frame = _year_frame(con, "scores.experience_score",
                        "respondents, unadjusted_mean, shown_score, reliability, display_status", year)
    counts = _prefixed("experience", impossible_value_counts(frame, numerator=None, denominator="respondents"))
    for column in ("unadjusted_mean", "shown_score"):
        counts[f"experience: {column} outside 0-100"] = int(
            frame.filter((pl.col(column) < 0) | (pl.col(column) > 100)).height)
    counts["experience: score shown below the minimum of respondents"] = int(
        frame.filter(pl.col("shown_score").is_not_null() & (pl.col("display_status") != "shown")).height)
    return counts


def utilization_problems(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, int]:
    proportions = read_frame(con, """
        select observed as rate, numerator, denominator from scores.utilization_metric
        where measurement_year = $year and metric in ('readmission_rate', 'out_of_network_share')""", {"year": year})
    counts = _prefixed("readmission rate / out-of-network share", impossible_value_counts(proportions))
    member_months = _year_frame(con, "scores.utilization_member_month", "covered_days, member_months", year)
    counts["member months: negative"] = int(member_months.filter(pl.col("member_months") < 0).height)
    counts["member months: more than one per month"] = int(
        con.execute("select count(*) from (select person_id, month_start from scores.utilization_member_month "
                    "where measurement_year = ? group by 1, 2 having sum(member_months) > 1 + 1e-9)", [year]).fetchone()[0])
    metrics = _year_frame(con, "scores.utilization_metric", "metric, numerator, denominator, member_months", year)
    counts["metrics: negative member months or events"] = int(metrics.filter(
        (pl.col("member_months") < 0)
        | (~pl.col("metric").is_in(["paid_pmpm", "allowed_pmpm"]) & (pl.col("numerator") < 0))).height)
    return counts
