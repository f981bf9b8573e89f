"""Tiny hand-written staging tables for the scores tests."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from pipelines.contract import SOURCES
from pipelines.scores.store import create_score_tables


def scores_db(path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    create_score_tables(con)
    return con


def insert(con: duckdb.DuckDBPyConnection, source: str, rows: list[dict]) -> None:
    """Insert rows into staging.<source>, with the lineage columns filled in."""
    contract = SOURCES[source]
    types = {c.name: c.type for c in contract.columns}
    lineage = {"_source_file": "hand.csv", "_loaded_at": dt.datetime(2026, 1, 1)}
    records = []
    for i, row in enumerate(rows, start=1):
        unknown = set(row) - set(types)
        assert not unknown, f"not {source} columns: {unknown}"
        record = {**row, **lineage, "_source_row": i}
        if contract.partitioned:
            first_date = next(row[c] for c in contract.partition_date_columns if row.get(c) is not None)
            record["_service_month"] = first_date.replace(day=1) if isinstance(first_date, dt.date) else None
        records.append(record)
    frame = pl.DataFrame(records, infer_schema_length=None)
    con.register("_rows", frame.to_arrow())
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    casts = ", ".join(f'cast("{c}" as {types.get(c, "VARCHAR") if c in types else _lineage_type(c)})'
                      for c in frame.columns)
    con.execute(f"insert into staging.{source} ({columns}) select {casts} from _rows")
    con.unregister("_rows")


def _lineage_type(column: str) -> str:
    return {"_source_file": "VARCHAR", "_source_row": "BIGINT", "_loaded_at": "TIMESTAMP",
            "_service_month": "DATE"}[column]


def member(person_id: str, start: str, end: str, *, payer_type: str = "commercial", gender: str = "female",
           birth_date: str = "1970-06-15", pcp_npi: str | None = None) -> dict:
    return {"person_id": person_id, "gender": gender, "birth_date": dt.date.fromisoformat(birth_date),
            "enrollment_start_date": dt.date.fromisoformat(start), "enrollment_end_date": dt.date.fromisoformat(end),
            "payer_type": payer_type, "pcp_npi": pcp_npi}


def provider(npi: str, *, pcp: bool = True, in_network: bool = True, facility: bool = False) -> dict:
    return {"npi": npi, "provider_name": f"Provider {npi[-2:]}", "specialty": "family medicine" if pcp else "cardiology",
            "provider_type": "facility" if facility else "individual",
            "network_status": "in_network" if in_network else "out_of_network", "primary_care_flag": int(pcp)}


_claim_counter = iter(range(1, 1_000_000))


def claim(person_id: str, day: str, *, claim_type: str = "professional", hcpcs: str | None = "99213",
          rendering: str | None = None, paid: float = 100.0, allowed: float | None = None,
          claim_id: str | None = None, line: int = 1, **extra) -> dict:
    date = dt.date.fromisoformat(day)
    end = dt.date.fromisoformat(extra.pop("end")) if "end" in extra else date
    row = {"claim_id": claim_id or f"C{next(_claim_counter):06d}", "claim_line_number": line,
           "claim_type": claim_type, "person_id": person_id, "claim_start_date": date, "claim_end_date": end,
           "hcpcs_code": hcpcs, "diagnosis_code_1": extra.pop("diagnosis", "I10"), "rendering_npi": rendering,
           "paid_amount": paid, "allowed_amount": paid if allowed is None else allowed}
    for key, value in extra.items():
        row[key] = dt.date.fromisoformat(value) if key.endswith("_date") and isinstance(value, str) else value
    return row


def result(person_id: str, measure_id: str, *, program: str = "plan", year: int = 2025, ip: bool = True,
           den: bool | None = None, excluded: bool = False, num: bool = False, line: str | None = "commercial",
           numerator_date: str | None = None, reason: str | None = None) -> dict:
    """One measures.measure_result row (plan program by default): den defaults to ip."""
    return {"program": program, "measure_id": measure_id, "patient_key": person_id,
            "period_start": dt.datetime(year, 1, 1), "period_end": dt.datetime(year, 12, 31, 23, 59, 59),
            "initial_population": ip, "denominator": ip if den is None else den, "denominator_exclusion": excluded,
            "denominator_exception": False, "numerator": num, "exclusion_reason": reason,
            "numerator_date": dt.date.fromisoformat(numerator_date) if numerator_date else None,
            "measurement_year": year, "product_line": line if program == "plan" else None}


def insert_results(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    frame = pl.DataFrame(rows, infer_schema_length=None)
    con.register("_results", frame.to_arrow())
    columns = ", ".join(frame.columns)
    con.execute(f"insert into measures.measure_result ({columns}) select {columns} from _results")
    con.unregister("_results")


def attribute(con: duckdb.DuckDBPyConnection, pcp_by_person: dict[str, str | None], year: int = 2025) -> None:
    """scores.attribution rows (plurality method, or unattributed when the PCP is None)."""
    frame = pl.DataFrame({"person_id": list(pcp_by_person), "pcp_npi": list(pcp_by_person.values())},
                         schema={"person_id": pl.String, "pcp_npi": pl.String})
    con.register("_attribution", frame.to_arrow())
    con.execute("""insert into scores.attribution
                   select $year, person_id, pcp_npi,
                          case when pcp_npi is null then 'unattributed' else 'plurality_of_visits' end,
                          1, 1, 1, null, make_date($year - 1, 1, 1), make_date($year, 12, 31)
                   from _attribution""", {"year": year})
    con.unregister("_attribution")
