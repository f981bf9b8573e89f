"""Dagster resources: where the landing folder, value sets, outputs and the DuckDB file are.

The CLI and the Dagster UI build these from the same `Settings`, so both run one code path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    db_path: Path
    output_dir: Path
    valuesets_dir: Path | None = None
    # Member-level exports (care gaps for outreach) are PHI: written only when this is set.
    phi_export_dir: Path | None = None

    @classmethod
    def from_env(cls) -> "Settings":
        def opt(name: str) -> Path | None:
            value = os.environ.get(name)
            return Path(value) if value else None

        return cls(
            landing_dir=Path(os.environ.get("HMOQA_LANDING_DIR", "data/landing")),
            db_path=Path(os.environ.get("HMOQA_DB", "data/hmoqa.duckdb")),
            output_dir=Path(os.environ.get("HMOQA_OUTPUT_DIR", "data/output")),
            valuesets_dir=opt("HMOQA_VALUESETS_DIR"),
            phi_export_dir=opt("HMOQA_PHI_EXPORT_DIR"),
        )


class HmoqaConfig(dg.ConfigurableResource):
    """Folders the pipeline reads from and writes to."""

    landing_dir: str
    output_dir: str
    valuesets_dir: str | None = None
    phi_export_dir: str | None = None


def duckdb_config() -> dict[str, str]:
    """DuckDB settings for every pipeline connection.

    DuckDB's own default memory limit is 80% of RAM per process; on a shared 2-core machine that lets
    one big step push others into swap. A fixed limit makes DuckDB spill to disk instead.
    """
    # A runaway spill fails with a clear error instead of filling the disk.
    return {"memory_limit": os.environ.get("HMOQA_DUCKDB_MEMORY_LIMIT", "6GB"),
            "max_temp_directory_size": os.environ.get("HMOQA_DUCKDB_MAX_TEMP", "40GB")}


def build_resources(settings: Settings) -> dict[str, object]:
    return {
        "duckdb": DuckDBResource(database=str(settings.db_path), connection_config=duckdb_config()),
        "hmoqa": HmoqaConfig(
            landing_dir=str(settings.landing_dir),
            output_dir=str(settings.output_dir),
            valuesets_dir=str(settings.valuesets_dir) if settings.valuesets_dir else None,
            phi_export_dir=str(settings.phi_export_dir) if settings.phi_export_dir else None,
        ),
    }
