"""The code location loads, validates, and holds one Definitions with the flow's groups, jobs and automation."""

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from pipelines.definitions import defs
from tests.conftest import REPO_ROOT


def test_dagster_definitions_validate_passes(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "HMOQA_DB": str(tmp_path / "x.duckdb")}
    dagster = Path(sys.executable).parent / "dagster"
    proc = subprocess.run([str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_asset_has_a_description_and_a_layer_group():
    # The scores layer has one group per family (issue: "one asset group per family").
    score_families = {"attribution", "provider_performance", "hybrid", "chart_audit", "experience", "utilization"}
    layers = {"ingest", "staging", "clinical", "measures", "dashboards"} | score_families
    specs = list(defs.resolve_all_asset_specs())
    assert specs, "no assets defined"
    for spec in specs:
        assert spec.description, f"{spec.key.to_user_string()} has no description"
        assert spec.group_name in layers, f"{spec.key.to_user_string()} is in group {spec.group_name}"


def test_runs_execute_in_one_process():
    assert defs.executor is dg.in_process_executor
