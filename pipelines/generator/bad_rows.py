"""Deliberately broken rows, so ingestion's quarantine can be tested against exact expected counts.

Every bad row is an extra row appended after a chunk of clean rows and broken in exactly one way, so
the clean plan is the same whatever the share, and each kind can be counted on its own:

* `bad_date`: an unparseable value in a date column that is not a partition date column;
* `unknown_member`: a person_id that is not in eligibility;
* `malformed_code`: a code that breaks the contract pattern of its column;
* `negative_units`: service_unit_quantity / quantity below zero;
* `duplicate`: an exact copy of a clean row of the same source.

Broken copies (all kinds but `duplicate`) get a fresh row identifier (`<id>-B<n>`) so they never look
like a second version of the clean row they were copied from.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.generator.arrays import prefixed_ids

KINDS = ("bad_date", "unknown_member", "malformed_code", "negative_units", "duplicate")
# The contract rule each kind breaks (rule names as in pipelines.staging.rules).
QUARANTINE_RULE = {"bad_date": "type", "unknown_member": "known_member", "malformed_code": "pattern",
                   "negative_units": "minimum", "duplicate": "duplicate"}

# source -> kind -> the column that is broken (None for duplicates)
BREAKABLE: dict[str, dict[str, str | None]] = {
    "eligibility": {"bad_date": "birth_date", "malformed_code": "pcp_npi", "duplicate": None},
    "provider": {"malformed_code": "npi", "duplicate": None},
    "medical_claim": {"bad_date": "claim_end_date", "unknown_member": "person_id", "malformed_code": "hcpcs_code",
                      "negative_units": "service_unit_quantity", "duplicate": None},
    "pharmacy_claim": {"bad_date": "paid_date", "unknown_member": "person_id", "malformed_code": "ndc_code",
                       "negative_units": "quantity", "duplicate": None},
    "lab_result": {"bad_date": "ingest_datetime", "unknown_member": "person_id", "duplicate": None},
    "immunization": {"bad_date": "occurrence_date", "unknown_member": "person_id", "duplicate": None},
    "medical_record_abstraction": {"bad_date": "abstraction_date", "unknown_member": "person_id",
                                   "malformed_code": "provider_npi", "duplicate": None},
    "chart_audit": {"bad_date": "audit_date", "unknown_member": "person_id", "malformed_code": "provider_npi",
                    "duplicate": None},
    "survey_response": {"bad_date": "survey_date", "unknown_member": "person_id", "malformed_code": "provider_npi",
                        "duplicate": None},
}
ROW_ID: dict[str, str | None] = {
    "eligibility": None, "provider": None, "medical_claim": "claim_id", "pharmacy_claim": "claim_id",
    "lab_result": "lab_result_id", "immunization": "immunization_id", "medical_record_abstraction": "abstraction_id",
    "chart_audit": "audit_id", "survey_response": "respondent_id",
}
BAD_DATES = ("2024-02-30", "2025-13-01", "not a date", "31/31/2024", "0000-00-00")
BAD_TIMESTAMPS = ("2024-02-30 06:00:00", "2025-13-01 06:00:00", "yesterday")
MALFORMED = {
    "hcpcs_code": ("9921!", "G01#5", "83O36", "3044-F", "99 213"),
    "ndc_code": ("0009310480A", "00093-1048", "ABCDEFGHIJK", "123"),
    "npi": ("12345678X0", "123456789", "NPI1234567", "1234567890123"),
}
UNKNOWN_MEMBER_BASE = 900_000_000  # person ids P9xxxxxxxx never belong to a generated member


class BadRowInjector:
    """Appends broken rows to the chunks of one source at `share` of its clean rows (floored, cumulative)."""

    def __init__(self, source: str, share: float, schema: pa.Schema, rng: np.random.Generator) -> None:
        self.source = source
        self.share = share
        self.schema = schema
        self.rng = rng
        self.plan = BREAKABLE[source]
        self.kinds = list(self.plan)
        self.counts = {kind: 0 for kind in self.kinds}
        self.clean_rows = 0
        self._next_kind = 0
        self._serial = 0

    @property
    def injected(self) -> int:
        return sum(self.counts.values())

    def bad_rows_for(self, clean: pa.Table) -> pa.Table | None:
        """Broken rows to append after the clean chunk `clean` (None when none are due)."""
        self.clean_rows += clean.num_rows
        due = int(np.floor(self.share * self.clean_rows + 1e-9)) - self.injected
        if due <= 0 or clean.num_rows == 0:
            return None
        kinds = [self.kinds[(self._next_kind + i) % len(self.kinds)] for i in range(due)]
        self._next_kind = (self._next_kind + due) % len(self.kinds)
        pieces = []
        for kind in self.kinds:
            count = kinds.count(kind)
            if count == 0:
                continue
            candidates = self._candidates(clean, kind)
            rows = self.rng.choice(candidates, size=count, replace=count > len(candidates))
            pieces.append(self._break(clean.take(pa.array(np.sort(rows))), kind))
            self.counts[kind] += count
        return pa.concat_tables(pieces)

    def _candidates(self, clean: pa.Table, kind: str) -> np.ndarray:
        usable = np.ones(clean.num_rows, dtype=bool)
        if "paid_amount" in clean.column_names:  # never copy a reversal line
            usable &= pc.fill_null(pc.greater_equal(clean["paid_amount"], 0), True).to_numpy(zero_copy_only=False)
        column = self.plan[kind]
        if column is not None:
            usable &= clean[column].is_valid().to_numpy(zero_copy_only=False)
        found = np.flatnonzero(usable)
        return found if len(found) else np.arange(clean.num_rows)

    def _break(self, rows: pa.Table, kind: str) -> pa.Table:
        n = rows.num_rows
        column = self.plan[kind]
        rows = rows.cast(_plain(self.schema))
        if kind == "duplicate":
            return rows.cast(self.schema)
        if kind == "bad_date":
            options = BAD_TIMESTAMPS if column.endswith("datetime") else BAD_DATES
            rows = _replace(rows, column, pa.array(self.rng.choice(options, n).tolist(), pa.string()))
        elif kind == "unknown_member":
            rows = _replace(rows, column, prefixed_ids("P", UNKNOWN_MEMBER_BASE + self._serial + np.arange(n)))
        elif kind == "malformed_code":
            options = MALFORMED.get(column) or MALFORMED["npi"]
            rows = _replace(rows, column, pa.array(self.rng.choice(options, n).tolist(), pa.string()))
        elif kind == "negative_units":
            values = np.abs(rows[column].to_numpy(zero_copy_only=False).astype(np.float64))
            rows = _replace(rows, column, pa.array(-np.maximum(values, 1.0)))
        row_id = ROW_ID[self.source]
        if row_id is not None:
            suffix = pc.binary_join_element_wise(pa.scalar("-B"), pc.cast(pa.array(self._serial + np.arange(n)), pa.string()), "")
            rows = _replace(rows, row_id, pc.binary_join_element_wise(rows[row_id], suffix, ""))
        self._serial += n
        return rows.cast(self.schema)

    def manifest(self) -> dict:
        return {kind: {"count": self.counts[kind], "column": self.plan[kind]} for kind in self.kinds}


def _plain(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                      for f in schema])


def _replace(table: pa.Table, column: str, values: pa.Array) -> pa.Table:
    index = table.column_names.index(column)
    return table.set_column(index, table.schema.field(index).name, values.cast(table.schema.field(index).type))
