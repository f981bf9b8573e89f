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


_SCORE_PROPORTIONS = ("raw_rate", "rate_low", "rate_high", "shrunken_rate", "shrunken_lower", "shrunken_upper",
                      "reliability", "plan_rate")
_SCORE_INTERVALS = (("rate_low", "rate_high"), ("shrunken_lower", "shrunken_upper"))


def provider_measure_score_problems(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, int]:
    """Rates, intervals or reliability outside 0-1, numerator above denominator, more denominator and
    exclusions than initial population, a provider ranked with too few cases, a flag without cases."""
    frame = _year_frame(con, "scores.provider_measure_score",
                        "initial_population, exclusions, denominator, numerator, ranked, flag, "
                        + ", ".join(_SCORE_PROPORTIONS), year)
    counts = _prefixed("provider measure score", impossible_value_counts(
        frame, proportion_columns=_SCORE_PROPORTIONS, intervals=_SCORE_INTERVALS))
    counts["provider measure score: denominator + exclusions above initial population"] = int(frame.filter(
        pl.col("denominator") + pl.col("exclusions") > pl.col("initial_population")).height)
    counts["provider measure score: ranked with denominator < 20 or reliability < 0.7"] = int(frame.filter(
        pl.col("ranked") & ((pl.col("denominator") < 20) | (pl.col("reliability").fill_null(0) < 0.7))).height)
    counts["provider measure score: flag without cases"] = int(frame.filter(
        pl.col("flag").is_not_null() & (pl.col("denominator") == 0)).height)
    return counts


def provider_composite_problems(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, int]:
    """Composites outside 0-1, successes above opportunities, percentiles outside 0-100, stars outside
    1-5, stars for an unranked provider or none for a ranked one."""
    frame = _year_frame(con, "scores.provider_composite",
                        "opportunities, performance_successes, opportunity_weighted_score, mean_shrunken_score, "
                        "percentile_rank, stars, ranked", year)
    counts = _prefixed("provider composite", impossible_value_counts(
        frame, numerator="performance_successes", denominator="opportunities"))
    counts["provider composite: percentile outside 0-100"] = int(frame.filter(
        (pl.col("percentile_rank") < 0) | (pl.col("percentile_rank") > 100)).height)
    counts["provider composite: stars outside 1-5"] = int(frame.filter(
        (pl.col("stars") < 1) | (pl.col("stars") > 5)).height)
    counts["provider composite: stars or percentile for an unranked provider"] = int(frame.filter(
        ~pl.col("ranked") & (pl.col("stars").is_not_null() | pl.col("percentile_rank").is_not_null())).height)
    counts["provider composite: ranked provider without stars"] = int(frame.filter(
        pl.col("ranked") & pl.col("stars").is_null()).height)
    return counts


def hybrid_problems(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, int]:
    """Rates or bounds outside 0-1, hits above their base, a final sample above the MRSS or not matching
    the member table, a member drawn twice for one measure and product line."""
    rates = _year_frame(con, "measures.hybrid_rate",
                        "eligible, administrative_hits, administrative_rate, administrative_lower, "
                        "administrative_upper, sample_size, hybrid_numerator, hybrid_rate, hybrid_lower, hybrid_upper",
                        year)
    columns = ("administrative_rate", "administrative_lower", "administrative_upper", "hybrid_rate", "hybrid_lower",
               "hybrid_upper")
    counts = _prefixed("hybrid rate", impossible_value_counts(
        rates, numerator="administrative_hits", denominator="eligible", proportion_columns=columns,
        intervals=(("administrative_lower", "administrative_upper"), ("hybrid_lower", "hybrid_upper"))))
    counts |= _prefixed("hybrid sample", impossible_value_counts(
        rates, numerator="hybrid_numerator", denominator="sample_size", proportion_columns=()))
    above_mrss, mismatched, drawn_twice = con.execute("""
        with final_sample as (
            select measure_id, product_line, count(*) filter (where in_final_sample) as members
            from measures.hybrid_sample where measurement_year = $year group by all
        )
        select
            (select count(*) from measures.hybrid_rate as r
             join measures.hybrid_sample_parameters as p using (measurement_year, measure_id, product_line)
             where r.measurement_year = $year and r.sample_size > p.minimum_required_sample),
            (select count(*) from measures.hybrid_rate as r
             full join final_sample as f using (measure_id, product_line)
             where (r.measurement_year = $year or r.measurement_year is null)
               and coalesce(r.sample_size, -1) <> coalesce(f.members, -1)),
            (select count(*) from (select 1 from measures.hybrid_sample where measurement_year = $year
                                   group by measure_id, product_line, person_id having count(*) > 1))""",
                                                     {"year": year}).fetchone()
    counts["hybrid: final sample above the minimum required sample"] = int(above_mrss)
    counts["hybrid: final sample size differs from the member table"] = int(mismatched)
    counts["hybrid: member drawn twice"] = int(drawn_twice)
    return counts
