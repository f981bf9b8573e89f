"""The Dagster assets of the clinical and measures layers, materialized on a tiny FHIR landing folder."""

import json
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.clinical.assets import clinical_model, no_unreadable_inputs
from pipelines.measures.assets import measure_result, populations_consistent, valueset
from pipelines.resources import HmoqaConfig
from tests.measures.helpers import LOINC, concept, office_visit


def landing_with_fhir(root: Path) -> Path:
    fhir = root / "landing" / "fhir" / "batch-1"
    fhir.mkdir(parents=True)
    mammogram = {"resourceType": "Observation", "id": "o1", "status": "final", "code": concept(LOINC, "24604-1"),
                 "subject": {"reference": "Patient/w1"}, "effectiveDateTime": "2025-04-01T00:00:00.000Z"}
    visit = {"id": "e1", "subject": {"reference": "Patient/w1"}, **office_visit()}
    lines = [{"resourceType": "Patient", "id": "w1", "gender": "female", "birthDate": "1960-02-02"}, visit, mammogram]
    (fhir / "bulk.ndjson").write_text("\n".join(json.dumps(r) for r in lines), encoding="utf-8")
    (fhir / "broken.json").write_text("not json", encoding="utf-8")
    return root / "landing"


def test_assets_materialize_a_year_and_rematerializing_replaces_it(tmp_path: Path, shared_dir: Path):
    db = tmp_path / "hmoqa.duckdb"
    resources = {"duckdb": DuckDBResource(database=str(db)),
                 "hmoqa": HmoqaConfig(landing_dir=str(landing_with_fhir(tmp_path)), output_dir=str(tmp_path / "out"),
                                      valuesets_dir=str(shared_dir / "valuesets"))}
    result = dg.materialize([valueset, clinical_model, no_unreadable_inputs], resources=resources)
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"no_unreadable_inputs": False}      # broken.json is reported, not fatal
    for _ in range(2):
        result = dg.materialize([measure_result, populations_consistent], resources=resources, partition_key="2025")
        assert result.success
        assert [(e.check_name, e.passed) for e in result.get_asset_check_evaluations()] == [
            ("populations_consistent", True)]
    materialization = result.asset_materializations_for_node("measures__measure_result")[0]
    populations = materialization.metadata["populations"].value
    assert "| 2025 | ecqm | BCS |  | 1 | 1 | 0 | 1 | 1.0 | 0 |" in populations
    assert "w1" not in populations                       # no member identifiers in metadata
    plan_inputs = materialization.metadata["plan_enrollment_input"].value
    assert "| 2025 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" in plan_inputs   # no eligibility file, no plan members
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select measure_id, count(*) from measures.measure_result where program = 'ecqm' "
                           "group by 1").fetchall()
        plan_rows = con.execute("select count(*) from measures.measure_result where program = 'plan'").fetchone()[0]
    assert plan_rows == 0                                # a FHIR-only landing folder has no plan members
    assert dict(rows) == {m: 1 for m in ("BCS", "COL", "CCS", "CBP", "EED", "GSD", "CIS")}
