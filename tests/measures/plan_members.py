"""Tiny hand-written plan members for the plan-program tests: eligibility segments, claim lines, lab
results and a provider roster as staging rows, mapped by the claims mapping and evaluated by the engine.

Each member is built with `Plan.member(...)`; dates are plain `date`s around measurement year 2025.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb

from pipelines.clinical.claims import load_claims
from pipelines.contract import SOURCES
from pipelines.measures.engine import evaluate, set_year_subjects
from pipelines.staging.load import ensure_staging_tables

MY = 2025
FULL = ((date(2023, 1, 1), date(2025, 12, 31)),)
PCP_NPI, EYE_NPI, INTERNIST_NPI, HOSPICE_NPI = "1000000001", "1000000002", "1000000003", "1000000004"
PROVIDERS = [
    {"npi": PCP_NPI, "provider_name": "Family Doc", "specialty": "family medicine"},
    {"npi": EYE_NPI, "provider_name": "Eye Doc", "specialty": "optometry"},
    {"npi": INTERNIST_NPI, "provider_name": "Internist", "specialty": "internal medicine"},
    {"npi": HOSPICE_NPI, "provider_name": "Hospice", "specialty": "hospice", "provider_type": "facility"},
]


@dataclass
class Plan:
    eligibility: list[dict] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    labs: list[dict] = field(default_factory=list)
    claim_serial: int = 0

    def member(self, person: str, birth: date, gender: str = "female", segments=FULL, line: str = "commercial",
               death: date | None = None, **flags) -> str:
        """Segments are (start, end) or (start, end, payer_type, {flag: 1})."""
        for segment in segments:
            start, end = segment[0], segment[1]
            payer_type = segment[2] if len(segment) > 2 else line
            segment_flags = segment[3] if len(segment) > 3 else flags
            self.eligibility.append({"person_id": person, "gender": gender, "birth_date": birth, "death_date": death,
                                     "enrollment_start_date": start, "enrollment_end_date": end,
                                     "payer_type": payer_type, "payer": "Acme", **segment_flags})
        return person

    def claim(self, person: str, day: date, *codes: str | tuple, dx: tuple[str, ...] = (), end: date | None = None,
              npi: str = PCP_NPI, pos: str | None = "11", paid: float = 50.0, reversed_lines: tuple[int, ...] = (),
              **claim_fields) -> str:
        """One claim; each code is 'CPT' or ('CPT', {line fields}) (modifiers, revenue code, paid amount)."""
        self.claim_serial += 1
        claim_id = f"C{self.claim_serial:04d}"
        for number, code in enumerate(codes or (None,), start=1):
            code, extra = (code, {}) if not isinstance(code, tuple) else code
            line = {"claim_id": claim_id, "claim_line_number": number, "person_id": person,
                    "claim_type": claim_fields.get("claim_type", "professional"),
                    "claim_start_date": day, "claim_end_date": end or day, "claim_line_start_date": day,
                    "claim_line_end_date": end or day, "hcpcs_code": code, "place_of_service_code": pos,
                    "rendering_npi": npi, "paid_amount": paid, "diagnosis_code_type": "icd-10-cm",
                    **{f"diagnosis_code_{i}": d for i, d in enumerate(dx, start=1)}, **claim_fields, **extra}
            self.claims.append(line)
            if number in reversed_lines:
                self.claims.append({**line, "paid_amount": -line["paid_amount"]})
        return claim_id

    def lab(self, person: str, day: date, loinc: str, result: str, units: str = "%") -> None:
        self.labs.append({"lab_result_id": f"L{len(self.labs) + 1}", "person_id": person,
                          "normalized_component_type": "loinc", "normalized_component_code": loinc,
                          "result": result, "normalized_units": units, "status": "final",
                          "collection_datetime": datetime(day.year, day.month, day.day, 9)})

    def load(self, con: duckdb.DuckDBPyConnection) -> None:
        for source, rows in (("eligibility", self.eligibility), ("medical_claim", self.claims),
                             ("lab_result", self.labs), ("provider", PROVIDERS)):
            _insert(con, source, rows)
        load_claims(con)

    @staticmethod
    def evaluate(con: duckdb.DuckDBPyConnection, year: int = MY) -> None:
        set_year_subjects(con, year, "plan")
        evaluate(con, program="plan")


def _insert(con: duckdb.DuckDBPyConnection, source: str, rows: list[dict]) -> None:
    ensure_staging_tables(con, SOURCES[source])
    defaults = {"provider": {"network_status": "in_network", "primary_care_flag": 0}}.get(source, {})
    for index, row in enumerate(rows, start=1):
        row = {**defaults, "_source_file": f"{source}.csv", "_source_row": index, "_loaded_at": datetime(2026, 1, 1),
               **({"_service_month": date(2025, 1, 1)} if SOURCES[source].partitioned else {}), **row}
        con.execute(f"insert into staging.{source} ({', '.join(row)}) values ({', '.join('?' * len(row))})",
                    list(row.values()))


def result(con: duckdb.DuckDBPyConnection, person: str, measure: str, year: int = MY) -> dict | None:
    """The plan-program row of one member and measure (None: no row)."""
    cursor = con.execute("select * from measures.measure_result where program = 'plan' and patient_key = $p "
                         "and measure_id = $m and measurement_year = $y", {"p": person, "m": measure, "y": year})
    rows = cursor.fetchall()
    assert len(rows) <= 1
    return dict(zip([d[0] for d in cursor.description], rows[0])) if rows else None
