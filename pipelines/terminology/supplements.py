"""The administrative code supplement: claim codes added to clinical value sets for the plan program.

Several published value sets (Mammography, FOBT, Pap Test, Retinal or Dilated Eye Exam, ...) hold only
LOINC or SNOMED CT codes, so no claim could ever meet them. The project ships its own versioned list of
the CPT / HCPCS / revenue codes a health plan uses for the same concepts
(`supplements/administrative_code_supplement.csv`, documented in docs/value-sets.md). Ranges in the
file are expanded here, codes normalised as on the claim side, and the result lands in
`measures.valueset_supplement`, which only the plan program reads (the ecqm program matches the loaded
value sets alone).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines.terminology.codes import normalize_code

SUPPLEMENT_PATH = Path(__file__).resolve().parent / "supplements" / "administrative_code_supplement.csv"
SUPPLEMENT_TABLE = "measures.valueset_supplement"
REQUIREMENTS = frozenset({"eye_care_provider"})

# A code as letters, digits, letters: G0143, 2022F, 0650, 77061.
_CODE_PARTS = re.compile(r"^([A-Z]*)(\d+)([A-Z]*)$")


class SupplementFormatError(ValueError):
    pass


@dataclass(frozen=True)
class SupplementRow:
    valueset_oid: str
    valueset_name: str
    code_system: str
    code_low: str
    code_high: str | None
    requires: str | None
    source: str
    note: str

    def codes(self) -> list[str]:
        return expand_code_range(self.code_low, self.code_high)


@dataclass(frozen=True)
class Supplement:
    version: str
    rows: tuple[SupplementRow, ...]


def expand_code_range(low: str, high: str | None = None) -> list[str]:
    """Every code from `low` to `high` inclusive, keeping the letters and the zero-padded digit count
    (G0143-G0145 -> G0143, G0144, G0145; 2022F-2026F; 0650-0659). Without `high`, just `low`."""
    low = low.strip().upper()
    if not high or not high.strip():
        return [low]
    high = high.strip().upper()
    low_parts, high_parts = _CODE_PARTS.match(low), _CODE_PARTS.match(high)
    if not low_parts or not high_parts:
        raise SupplementFormatError(f"code range {low}-{high}: codes must be letters, digits, letters")
    (low_prefix, low_digits, low_suffix), (high_prefix, high_digits, high_suffix) = (
        low_parts.groups(), high_parts.groups())
    if (low_prefix, low_suffix, len(low_digits)) != (high_prefix, high_suffix, len(high_digits)):
        raise SupplementFormatError(f"code range {low}-{high}: both ends need the same letters and digit count")
    first, last = int(low_digits), int(high_digits)
    if last < first:
        raise SupplementFormatError(f"code range {low}-{high}: the high end is below the low end")
    width = len(low_digits)
    return [f"{low_prefix}{number:0{width}d}{low_suffix}" for number in range(first, last + 1)]


def read_versioned_csv(path: Path, version_key: str, error: type[ValueError]) -> tuple[str, list[dict]]:
    """A shipped code list: `# <version_key>: X` among the leading comment lines, then CSV rows (blank
    and comment lines skipped). Raises `error` without a version line or for a row whose field count
    differs from the header's."""
    lines = path.read_text(encoding="utf-8").splitlines()
    version_line = re.compile(rf"^#\s*{re.escape(version_key)}:\s*(\S+)\s*$")
    version = None
    for line in lines:
        if not line.startswith("#"):
            break
        match = version_line.match(line)
        if match:
            version = match.group(1)
    if version is None:
        raise error(f"{path}: no '# {version_key}: ...' line in the header")
    records = []
    for record in csv.DictReader(line for line in lines if line.strip() and not line.startswith("#")):
        if None in record or None in record.values():
            raise error(f"{path}: a row with more or fewer fields than the header: {record}")
        records.append(record)
    return version, records


def read_supplement(path: Path | None = None) -> Supplement:
    """The supplement file: `# supplement_version: X` among the leading comment lines, then CSV rows."""
    path = Path(path) if path else SUPPLEMENT_PATH
    version, records = read_versioned_csv(path, "supplement_version", SupplementFormatError)
    rows = []
    for record in records:
        requires = (record.get("requires") or "").strip() or None
        if requires is not None and requires not in REQUIREMENTS:
            raise SupplementFormatError(f"{path}: unknown requires value {requires!r}")
        if not (record.get("valueset_oid") or "").strip() or not (record.get("code_low") or "").strip():
            raise SupplementFormatError(f"{path}: a row without valueset_oid or code_low: {record}")
        rows.append(SupplementRow(
            valueset_oid=record["valueset_oid"].strip(),
            valueset_name=(record.get("valueset_name") or "").strip(),
            code_system=record["code_system"].strip(),
            code_low=record["code_low"].strip(),
            code_high=(record.get("code_high") or "").strip() or None,
            requires=requires,
            source=(record.get("source") or "").strip(),
            note=(record.get("note") or "").strip(),
        ))
    return Supplement(version=version, rows=tuple(rows))


SUPPLEMENT_SCHEMA = pa.schema([
    ("valueset_oid", pa.string()), ("code_system", pa.string()), ("code", pa.string()),
    ("display", pa.string()), ("requires", pa.string()), ("supplement_version", pa.string()),
    ("note", pa.string()),
])


def supplement_table(supplement: Supplement) -> pa.Table:
    """One row per (value set, code system, normalised code); a code listed twice keeps its first row."""
    by_key: dict[tuple[str, str, str], dict] = {}
    for row in supplement.rows:
        for code in row.codes():
            normalized = normalize_code(row.code_system, code)
            if normalized is None:
                continue
            by_key.setdefault((row.valueset_oid, row.code_system, normalized), {
                "valueset_oid": row.valueset_oid, "code_system": row.code_system, "code": normalized,
                "display": row.note, "requires": row.requires,
                "supplement_version": supplement.version,
                "note": f"{row.valueset_name}; source: {row.source}",
            })
    return pa.Table.from_pylist(list(by_key.values()), schema=SUPPLEMENT_SCHEMA)


def create_supplement_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists measures")
    con.execute(f"""
        create table if not exists {SUPPLEMENT_TABLE} (
            valueset_oid varchar not null, code_system varchar not null, code varchar not null,
            display varchar, requires varchar, supplement_version varchar not null, note varchar)""")


def load_supplements(con: duckdb.DuckDBPyConnection, path: Path | None = None) -> int:
    """Replace measures.valueset_supplement with the supplement file (the shipped one by default);
    returns the number of codes loaded."""
    table = supplement_table(read_supplement(path))
    create_supplement_table(con)
    con.execute(f"delete from {SUPPLEMENT_TABLE}")
    con.register("valueset_supplement_batch", table)
    try:
        con.execute(f"insert into {SUPPLEMENT_TABLE} by name select * from valueset_supplement_batch")
    finally:
        con.unregister("valueset_supplement_batch")
    return table.num_rows
