"""The measure engine: set-based SQL over the clinical model, one batch per run.

A run evaluates a set of subjects (patient, measurement period) for one program in one DuckDB
connection: macros -> subject -> building blocks (temp tables; shared ones plus the program's own,
catalog.program_blocks) -> each measure -> measures.measure_result. No per-patient Python: every step
is one SQL statement over all subjects.

Programs: 'ecqm' (measures.md, the CMS test cases) and 'plan' (plan-program.md: members of the
eligibility file, continuous enrollment instead of a qualifying encounter, claims-identified
conditions, the administrative code supplement, enrollment exclusions, product lines).
"""

from __future__ import annotations

from contextlib import nullcontext
from time import perf_counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time

import duckdb
import pyarrow as pa

from pipelines.clinical.model import create_clinical_tables
from pipelines.contract import SOURCES
from pipelines.duck import run_sql_file, sql_text, transaction
from pipelines.measures.catalog import MEASURES, PROGRAM_ECQM, PROGRAM_PLAN, Measure, program_blocks
from pipelines.staging.load import ensure_staging_tables
from pipelines.terminology.codes import normalize_code_sql_macro
from pipelines.terminology.supplements import SUPPLEMENT_TABLE, create_supplement_table, load_supplements
from pipelines.terminology.valuesets import create_valueset_tables, require_valuesets

__all__ = ["PROGRAM_ECQM", "PROGRAM_PLAN", "period_bounds", "create_measure_tables", "set_subjects", "year_period",
           "set_year_subjects", "evaluate"]

# Staging tables the plan program's blocks read (enrollment; claim lines and the provider roster for
# the eye-care-provider rule and hospice bill types). Created empty when a database has none.
PLAN_STAGING_SOURCES = ("eligibility", "medical_claim", "provider")


def period_bounds(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """A measurement period of whole days: [first 00:00:00.000, last 23:59:59.999] (UTC)."""
    return datetime.combine(first_day, time.min), datetime.combine(last_day, time(23, 59, 59, 999000))


def create_measure_tables(con: duckdb.DuckDBPyConnection) -> None:
    create_clinical_tables(con)
    create_valueset_tables(con)
    create_supplement_table(con)
    run_sql_file(con, "measures/measure_result.sql")


def _prepare_plan_inputs(con: duckdb.DuckDBPyConnection) -> None:
    for source in PLAN_STAGING_SOURCES:
        ensure_staging_tables(con, SOURCES[source])
    # The shipped supplement is part of the program: load it when nobody has.
    if not con.execute(f"select count(*) from {SUPPLEMENT_TABLE}").fetchone()[0]:
        load_supplements(con)


def _run_macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(normalize_code_sql_macro())
    # Several `create macro` statements, no parameters: DuckDB runs them as one script.
    con.execute(sql_text("measures/common/macros.sql"))


def set_subjects(con: duckdb.DuckDBPyConnection,
                 subjects: Iterable[tuple[str, datetime, datetime]]) -> None:
    """Subjects given explicitly: (patient_key, MP start, MP end) each (conformance cases)."""
    rows = list(subjects)
    table = pa.table({"patient_key": pa.array([r[0] for r in rows], pa.string()),
                      "mp_start": pa.array([r[1] for r in rows], pa.timestamp("us")),
                      "mp_end": pa.array([r[2] for r in rows], pa.timestamp("us"))})
    con.register("subject_period_batch", table)
    try:
        con.execute("create or replace temp table subject_period as select * from subject_period_batch")
    finally:
        con.unregister("subject_period_batch")


def year_period(year: int) -> tuple[datetime, datetime]:
    """The calendar measurement year as an MP: [Jan 1 00:00:00.000, Dec 31 23:59:59.999]."""
    return period_bounds(date(year, 1, 1), date(year, 12, 31))


def set_year_subjects(con: duckdb.DuckDBPyConnection, year: int, program: str = PROGRAM_ECQM) -> None:
    """The subjects of one calendar measurement year: every patient of the clinical model (ecqm), or
    every member of the eligibility file (plan: patient_key = person_id)."""
    start, end = year_period(year)
    run_sql_file(con, "measures/common/subject_year.sql", {"mp_start": start, "mp_end": end, "program": program})


def evaluate(con: duckdb.DuckDBPyConnection, measure_ids: Sequence[str] | None = None,
             program: str = PROGRAM_ECQM, valuesets_folder: str | None = None,
             timings: dict[str, float] | None = None, write_in_transaction: bool = False) -> dict[str, int]:
    """Evaluate measures for the subjects in temp table `subject_period`; returns rows written per measure.

    With `write_in_transaction`, the temp-table blocks run in autocommit and only the replacement of the
    run's rows in measures.measure_result (delete, then insert) is one transaction: inside a transaction
    DuckDB's optimizer sees every temp table as empty and builds hash joins on the wrong side, which
    costs a quarter of the run at scale. Callers that hold a transaction of their own leave it False.

    Raises MissingValueSetError (naming measure and OIDs) before computing anything if a value set
    a requested measure needs is not loaded.
    """
    measures: list[Measure] = [MEASURES[m] for m in (measure_ids or list(MEASURES))]
    blocks = program_blocks(program)
    create_measure_tables(con)
    if program == PROGRAM_PLAN:
        _prepare_plan_inputs(con)
    for measure in measures:
        require_valuesets(con, measure.measure_id, measure.required_valueset_oids(), valuesets_folder)
    timings = timings if timings is not None else {}

    def step(name: str, model: str, params: dict | None = None) -> None:
        started = perf_counter()
        run_sql_file(con, model, {"program": program, **(params or {})})
        timings[name] = timings.get(name, 0.0) + perf_counter() - started

    _run_macros(con)
    step("subject", "measures/common/subject.sql")
    for block in blocks:
        step(block, f"measures/{block}")
    run_sql_file(con, "measures/common/all_measure_population.sql")
    for measure in measures:
        step(measure.measure_id, measure.sql_model)
        step("collect_population", "measures/common/collect_population.sql", {"measure_id": measure.measure_id})
    run_params = {"program": program, "measure_ids": [m.measure_id for m in measures]}
    with transaction(con) if write_in_transaction else nullcontext():
        step("clear_results", "measures/common/clear_results.sql", run_params)
        step("measure_result", "measures/common/measure_result.sql",
             {**run_params, "cms_ids": [m.cms_id for m in measures]})
    subjects = int(con.execute("select count(*) from subject").fetchone()[0])
    return {m.measure_id: subjects for m in measures}
