"""Care gaps of the plan program (issue 4 item 4) and their PHI export for outreach teams.

`measures.care_gap` holds one row per member x measure x year in a denominator, not excluded and not
in the numerator (for GSD, the inverse measure: in the numerator, i.e. poor control or no test):
what is missing in plain words, the day it can still be closed by, the PCP (attributed / assigned /
none) and the last relevant service. It is PHI: logs and metadata carry counts only, and the file
export is written only into the configured PHI folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pyarrow.csv as pa_csv

from pipelines.duck import run_sql_file
from pipelines.measures.rates import PROGRAM_PLAN, year_params
from pipelines.measures.engine import create_measure_tables
from pipelines.scores.store import create_score_tables
from pipelines.stats.rates import INVERSE_MEASURES

PHI_EXPORT_ENV = "HMOQA_PHI_EXPORT_DIR"
PHI_BANNER = ("# CONTAINS PROTECTED HEALTH INFORMATION (PHI): member-level care gaps for outreach. "
              "Minimum necessary use only; do not e-mail, share or store outside approved locations.")
EXPORT_COLUMNS = ("measurement_year", "measure_id", "person_id", "product_line", "stratum", "gap_code", "gap",
                  "close_by", "pcp_npi", "pcp_source", "last_service_date", "last_assessment_date")


def create_care_gap_table(con: duckdb.DuckDBPyConnection) -> None:
    """measure_result, scores.attribution and staging.eligibility (empty if absent), and measures.care_gap."""
    create_measure_tables(con)
    create_score_tables(con)
    run_sql_file(con, "measures/care_gap_table.sql")


def build_care_gaps(con: duckdb.DuckDBPyConnection, year: int, program: str = PROGRAM_PLAN) -> int:
    """Replace the year's care gaps (call inside a transaction); returns the number of open gaps."""
    create_care_gap_table(con)
    con.execute("delete from measures.care_gap where measurement_year = ?", [year])
    run_sql_file(con, "measures/care_gap.sql", {**year_params(year, program),
                                                "inverse_measures": sorted(INVERSE_MEASURES)})
    return int(con.execute("select count(*) from measures.care_gap where measurement_year = ?",
                           [year]).fetchone()[0])


def care_gap_summary(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    """Open gaps per measure and PCP source (counts only, for metadata and logs)."""
    rows = con.execute("""
        select measure_id, count(*) as gaps,
               count(*) filter (where pcp_source = 'attributed') as attributed,
               count(*) filter (where pcp_source = 'assigned') as assigned,
               count(*) filter (where pcp_source = 'none') as without_pcp,
               count(*) filter (where last_service_date is null) as without_service
        from measures.care_gap where measurement_year = ? group by measure_id order by measure_id""",
                       [year]).fetchall()
    names = ("measure", "gaps", "pcp_attributed", "pcp_assigned", "no_pcp", "no_service_in_lookback")
    return [dict(zip(names, row)) for row in rows]


def care_gap_problems(con: duckdb.DuckDBPyConnection, year: int, program: str = PROGRAM_PLAN) -> dict[str, int]:
    """Gaps that disagree with measure_result: per measure, the gap count must be denominator - numerator
    (numerator for inverse measures), and no member may have two gaps for one measure."""
    params = {"program": program, "year": year, "inverse_measures": sorted(INVERSE_MEASURES)}
    differs = con.execute("""
        with expected as (
            select measure_id,
                   count(*) filter (where initial_population and not denominator_exclusion
                                    and numerator = list_contains($inverse_measures, measure_id))
                       as gaps
            from measures.measure_result
            where program = $program and measurement_year = $year
            group by measure_id
        ),
        found as (
            select measure_id, count(*) as gaps from measures.care_gap where measurement_year = $year
            group by measure_id
        )
        select count(*) from expected full join found using (measure_id)
        where coalesce(expected.gaps, 0) <> coalesce(found.gaps, 0)""", params).fetchone()[0]
    duplicates = con.execute("""
        select count(*) from (select measure_id, person_id from measures.care_gap where measurement_year = ?
                              group by all having count(*) > 1)""", [year]).fetchone()[0]
    after_close = con.execute("""
        select count(*) from measures.care_gap
        where measurement_year = ? and (close_by > make_date(measurement_year, 12, 31)
                                        or last_service_date > make_date(measurement_year, 12, 31))""",
                              [year]).fetchone()[0]
    return {"gap_count_differs_from_measure_result": int(differs), "duplicate_member_gaps": int(duplicates),
            "dates_after_the_year": int(after_close)}


def phi_export_dir(configured: str | Path | None = None) -> Path | None:
    """The folder where PHI exports may be written: the configured value, else HMOQA_PHI_EXPORT_DIR, else None."""
    value = configured if configured else os.environ.get(PHI_EXPORT_ENV)
    return Path(value) if value else None


def export_file_name(year: int) -> str:
    return f"PHI-care-gaps-{year}.csv"


def export_care_gaps(con: duckdb.DuckDBPyConnection, year: int, out_dir: str | Path) -> Path:
    """Write the year's care gaps as CSV into `out_dir` and return the file's path.

    The file name starts with PHI and its first line is a comment saying it contains PHI; the header
    row follows. Only call this with a configured PHI folder (`phi_export_dir`). The file is written
    beside its final name and renamed, so a reader never sees half a file.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / export_file_name(year)
    partial = folder / f".{target.name}.partial"
    reader = con.execute(f"""select {', '.join(EXPORT_COLUMNS)} from measures.care_gap where measurement_year = $year
                             order by measure_id, pcp_npi nulls last, person_id""",
                         {"year": year}).fetch_record_batch()
    try:
        with partial.open("wb") as out:
            out.write((PHI_BANNER + "\n").encode("utf-8"))
            with pa_csv.CSVWriter(out, reader.schema) as writer:
                for batch in reader:
                    writer.write_batch(batch)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target
