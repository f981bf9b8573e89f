"""Small generated plans shared by the generator tests (generated once per session, in seconds)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipelines.generator import generate_plan

PLAN = {"members": 1500, "years": 3, "seed": 20251, "end_year": 2025, "bad_row_share": 0.02}


@pytest.fixture(scope="session")
def plan_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plan")
    generate_plan(out_dir=out, **PLAN)
    return out


@pytest.fixture(scope="session")
def manifest(plan_dir: Path) -> dict:
    return json.loads((plan_dir / "generator_manifest.json").read_text())


@pytest.fixture(scope="session")
def edge_plan_dir(tmp_path_factory) -> Path:
    """The shared small plan plus the planted edge members."""
    out = tmp_path_factory.mktemp("edge_plan")
    generate_plan(out_dir=out, edge_members=True, **PLAN)
    return out


@pytest.fixture()
def edge_con(edge_plan_dir: Path):
    connection = duckdb.connect()
    for path in edge_plan_dir.glob("*.parquet"):
        connection.execute(f"create view {path.stem} as select * from read_parquet('{path}')")
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def clean_plan_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean_plan")
    generate_plan(members=400, years=2, seed=5, out_dir=out, end_year=2024, bad_row_share=0.0)
    return out


@pytest.fixture()
def con(plan_dir: Path):
    """DuckDB with one view per generated source (`medical_claim`, `eligibility`, ...)."""
    connection = duckdb.connect()
    for path in plan_dir.glob("*.parquet"):
        connection.execute(f"create view {path.stem} as select * from read_parquet('{path}')")
    yield connection
    connection.close()
