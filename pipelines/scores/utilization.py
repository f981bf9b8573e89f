"""Utilization and cost of one measurement year (definitions in docs/scores.md).

Models, run in order inside one transaction:
  sql/scores/utilization_member_month.sql   member months per member x month x product line
  sql/scores/utilization_inpatient_stay.sql stays with transfers collapsed, index stays, readmissions
  sql/scores/utilization_member.sql         per member x product line: exposure, events, cost, cell, PCP
  sql/scores/utilization_metric.sql         observed and expected per plan, product line and PCP
They read `scores.claim_line_category` (claim lines net of reversals with service category and
network status) and `scores.attribution` of the same year, which must be built first.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from pipelines.duck import run_sql_file
from pipelines.scores.code_lists import codes
from pipelines.scores.store import clear_year, read_frame, year_params

TABLES = ("scores.utilization_member_month", "scores.utilization_inpatient_stay", "scores.utilization_member",
          "scores.utilization_metric")
READMISSION_WINDOW_DAYS = 30
# Index stays are discharged Jan 1 - Dec 1 so that every one has its full 30 days inside the year.
INDEX_DISCHARGE_LAST_DAY = (12, 1)


def stay_params(year: int) -> dict[str, object]:
    return {**year_params(year), "history_start": dt.date(year - 1, 1, 1),
            "index_discharge_end": dt.date(year, *INDEX_DISCHARGE_LAST_DAY),
            "readmission_days": READMISSION_WINDOW_DAYS,
            "planned_diagnoses": list(codes("planned_readmission", "ICD10CM")),
            "planned_drgs": list(codes("planned_readmission", "MSDRG"))}


def build_utilization(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, int]:
    """Replace the year's utilization tables (call inside a transaction, after attribution); rows per table."""
    clear_year(con, TABLES, year)
    params = year_params(year)
    run_sql_file(con, "scores/utilization_member_month.sql", params)
    run_sql_file(con, "scores/utilization_inpatient_stay.sql", stay_params(year))
    run_sql_file(con, "scores/utilization_member.sql", params)
    run_sql_file(con, "scores/utilization_metric.sql", {"year": year})
    return {table: int(con.execute(f"select count(*) from {table} where measurement_year = ?", [year]).fetchone()[0])
            for table in TABLES}


def plan_figures(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame:
    """Plan and product-line observed values (no member identifiers), for metadata and dashboards."""
    return read_frame(con, """
        select level, unit_id, metric, service_category, members, round(member_months, 1) as member_months,
               round(observed, 4) as observed
        from scores.utilization_metric
        where measurement_year = $year and level in ('plan', 'product_line')
          and (metric not in ('paid_pmpm', 'allowed_pmpm') or service_category = 'all')
        order by metric, level, unit_id""", {"year": year})

