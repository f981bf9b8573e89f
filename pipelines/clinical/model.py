"""The clinical model: table names, creation and replacement (no Dagster imports)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import duckdb
import pyarrow as pa

from pipelines.duck import run_sql_file

# Tables with one row per clinical record, and the resource type each stands for.
RECORD_TABLES: Mapping[str, str] = {
    "patient": "Patient",
    "coverage": "Coverage",
    "encounter": "Encounter",
    "condition": "Condition",
    "procedure": "Procedure",
    "observation": "Observation",
    "medication_request": "MedicationRequest",
    "medication_dispense": "MedicationDispense",
    "immunization": "Immunization",
    "device_request": "DeviceRequest",
    "service_request": "ServiceRequest",
    "allergy_intolerance": "AllergyIntolerance",
}
CHILD_TABLES = ("observation_component", "coding")
VIEWS = ("record_lineage",)
ALL_TABLES = (*RECORD_TABLES, *CHILD_TABLES, "load_issue")


def create_clinical_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists clinical")
    for table in ALL_TABLES:
        run_sql_file(con, f"clinical/{table}.sql")
    for view in VIEWS:
        run_sql_file(con, f"clinical/{view}.sql")


def next_row_id(con: duckdb.DuckDBPyConnection) -> int:
    """Row ids are unique across all record tables, so clinical.coding needs only row_id to join."""
    union = " union all ".join(f"select max(row_id) as m from clinical.{t}" for t in RECORD_TABLES)
    value = con.execute(f"select coalesce(max(m), 0) + 1 from ({union})").fetchone()[0]
    return int(value)


def delete_source_kind(con: duckdb.DuckDBPyConnection, source_kind: str) -> None:
    """Remove every row that came from one source kind (re-loading replaces, never appends)."""
    for table in RECORD_TABLES:
        con.execute(f"delete from clinical.coding where row_id in "
                    f"(select row_id from clinical.{table} where source_kind = $kind)", {"kind": source_kind})
        con.execute(f"delete from clinical.observation_component where row_id in "
                    f"(select row_id from clinical.{table} where source_kind = $kind)", {"kind": source_kind})
        con.execute(f"delete from clinical.{table} where source_kind = $kind", {"kind": source_kind})
    con.execute("delete from clinical.load_issue where source_kind = $kind", {"kind": source_kind})


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: Iterable[dict]) -> int:
    rows = list(rows)
    if not rows:
        return 0
    columns = [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'clinical' "
        "and table_name = $t order by ordinal_position", {"t": table}).fetchall()]
    batch = pa.Table.from_pydict({c: [row.get(c) for row in rows] for c in columns})
    con.register("clinical_batch", batch)
    try:
        con.execute(f"insert into clinical.{table} by name select * from clinical_batch")
    finally:
        con.unregister("clinical_batch")
    return len(rows)
