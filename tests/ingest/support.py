"""Helpers shared by the ingest and staging tests: resources on a temporary DuckDB file,
materializing a landing folder, and writing tiny landing files by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.contract import SOURCES
from pipelines.ingest.assets import RAW_ASSETS, landing_inventory
from pipelines.resources import HmoqaConfig
from pipelines.staging.assets import CHECKS as STAGING_CHECKS
from pipelines.staging.assets import STAGING_ASSETS

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def resources(landing_dir: Path, db_path: Path) -> dict:
    return {
        "duckdb": DuckDBResource(database=str(db_path)),
        "hmoqa": HmoqaConfig(landing_dir=str(landing_dir), output_dir=str(db_path.parent / "output")),
    }


def unpartitioned_selection(with_checks: bool = True) -> list:
    names = [n for n, s in SOURCES.items() if not s.partitioned]
    selection = [landing_inventory] + [RAW_ASSETS[n] for n in names] + [STAGING_ASSETS[n] for n in names]
    if with_checks:
        selection += [c for c in STAGING_CHECKS if not _partitioned_check(c)]
    return selection


def partitioned_selection(with_checks: bool = True) -> list:
    names = [n for n, s in SOURCES.items() if s.partitioned]
    selection = [RAW_ASSETS[n] for n in names] + [STAGING_ASSETS[n] for n in names]
    if with_checks:
        selection += [c for c in STAGING_CHECKS if _partitioned_check(c)]
    return selection


def _partitioned_check(check: dg.AssetChecksDefinition) -> bool:
    key = next(iter(check.check_keys)).asset_key
    return SOURCES[key.path[-1]].partitioned


def load_unpartitioned(landing_dir: Path, db_path: Path, with_checks: bool = False,
                       raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
    return dg.materialize(unpartitioned_selection(with_checks), resources=resources(landing_dir, db_path),
                          raise_on_error=raise_on_error)


def load_months(landing_dir: Path, db_path: Path, first: str, last: str | None = None,
                with_checks: bool = False, raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
    """Materialize the partitioned raw and staging assets for one month, or a range in one run."""
    selection = partitioned_selection(with_checks)
    res = resources(landing_dir, db_path)
    if last is None or last == first:
        return dg.materialize(selection, resources=res, partition_key=first, raise_on_error=raise_on_error)
    return dg.materialize(selection, resources=res, tags={RANGE_START: first, RANGE_END: last},
                          raise_on_error=raise_on_error)


def query(db_path: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def scalar(db_path: Path, sql: str, params=None):
    return query(db_path, sql, params)[0][0]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


ELIGIBILITY_HEADER = ["person_id", "gender", "birth_date", "enrollment_start_date", "enrollment_end_date",
                      "payer_type"]
CLAIM_HEADER = ["claim_id", "claim_line_number", "claim_type", "person_id", "claim_start_date",
                "claim_end_date", "hcpcs_code", "diagnosis_code_1", "paid_amount"]


def eligibility_rows(*person_ids: str) -> list[list[str]]:
    return [[p, "female", "1970-01-01", "2024-01-01", "2024-12-31", "commercial"] for p in person_ids]


def claim(claim_id: str, person_id: str = "m1", start: str = "2024-01-15", hcpcs: str = "99213",
          dx: str = "E11.9", paid: str = "100.00", line: str = "1") -> list[str]:
    return [claim_id, line, "professional", person_id, start, start, hcpcs, dx, paid]


def small_landing(root: Path, claims: list[list[str]], members: tuple[str, ...] = ("m1", "m2")) -> Path:
    """A landing folder with eligibility for `members` and the given medical claim lines."""
    write_csv(root / "eligibility.csv", ELIGIBILITY_HEADER, eligibility_rows(*members))
    write_csv(root / "medical_claim.csv", CLAIM_HEADER, claims)
    return root
