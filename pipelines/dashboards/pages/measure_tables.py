"""Where the measure pages read from, in one place, and the suppression of rates shared by those pages.

The plan pages read the plan-reporting tables (measures.plan_rate*, care_gap) and the provider-performance
tables (scores.provider_*, measures.hybrid_rate), all built from the plan program's rows of
measures.measure_result. A page section whose table (or one of its columns) is missing says so in plain
words and shows nothing else: no number on these pages is estimated by the dashboards.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

import duckdb
import polars as pl

from pipelines.dashboards import figures
from pipelines.dashboards.pages.common import all_suppressed, any_shown, query, table
from pipelines.dashboards.privacy import complementary_suppression, suppress_counts, suppress_derived
from pipelines.dashboards.shell import Section
from pipelines.duck import table_exists
from pipelines.measures.catalog import MEASURES
from pipelines.stats.rates import is_inverse

MEASURE_RESULT = "measures.measure_result"
PLAN_PROGRAM = "plan"
PLAN_PROGRAM_NOTE = ("Plan program: HEDIS-style reporting from claims, enrollment and supplemental data "
                     "(measures.measure_result rows with program = 'plan'), not the eCQM program.")

# Tables of the plan-reporting and provider-performance work, with the columns the pages read
# (sql/measures/plan_rate_tables.sql, care_gap_table.sql, sql/scores/tables.sql).
EXPECTED: dict[str, tuple[str, ...]] = {
    "measures.plan_rate": ("measurement_year", "measure_id", "product_line", "eligible_population", "exclusions",
                           "denominator", "numerator", "rate", "rate_low", "rate_high", "reportable", "inverse"),
    "measures.plan_rate_monthly": ("measurement_year", "measure_id", "product_line", "month_end", "denominator",
                                   "numerator"),
    "measures.care_gap": ("measurement_year", "measure_id", "product_line", "pcp_npi", "pcp_source", "close_by"),
    "measures.hybrid_rate": ("measurement_year", "measure_id", "product_line", "program", "eligible",
                             "administrative_hits", "sample_size", "hybrid_numerator", "administrative_rate",
                             "hybrid_rate", "lift"),
    "scores.provider_measure_score": ("measurement_year", "measure_id", "provider_npi", "program", "numerator",
                                      "denominator", "raw_rate", "shrunken_rate", "shrunken_lower", "shrunken_upper",
                                      "reliability", "plan_rate", "funnel_tau2", "flag", "ranked"),
    "scores.provider_composite": ("measurement_year", "provider_npi", "program", "opportunity_weighted_score",
                                  "mean_shrunken_score", "percentile_rank", "stars", "ranked"),
    "measures.plan_rate_exclusion": ("measurement_year", "measure_id", "product_line", "exclusion_reason", "members"),
}
PLAN_RATE, ROLLING, CARE_GAP, HYBRID, PROVIDER_SCORE, PROVIDER_COMPOSITE, PLAN_EXCLUSION = EXPECTED
ALL_LINES = "all"

TARGETS_FILE = Path(__file__).resolve().parent.parent / "measure_targets.csv"


def measure_name(measure_id: str) -> str:
    measure = MEASURES.get(measure_id)
    return f"{measure_id} {measure.title}" if measure else measure_id


def targets(path: Path | None = None) -> dict[str, float]:
    """The plan's target rate per measure: `HMOQA_MEASURE_TARGETS` (a CSV of measure_id,target) when set,
    else the example file shipped beside this package."""
    path = path or Path(os.environ.get("HMOQA_MEASURE_TARGETS", TARGETS_FILE))
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["measure_id"]: float(row["target"]) for row in csv.DictReader(handle)}


def columns_of(con: duckdb.DuckDBPyConnection, qualified: str) -> set[str]:
    schema, _, name = qualified.partition(".")
    rows = con.execute("select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                       [schema, name]).fetchall()
    return {r[0] for r in rows}


def readiness(con: duckdb.DuckDBPyConnection, qualified: str) -> str | None:
    """None when the table exists with the columns the page reads, else the sentence saying what is missing."""
    if not table_exists(con, qualified):
        return (f"Not available yet: this view reads {qualified}, which has not been built in this database "
                "(the step of the pipeline that writes it has not run on this data). Nothing is estimated in its place.")
    missing = [c for c in EXPECTED[qualified] if c not in columns_of(con, qualified)]
    if missing:
        return (f"Not available yet: {qualified} exists but lacks the columns this view reads ({', '.join(missing)}); "
                "the page will show it once the table's layout is final.")
    return None


def rate_frame(frame: pl.DataFrame, numerator: str = "numerator", denominator: str = "denominator",
               values: dict[str, str] | None = None, *, other_counts: Sequence[str] = (),
               parts_of: Sequence[str] | None = None, total_rows: pl.Expr | None = None) -> pl.DataFrame:
    """Suppress counts and the rates built on them.

    `parts_of`: the rows of each group (by these columns) add up to a total shown elsewhere (or in the
    `total_rows` of the frame, which are not parts): a single suppressed part is covered by suppressing
    the next smallest part too, count column by count column (`complementary_suppression`)."""
    counts = [numerator, denominator, *other_counts]
    frame = frame.with_columns([pl.col(c).cast(pl.Int64) for c in counts])
    frame = suppress_counts(frame, counts)
    if parts_of is not None and frame.height:
        keyed = frame.with_row_index("_order").with_columns(
            (total_rows if total_rows is not None else pl.lit(False)).alias("_total"))
        parts = keyed.filter(~pl.col("_total"))
        for column in counts:
            parts = complementary_suppression(parts, column, list(parts_of))
        frame = pl.concat([parts, keyed.filter(pl.col("_total"))], how="vertical_relaxed").sort("_order") \
            .drop("_order", "_total")
    return suppress_derived(frame, values or {"rate": "percent", "rate_low": "percent", "rate_high": "percent"},
                            counts=[numerator, denominator], denominator=denominator)


def hide_total_with_one_hidden_part(frame: pl.DataFrame, total: str, parts: Sequence[str]) -> pl.DataFrame:
    """When the total equals the sum of `parts` in the same row (eligible = exclusions + denominator) and exactly
    one part is suppressed, the total is suppressed too, or the hidden part could be worked out."""
    hidden = pl.sum_horizontal([pl.col(p).is_null().cast(pl.Int32) for p in parts])
    out = frame.with_columns(pl.when(hidden == 1).then(None).otherwise(pl.col(total)).alias(total))
    return suppress_counts(out, [total])


def direction_text(measure_id: str) -> str:
    return "lower is better" if is_inverse(measure_id) else "higher is better"


def with_direction(frame: pl.DataFrame) -> pl.DataFrame:
    measures = frame["measure_id"].to_list()
    return frame.with_columns(
        pl.Series("direction", [direction_text(m) for m in measures], dtype=pl.String),
        pl.Series("measure", [measure_name(m) for m in measures], dtype=pl.String),
        pl.Series("measure_label", [measure_name(m) + (" (lower is better)" if is_inverse(m) else "") for m in measures],
                  dtype=pl.String),
        pl.Series("measure_short", [m + (" (lower is better)" if is_inverse(m) else "") for m in measures],
                  dtype=pl.String))


def hybrid_lift_section(con: duckdb.DuckDBPyConnection, year: int) -> Section:
    title = "Administrative vs hybrid rate (hybrid lift)"
    problem = readiness(con, HYBRID)
    if problem:
        return Section(title=title, unavailable=problem)
    frame = query(con, f"""select measure_id, product_line, eligible, administrative_hits, sample_size,
                                  hybrid_numerator, administrative_rate, hybrid_rate, lift
                           from {HYBRID} where measurement_year = $year and program = $program
                           order by measure_id, product_line""", {"year": year, "program": PLAN_PROGRAM})
    if frame.is_empty():
        return Section(title=title, unavailable="No hybrid sample for this measurement year.")
    frame = frame.with_columns(pl.col("eligible", "administrative_hits", "sample_size", "hybrid_numerator").cast(pl.Int64))
    # The eligible members and administrative hits of the product lines are the plan rates' denominators and
    # numerators, whose total is on the plan overview: a lone suppressed line takes the next smallest with it.
    frame = suppress_counts(frame, ["eligible", "administrative_hits"])
    for column in ("eligible", "administrative_hits"):
        frame = complementary_suppression(frame, column, ["measure_id"])
    # The administrative rate is over the eligible population, the hybrid rate over the sample: each value goes
    # with its own counts, and the lift with all four.
    frame = suppress_derived(frame, {"administrative_rate": "percent"}, counts=["administrative_hits", "eligible"],
                             denominator="eligible")
    frame = suppress_derived(frame, {"hybrid_rate": "percent"}, counts=["hybrid_numerator", "sample_size"],
                             denominator="sample_size")
    frame = frame.with_columns(pl.when(pl.col("administrative_rate").is_null() | pl.col("hybrid_rate").is_null())
                               .then(None).otherwise(pl.col("lift")).alias("lift"))
    frame = suppress_derived(frame, {"lift": "percent"}, counts=[])
    frame = with_direction(frame).with_columns(
        (pl.col("measure_id") + pl.lit(" ") + pl.col("product_line")).alias("unit"))
    if not any_shown(frame, "hybrid_rate") and not any_shown(frame, "administrative_rate"):
        return all_suppressed(title, "the administrative and hybrid rates")
    long = pl.concat([frame.select("unit", pl.lit(kind).alias("method"), pl.col(c).alias("rate"),
                                   pl.col(c + "_label").alias("rate_label"), pl.col(n + "_label").alias("base_label"),
                                   "lift_label", "direction")
                      for kind, c, n in (("administrative", "administrative_rate", "eligible"),
                                         ("hybrid", "hybrid_rate", "sample_size"))])
    return Section(
        title=title,
        note=PLAN_PROGRAM_NOTE + " Administrative rate over the eligible population (claims and supplemental data); "
             "hybrid rate over the medical-record sample (administrative hits in the sample plus record hits); "
             "lift = hybrid - administrative (for GSD, lower is better, so a negative lift is an improvement).",
        figure=figures.value_bars(long, category="unit", value="rate", color="method", title=title,
                                  value_title="rate", hover={"rate": "rate_label", "members (eligible or sampled)": "base_label",
                                                             "lift": "lift_label", "direction": "direction"})
        .update_yaxes(tickformat=".0%"),
        table=table(frame, [("measure", "measure_label", "label"), ("product line", "product_line", "label"),
                            ("eligible", "eligible", "count"), ("administrative hits", "administrative_hits", "count"),
                            ("administrative", "administrative_rate", "value"), ("sample", "sample_size", "count"),
                            ("hybrid numerator", "hybrid_numerator", "count"), ("hybrid", "hybrid_rate", "value"),
                            ("lift", "lift", "value")]))
