"""Provider measure scores, composites, percentile ranks and stars (docs/scores.md section 6).

The counts come from SQL (sql/scores/provider_measure_count.sql): members attributed to each PCP
(scores.attribution) in a measure's denominator and not excluded, against the plan rate over all
members. The statistics are those of pipelines/stats, called, not re-implemented:

* `provider_scores.provider_measure_scores`: Wilson interval, beta-binomial shrinkage and
  reliability, funnel z-score against the plan rate with the overdispersion correction, the
  better / worse flag (inverse GSD: worse = higher) and `ranked` (not too few cases);
* `composite.provider_composites` and `percentile_rank`: the opportunity-weighted composite and the
  mean of shrunken rates (GSD as 1 - rate), mid-rank percentiles of the mean of shrunken rates;
* `stars.assign_stars`: 1-5 stars from k-means cut points over the ranked providers.

Scores are built on the plan program's results only. When the year has no plan rows the tables
stay empty for that year and `provider_summary` says why.
"""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl

from pipelines.duck import run_sql_file
from pipelines.scores.store import clear_year, insert_frame, read_frame
from pipelines.stats.composite import percentile_rank, provider_composites
from pipelines.stats.provider_scores import provider_measure_scores
from pipelines.stats.rates import INVERSE_MEASURES, Z_95, Z_998
from pipelines.stats.stars import assign_stars

SCORED_PROGRAM = "plan"
TABLES = ("scores.provider_measure_score", "scores.provider_composite")


def provider_measure_counts(con: duckdb.DuckDBPyConnection, year: int, program: str = SCORED_PROGRAM) -> pl.DataFrame:
    """Provider x measure counts (initial population, exclusions, denominator, numerator) and the plan rate."""
    return run_sql_file(con, "scores/provider_measure_count.sql", {"year": year, "program": program}).pl()


def _funnel_limit(z: float, side: float) -> pl.Expr:
    spread = (pl.col("plan_rate") * (1.0 - pl.col("plan_rate")) / pl.col("denominator")
              + pl.col("funnel_tau2").fill_null(0.0)).sqrt()
    return pl.when(pl.col("denominator") > 0).then(
        (pl.col("plan_rate") + side * z * spread).clip(0.0, 1.0))


def score_providers(counts: pl.DataFrame) -> pl.DataFrame:
    """The scores.provider_measure_score rows (without measurement_year) for a counts frame."""
    if counts.is_empty():
        return pl.DataFrame()
    frame = counts.with_columns(pl.col("plan_rate").cast(pl.Float64).fill_null(float("nan")),
                                pl.col("numerator", "denominator").cast(pl.Int64))
    scored = provider_measure_scores(frame, target_column="plan_rate")
    return scored.with_columns(
        pl.col("plan_rate").fill_nan(None),
        pl.col("measure_id").str.to_uppercase().is_in(sorted(INVERSE_MEASURES)).alias("inverse"),
        pl.col("wilson_lower").alias("rate_low"), pl.col("wilson_upper").alias("rate_high"),
        pl.col("funnel_z_adjusted").alias("z_score"), pl.col("funnel_z").alias("z_score_unadjusted"),
        pl.col("funnel_beyond_95").alias("beyond_95"), pl.col("funnel_beyond_998").alias("beyond_998"),
        pl.col("funnel_flag").alias("flag"),
        pl.col("ranked").fill_null(False),
    ).with_columns(
        _funnel_limit(Z_95, -1.0).alias("limit_95_lower"), _funnel_limit(Z_95, 1.0).alias("limit_95_upper"),
        _funnel_limit(Z_998, -1.0).alias("limit_998_lower"), _funnel_limit(Z_998, 1.0).alias("limit_998_upper"),
    ).with_columns(pl.col(c).fill_nan(None) for c in (
        "raw_rate", "shrunken_rate", "shrunken_lower", "shrunken_upper", "reliability", "funnel_phi", "z_score",
        "z_score_unadjusted", "limit_95_lower", "limit_95_upper", "limit_998_lower", "limit_998_upper"))


def composite_scores(scores: pl.DataFrame) -> pl.DataFrame:
    """The scores.provider_composite rows: both composites, percentile rank and stars of the ranked providers."""
    if scores.is_empty():
        return pl.DataFrame()
    composite = provider_composites(scores)
    if composite.is_empty():
        return composite
    ranking_score = composite.select(
        pl.when(pl.col("ranked")).then(pl.col("mean_shrunken_score")).otherwise(None)
        .cast(pl.Float64).fill_null(float("nan")))
    values = ranking_score.to_series().to_numpy()
    stars, cuts = assign_stars(values)
    return composite.with_columns(
        pl.Series("percentile_rank", percentile_rank(values)).fill_nan(None),
        pl.Series("stars", [int(s) if np.isfinite(s) else None for s in stars], dtype=pl.Int64),
        pl.lit(cuts.method).alias("star_method"),
        *(pl.lit(float(cut) if np.isfinite(cut) else None, pl.Float64).alias(f"cut_point_{level}_stars")
          for level, cut in zip(range(2, 6), cuts.cut_points)),
    )


def build_provider_measure_scores(con: duckdb.DuckDBPyConnection, year: int,
                                  program: str = SCORED_PROGRAM) -> int:
    """Replace the year's scores.provider_measure_score rows (call inside a transaction); rows written."""
    clear_year(con, ("scores.provider_measure_score",), year)
    scores = score_providers(provider_measure_counts(con, year, program))
    if scores.is_empty():
        return 0
    return insert_frame(con, "scores.provider_measure_score", scores.with_columns(pl.lit(program).alias("program")), year)


def build_composites(con: duckdb.DuckDBPyConnection, year: int) -> int:
    """Replace the year's scores.provider_composite rows from its provider measure scores; rows written."""
    clear_year(con, ("scores.provider_composite",), year)
    scores = read_frame(con, """
        select program, measure_id, provider_npi, numerator, denominator, shrunken_rate, too_few_cases
        from scores.provider_measure_score where measurement_year = $year""", {"year": year})
    if scores.is_empty():
        return 0
    composite = composite_scores(scores).with_columns(pl.lit(scores["program"][0]).alias("program"))
    return insert_frame(con, "scores.provider_composite", composite, year)


def build_provider_performance(con: duckdb.DuckDBPyConnection, year: int,
                               program: str = SCORED_PROGRAM) -> dict[str, int]:
    """Both tables for the year, as the two assets build them one after the other."""
    return {"provider_measure_score": build_provider_measure_scores(con, year, program),
            "provider_composite": build_composites(con, year)}


def provider_summary(con: duckdb.DuckDBPyConnection, year: int, program: str = SCORED_PROGRAM) -> dict:
    """Counts per measure (providers, ranked, better, worse) and the plan rate; why the year is empty if it is."""
    results = con.execute("select count(*) from measures.measure_result where program = ? and measurement_year = ?",
                          [program, year]).fetchone()[0]
    if not results:
        return {"empty_because": f"no '{program}' program rows in measures.measure_result for {year}"}
    per_measure = con.execute("""
        select measure_id, count(*) as providers, count(*) filter (where ranked) as ranked,
               count(*) filter (where flag = 'better') as better, count(*) filter (where flag = 'worse') as worse,
               round(any_value(plan_rate), 4) as plan_rate
        from scores.provider_measure_score where measurement_year = ? group by 1 order by 1""", [year]).pl()
    if per_measure.is_empty():
        return {"empty_because": f"no attributed member is in a '{program}' measure denominator in {year}"}
    return {"per_measure": per_measure.to_dicts()}


def composite_summary(con: duckdb.DuckDBPyConnection, year: int) -> dict:
    """Providers ranked and not, providers per star level and the cut points (no member ids)."""
    row = con.execute("""
        select count(*), count(*) filter (where ranked), any_value(star_method), any_value(cut_point_2_stars),
               any_value(cut_point_3_stars), any_value(cut_point_4_stars), any_value(cut_point_5_stars)
        from scores.provider_composite where measurement_year = ?""", [year]).fetchone()
    stars = con.execute("""select stars, count(*) from scores.provider_composite
                           where measurement_year = ? and ranked group by 1 order by 1""", [year]).fetchall()
    return {"providers": int(row[0]), "ranked": int(row[1] or 0), "star_method": row[2],
            "cut_points": [None if c is None else round(c, 4) for c in row[3:]],
            "providers_by_stars": {str(s): int(n) for s, n in stars}}
