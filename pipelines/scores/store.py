"""Score tables: creation, year parameters and the delete-then-insert replacement of one year.

Every score table has a measurement_year column. Callers run `clear_year` and the inserts inside
one `pipelines.duck.transaction`, so re-running a year replaces its rows and a failed run leaves
the previous rows in place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import duckdb
import polars as pl

from pipelines.contract import SOURCES
from pipelines.duck import ensure_schemas, run_sql_file
from pipelines.staging.load import ensure_staging_tables
from pipelines.measures.engine import create_measure_tables

SCORE_TABLES = (
    "scores.attribution_visit", "scores.attribution",
    "scores.chart_audit_element_compliance", "scores.chart_audit_provider_compliance",
    "scores.chart_audit_reviewer_compliance", "scores.chart_audit_element_agreement",
    "scores.chart_audit_reviewer_pair_agreement", "scores.chart_audit_reviewer_agreement",
    "scores.experience_score",
    "scores.utilization_member_month", "scores.utilization_inpatient_stay", "scores.utilization_member",
    "scores.utilization_metric",
    "scores.provider_measure_score", "scores.provider_composite",
    "measures.hybrid_sample", "measures.hybrid_sample_parameters", "measures.hybrid_rate",
)
STAGING_INPUTS = ("eligibility", "provider", "medical_claim", "pharmacy_claim", "chart_audit", "survey_response",
                  "medical_record_abstraction")


def create_score_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The scores tables and the shared `scores.claim_line_net` view (input tables created empty if absent)."""
    ensure_schemas(con)
    for name in STAGING_INPUTS:
        ensure_staging_tables(con, SOURCES[name])
    create_measure_tables(con)  # provider scores and the hybrid method read measure results and value sets
    run_sql_file(con, "scores/tables.sql")
    run_sql_file(con, "scores/claim_line_net.sql")
    run_sql_file(con, "scores/claim_line_category.sql")


def year_params(year: int) -> dict[str, object]:
    """Bound parameters every year model uses: the year and its first and last day."""
    return {"year": year, "year_start": dt.date(year, 1, 1), "year_end": dt.date(year, 12, 31)}


def clear_year(con: duckdb.DuckDBPyConnection, tables: Iterable[str], year: int) -> None:
    for table in tables:
        if table not in SCORE_TABLES:
            raise ValueError(f"{table} is not a score table")
        con.execute(f"delete from {table} where measurement_year = ?", [year])


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    schema, _, name = table.partition(".")
    return [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position", [schema, name]).fetchall()]


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, year: int) -> int:
    """Insert a Polars frame into a score table by column name, stamped with the year; returns rows."""
    if table not in SCORE_TABLES:
        raise ValueError(f"{table} is not a score table")
    if frame.is_empty():
        return 0
    columns = [c for c in table_columns(con, table) if c in frame.columns or c == "measurement_year"]
    stamped = frame.with_columns(pl.lit(year, dtype=pl.Int32).alias("measurement_year"))
    con.register("_score_frame", stamped.to_arrow())
    try:
        quoted = ", ".join(f'"{c}"' for c in columns)
        con.execute(f"insert into {table} ({quoted}) select {quoted} from _score_frame")
    finally:
        con.unregister("_score_frame")
    return frame.height


def read_frame(con: duckdb.DuckDBPyConnection, query: str, params: dict | list | None = None) -> pl.DataFrame:
    """A query's result as a Polars frame (through Arrow)."""
    return con.execute(query, params or {}).pl()
