"""Where the measure pages read from, in one place.

`measures.measure_result` (the engine's member-level results) exists now; the plan-reporting and
provider-performance tables are being built by other engineers and are read under the names below when
they land. A page section whose table (or one of its columns) is missing says so in plain words and
shows nothing else: no number on these pages is estimated by the dashboards.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import duckdb
import polars as pl

from pipelines.dashboards import figures
from pipelines.dashboards.pages.common import all_suppressed, any_shown, query, table
from pipelines.dashboards.privacy import suppress_derived
from pipelines.dashboards.shell import Section
from pipelines.duck import table_exists
from pipelines.measures.catalog import MEASURES
from pipelines.stats.rates import is_inverse

MEASURE_RESULT = "measures.measure_result"

# Expected tables of the plan-reporting and provider-performance work, with the columns the pages read.
EXPECTED: dict[str, tuple[str, ...]] = {
    "measures.plan_rate": ("measurement_year", "measure_id", "product_line", "eligible_population", "denominator",
                           "numerator", "rate", "rate_low", "rate_high", "reportable"),
    "measures.plan_rate_monthly": ("measurement_year", "measure_id", "product_line", "month_end", "denominator",
                                   "numerator", "rate"),
    "measures.care_gap": ("measurement_year", "measure_id", "pcp_npi", "close_by"),
    # Column names as pipelines/stats/hybrid_rates.py, provider_scores.py and composite.py return them.
    "measures.hybrid_rate": ("measurement_year", "measure_id", "eligible", "administrative_hits", "sample_size",
                             "hybrid_numerator", "administrative_rate", "hybrid_rate", "lift"),
    "scores.provider_measure_score": ("measurement_year", "measure_id", "provider_npi", "numerator", "denominator",
                                      "raw_rate", "shrunken_rate", "shrunken_lower", "shrunken_upper", "ranked"),
    "scores.provider_composite": ("measurement_year", "provider_npi", "opportunity_weighted_score", "stars", "ranked"),
}
PLAN_RATE, ROLLING, CARE_GAP, HYBRID, PROVIDER_SCORE, PROVIDER_COMPOSITE = EXPECTED

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
                "(the plan-reporting / provider-performance work is still landing). Nothing is estimated in its place.")
    missing = [c for c in EXPECTED[qualified] if c not in columns_of(con, qualified)]
    if missing:
        return (f"Not available yet: {qualified} exists but lacks the columns this view reads ({', '.join(missing)}); "
                "the page will show it once the table's layout is final.")
    return None


def rate_frame(frame: pl.DataFrame, numerator: str = "numerator", denominator: str = "denominator",
               values: dict[str, str] | None = None) -> pl.DataFrame:
    frame = frame.with_columns(pl.col(numerator).cast(pl.Int64), pl.col(denominator).cast(pl.Int64))
    return suppress_derived(frame, values or {"rate": "percent", "rate_low": "percent", "rate_high": "percent"},
                            counts=[numerator, denominator], denominator=denominator)


def with_direction(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("measure_id").map_elements(lambda m: "lower is better" if is_inverse(m) else "higher is better",
                                          return_dtype=pl.String).alias("direction"),
        pl.col("measure_id").map_elements(measure_name, return_dtype=pl.String).alias("measure"))


def hybrid_lift_section(con: duckdb.DuckDBPyConnection, year: int) -> Section:
    title = "Hybrid lift: administrative vs hybrid rate"
    problem = readiness(con, HYBRID)
    if problem:
        return Section(title=title, unavailable=problem)
    frame = query(con, f"""select measure_id, eligible, administrative_hits, sample_size, hybrid_numerator,
                                  administrative_rate, hybrid_rate, lift
                           from {HYBRID} where measurement_year = $year order by measure_id""", {"year": year})
    if frame.is_empty():
        return Section(title=title, unavailable="No hybrid sample for this measurement year.")
    frame = frame.with_columns(pl.col("eligible", "administrative_hits", "sample_size", "hybrid_numerator").cast(pl.Int64))
    # The administrative rate is over the eligible population, the hybrid rate over the sample: each value goes
    # with its own counts, and the lift with all four.
    frame = suppress_derived(frame, {"administrative_rate": "percent"}, counts=["administrative_hits", "eligible"],
                             denominator="eligible")
    frame = suppress_derived(frame, {"hybrid_rate": "percent"}, counts=["hybrid_numerator", "sample_size"],
                             denominator="sample_size")
    frame = frame.with_columns(pl.when(pl.col("administrative_rate").is_null() | pl.col("hybrid_rate").is_null())
                               .then(None).otherwise(pl.col("lift")).alias("lift"))
    frame = suppress_derived(frame, {"lift": "percent"}, counts=[])
    if not any_shown(frame, "hybrid_rate"):
        return all_suppressed(title, "the hybrid rates")
    long = pl.concat([frame.select("measure_id", pl.lit(kind).alias("method"), pl.col(c).alias("rate"),
                                   pl.col(c + "_label").alias("rate_label"), pl.col(n + "_label").alias("base_label"),
                                   "lift_label")
                      for kind, c, n in (("administrative", "administrative_rate", "eligible"),
                                         ("hybrid", "hybrid_rate", "sample_size"))])
    return Section(
        title=title, note="Administrative rate over the eligible population; hybrid rate over the medical-record sample "
                          "(claims hits in the sample plus record hits); lift = hybrid - administrative.",
        figure=figures.value_bars(long, category="measure_id", value="rate", color="method", title=title,
                                  value_title="rate", hover={"rate": "rate_label", "members (eligible or sampled)": "base_label",
                                                             "lift": "lift_label"}).update_yaxes(tickformat=".0%"),
        table=table(frame, [("measure", "measure_id", "label"), ("eligible", "eligible", "count"),
                            ("administrative", "administrative_rate", "value"), ("sample", "sample_size", "count"),
                            ("hybrid", "hybrid_rate", "value"),
                            ("lift", "lift", "value")]))
