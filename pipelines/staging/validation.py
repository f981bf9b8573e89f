"""Great Expectations validation of staging, and its agreement with the quarantine.

The suites in `expectations/<source>.json` are run, in an ephemeral GX context, against one
partition's raw rows as the contract defines them for checking (trimmed, empty text as null, codes
normalised), only the columns the suite references, in chunks so memory stays bounded. For each
expectation GX's unexpected count must equal the number of rows quarantined for the same column
and rule: GX independently confirms the quarantine. GX is imported inside functions (it takes
seconds to import).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipelines.contract import SOURCES
from pipelines.duck import REPO_ROOT, run_sql_file
from pipelines.ingest.sqltext import castable, ident
from pipelines.staging.rules import MEMBER_SUFFIX, NUMBER_SUFFIX, clean_expr

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DEFAULT_CHUNK_ROWS = 200_000


@dataclass
class ExpectationOutcome:
    expectation: str
    column: str
    rule: str
    success: bool
    element_count: int
    unexpected_count: int
    quarantined_count: int

    @property
    def agrees(self) -> bool:
        return self.unexpected_count == self.quarantined_count

    def as_metadata(self) -> dict[str, Any]:
        """Counts only: GX's unexpected value lists can hold member identifiers and are never kept."""
        return {"expectation": self.expectation, "column": self.column, "rule": self.rule,
                "success": self.success, "unexpected_count": self.unexpected_count,
                "quarantined_count": self.quarantined_count, "agrees": self.agrees}


def load_suite(source: str, directory: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    path = Path(directory) / f"{source}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _frame_sql(source_name: str, suite: dict[str, Any]) -> str:
    """The referenced columns of one partition's raw rows, as the rules see them. Member flags
    (`<column>__is_member`) are added in Python from the member column itself."""
    source = SOURCES[source_name]
    columns: list[str] = []
    for entry in suite["expectations"]:
        column = entry["kwargs"]["column"].removesuffix(MEMBER_SUFFIX)
        if column not in columns:
            columns.append(column)
    select = []
    for column in columns:
        if column.endswith(NUMBER_SUFFIX):
            name = column.removesuffix(NUMBER_SUFFIX)
            text = clean_expr(source_name, name)
            select.append(f"(case when {castable(text, source.column(name).type)} "
                          f"then cast({text} as DOUBLE) end) as {ident(column)}")
        else:
            select.append(f"{clean_expr(source_name, column)} as {ident(column)}")
    where = " where _service_month >= $month_start and _service_month < $month_end" if source.partitioned else ""
    return f"select {', '.join(select)} from raw.{source_name}{where} order by _source_file, _source_row"


def _quiet_gx() -> None:
    for name in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
        logging.getLogger(name).setLevel(logging.ERROR)


def validate(con: duckdb.DuckDBPyConnection, source_name: str, month_start: dt.date | None = None,
             month_end: dt.date | None = None, chunk_rows: int = DEFAULT_CHUNK_ROWS,
             suite: dict[str, Any] | None = None) -> list[ExpectationOutcome]:
    """Run the source's suite over its raw rows (one partition: [month_start, month_end)) and pair
    each expectation's unexpected count with the quarantine's count for the same column and rule."""
    import os

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    import pandas as pd
    from great_expectations.core import ExpectationSuite
    from great_expectations.data_context.types.base import ProgressBarsConfig

    _quiet_gx()
    source = SOURCES[source_name]
    suite = suite or load_suite(source_name)
    params = {"month_start": month_start, "month_end": month_end} if source.partitioned else {}
    member_columns = [e["kwargs"]["column"] for e in suite["expectations"]
                      if e["kwargs"]["column"].endswith(MEMBER_SUFFIX)]
    members: set[str] = set()
    if member_columns:
        members = {r[0] for r in con.execute(
            "select distinct person_id from staging.eligibility where person_id is not null").fetchall()}

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    gx_suite = context.suites.add(ExpectationSuite(name=suite["name"], expectations=suite["expectations"]))
    batch = (context.data_sources.add_pandas(f"{source_name}_rows")
             .add_dataframe_asset(source_name).add_batch_definition_whole_dataframe("partition"))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{source_name}_validation", data=batch, suite=gx_suite))

    if [e.expectation_type for e in gx_suite.expectations] != [e["type"] for e in suite["expectations"]]:
        raise RuntimeError(f"GX reordered the expectations of suite {source_name}")
    index_of = {expectation.id: index for index, expectation in enumerate(gx_suite.expectations)}
    counts: dict[int, list[int]] = {}
    successes: dict[int, bool] = {}
    reader = con.execute(_frame_sql(source_name, suite), params).fetch_record_batch(chunk_rows)
    for record_batch in reader:
        frame = record_batch.to_pandas()
        if frame.empty:
            continue
        for column in member_columns:
            values = frame[column.removesuffix(MEMBER_SUFFIX)]
            known = pd.Series([None if v is None or v != v else v in members for v in values],
                              index=frame.index, dtype="boolean")
            frame[column] = known
        with warnings.catch_warnings():
            # pandas warns that the contract's regexes have groups GX does not extract; harmless.
            warnings.simplefilter("ignore", UserWarning)
            result = definition.run(batch_parameters={"dataframe": frame}, result_format="BASIC")
        for outcome in result.results:
            # GX orders results its own way: match them to the suite by expectation id.
            index = index_of[outcome.expectation_config.id]
            element, unexpected = counts.setdefault(index, [0, 0])
            counts[index] = [element + int(outcome.result.get("element_count", len(frame)) or 0),
                             unexpected + int(outcome.result.get("unexpected_count", 0) or 0)]
            successes[index] = successes.get(index, True) and bool(outcome.success)

    quarantined = _quarantine_counts(con, source_name, month_start, month_end)
    outcomes = []
    for index, entry in enumerate(suite["expectations"]):
        meta = entry.get("meta", {})
        column = meta.get("contract_column", entry["kwargs"]["column"])
        rule = meta.get("rule", entry["type"])
        element, unexpected = counts.get(index, [0, 0])
        outcomes.append(ExpectationOutcome(
            expectation=entry["type"], column=column, rule=rule, success=successes.get(index, True),
            element_count=element, unexpected_count=unexpected,
            quarantined_count=quarantined.get((column, rule), 0)))
    return outcomes


def _quarantine_counts(con: duckdb.DuckDBPyConnection, source_name: str, month_start: dt.date | None,
                       month_end: dt.date | None) -> dict[tuple[str, str], int]:
    from pipelines.duck import table_exists

    if not table_exists(con, "staging.quarantine"):
        return {}
    if SOURCES[source_name].partitioned:
        rows = con.execute(
            "select column_name, rule, count(*) from staging.quarantine where source = $source "
            "and partition_key >= strftime($month_start::date, '%Y-%m-%d') "
            "and partition_key < strftime($month_end::date, '%Y-%m-%d') group by 1, 2",
            {"source": source_name, "month_start": month_start, "month_end": month_end}).fetchall()
    else:
        rows = con.execute("select column_name, rule, count(*) from staging.quarantine where source = $source "
                           "group by 1, 2", {"source": source_name}).fetchall()
    return {(c, r): n for c, r, n in rows}


def store_results(con: duckdb.DuckDBPyConnection, source_name: str, partition_key: str | None,
                  outcomes: list[ExpectationOutcome], run_at: dt.datetime) -> None:
    """Replace the source partition's rows of `staging.validation_result`."""
    from pipelines.duck import transaction

    with transaction(con):
        run_sql_file(con, "staging/validation_result.sql")
        con.execute("delete from staging.validation_result where source = $source "
                    "and partition_key is not distinct from $partition_key",
                    {"source": source_name, "partition_key": partition_key})
        if outcomes:
            con.executemany(
                "insert into staging.validation_result values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [[source_name, partition_key, o.expectation, o.column, o.rule, o.success, o.element_count,
                  o.unexpected_count, o.quarantined_count, o.agrees, run_at] for o in outcomes])
