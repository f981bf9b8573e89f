"""Counts that describe the clinical model without naming any member (asset metadata, checks)."""

from __future__ import annotations

import duckdb

from pipelines.clinical.model import RECORD_TABLES


def record_counts(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """Rows per clinical table and source kind, e.g. {"encounter": {"fhir": 233}}."""
    counts: dict[str, dict[str, int]] = {}
    for table in RECORD_TABLES:
        rows = con.execute(f"select source_kind, count(*) from clinical.{table} group by 1 order by 1").fetchall()
        counts[table] = {kind: int(n) for kind, n in rows}
    return counts


def issue_counts(con: duckdb.DuckDBPyConnection, source_kind: str | None = None) -> dict[str, int]:
    """Load issues per severity (files and resource ids stay in clinical.load_issue)."""
    rows = con.execute(
        "select severity, count(*) from clinical.load_issue "
        "where $kind is null or source_kind = $kind group by 1 order by 1", {"kind": source_kind}).fetchall()
    return {severity: int(n) for severity, n in rows}


def issue_preview(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[dict]:
    """The most frequent load-issue messages with their resource types (no member identifiers)."""
    rows = con.execute(
        "select severity, resource_type, message, count(*) as n from clinical.load_issue "
        "group by all order by n desc, severity limit $limit", {"limit": limit}).fetchall()
    return [{"severity": s, "resource_type": t, "message": m, "count": int(n)} for s, t, m, n in rows]
