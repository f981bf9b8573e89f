"""What the page modules share: read-only queries into polars, tables from suppressed frames, and the
plain-words sections shown when a page's data does not exist yet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import polars as pl

from pipelines.dashboards.privacy import LABEL_SUFFIX
from pipelines.dashboards.shell import Column, Section, Table
from pipelines.duck import table_exists


def query(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None) -> pl.DataFrame:
    """An aggregate query (parameters bound, never formatted in) as a polars frame."""
    result = con.execute(sql, dict(params)) if params else con.execute(sql)
    return result.pl()


def missing_tables(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> list[str]:
    return [name for name in names if not table_exists(con, name)]


def not_available(title: str, tables: Sequence[str], what: str) -> Section:
    return Section(title=title, unavailable=(
        f"Not available yet: {what} comes from {', '.join(tables)}, which this database does not contain "
        "(that part of the pipeline has not been built or has not run). No figures are shown rather than "
        "estimates."))


def no_rows(title: str, what: str) -> Section:
    return Section(title=title, unavailable=f"No data for this measurement year: {what}.")


def all_suppressed(title: str, what: str) -> Section:
    return Section(title=title, unavailable=(
        f"Every cell of {what} is under 11 and suppressed, so there is nothing to plot: this plan or year is "
        "too small for this view to be shared."))


def table(frame: pl.DataFrame, columns: Sequence[tuple[str, str, str]]) -> Table:
    """A page table from a suppressed frame: columns are (header, column, kind) with kind label | count | value;
    counts and values are read from their `_label` columns."""
    heads = [Column(header, kind) for header, _, kind in columns]
    sources = [column if kind == "label" else column + LABEL_SUFFIX for _, column, kind in columns]
    rows = [list(row) for row in frame.select(sources).iter_rows()] if frame.height else []
    return Table(columns=heads, rows=rows)


def any_shown(frame: pl.DataFrame, column: str) -> bool:
    return frame.height > 0 and frame[column].null_count() < frame.height
