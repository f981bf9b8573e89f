"""Asset metadata that is safe to show: counts, date ranges and previews without member identifiers."""

from __future__ import annotations

import duckdb

from pipelines.contract import SOURCES
from pipelines.ingest.sqltext import ident

# Columns that identify a member (or embed a member id, like Tuva's lab_result_id) or a claim,
# never shown in previews or logs.
IDENTIFYING_COLUMNS = frozenset({
    "person_id", "member_id", "patient_id", "subscriber_id", "respondent_id", "claim_id",
    "first_name", "middle_name", "last_name", "name_suffix", "social_security_number", "address",
    "city", "zip_code", "phone", "email", "birth_date", "death_date", "accession_number",
})

# The date that best describes an unpartitioned source's time span.
DATE_COLUMNS = {
    "eligibility": "enrollment_start_date", "immunization": "occurrence_date",
    "medical_record_abstraction": "service_date", "chart_audit": "audit_date",
    "survey_response": "survey_date",
}


def previewable_columns(source: str, limit: int = 8) -> list[str]:
    names = [c for c in SOURCES[source].column_names
             if c not in IDENTIFYING_COLUMNS and not c.endswith("_id")]
    return names[:limit]


def preview_markdown(con: duckdb.DuckDBPyConnection, table: str, source: str, where: str = "",
                     params: dict | None = None, rows: int = 5) -> str:
    """A small Markdown table of a few non-identifying columns."""
    columns = previewable_columns(source)
    if not columns:
        return "(no previewable columns)"
    data = con.execute(f"select {', '.join(ident(c) for c in columns)} from {table} {where} limit {int(rows)}",
                       params or {}).fetchall()
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in data:
        lines.append("| " + " | ".join("" if v is None else str(v).replace("|", "\\|") for v in row) + " |")
    return "\n".join(lines)


def date_range(con: duckdb.DuckDBPyConnection, table: str, source: str, where: str = "",
               params: dict | None = None) -> str:
    """'first .. last' of the source's service month (partitioned) or describing date, as text."""
    column = "_service_month" if SOURCES[source].partitioned else DATE_COLUMNS.get(source)
    if not column:
        return "n/a"
    first, last = con.execute(f"select min({ident(column)}), max({ident(column)}) from {table} {where}",
                              params or {}).fetchone()
    return f"{first} .. {last}" if first is not None else "no rows"
