"""The engine's run mechanics: year subjects, re-runs, missing value sets, evidence lineage."""

import json
from pathlib import Path

import pytest

from pipelines.clinical.fhir import load_fhir
from pipelines.measures.catalog import MEASURES, program_blocks
from pipelines.measures.engine import evaluate, set_year_subjects
from pipelines.terminology.valuesets import MissingValueSetError, load_valuesets
from tests.measures.helpers import LOINC, concept, office_visit


def write_patient(folder: Path, key: str, birth: str, gender: str, extra: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    resources = [{"resourceType": "Patient", "id": key, "birthDate": birth, "gender": gender}]
    for index, resource in enumerate(extra):
        resources.append({"id": f"{key}-{index}", "subject": {"reference": f"Patient/{key}"}, **resource})
    bundle = {"resourceType": "Bundle", "entry": [{"resource": r} for r in resources]}
    (folder / f"{key}.json").write_text(json.dumps(bundle), encoding="utf-8")


@pytest.fixture
def two_women(engine_con, tmp_path: Path):
    mammogram = {"resourceType": "Observation", "status": "final", "code": concept(LOINC, "24604-1"),
                 "effectiveDateTime": "2025-04-01T00:00:00.000Z"}
    write_patient(tmp_path, "w1", "1960-02-02", "female", [office_visit(), mammogram])
    write_patient(tmp_path, "w2", "1962-02-02", "female", [office_visit()])
    load_fhir(engine_con, tmp_path)
    return tmp_path


def test_year_run_writes_one_row_per_patient_and_measure_and_replaces_on_rerun(engine_con, two_women):
    set_year_subjects(engine_con, 2025)
    written = evaluate(engine_con)
    assert written == {m: 2 for m in MEASURES}
    evaluate(engine_con)
    rows = engine_con.execute("select measure_id, count(*) from measures.measure_result "
                              "where period_start = timestamp '2025-01-01' group by 1").fetchall()
    assert dict(rows) == {m: 2 for m in MEASURES}
    bcs = dict(engine_con.execute("select patient_key, numerator from measures.measure_result "
                                  "where measure_id = 'BCS' and program = 'ecqm'").fetchall())
    assert bcs == {"w1": True, "w2": False}
    # A second year is added beside the first, not over it.
    set_year_subjects(engine_con, 2024)
    evaluate(engine_con, ["BCS"])
    years = engine_con.execute("select year(period_start), count(*) from measures.measure_result "
                               "where measure_id = 'BCS' group by 1 order by 1").fetchall()
    assert years == [(2024, 2), (2025, 2)]


def test_numerator_evidence_carries_lineage_without_other_rows(engine_con, two_women):
    set_year_subjects(engine_con, 2025)
    evaluate(engine_con, ["BCS"])
    evidence = engine_con.execute(
        "select numerator_resource_type, numerator_source_kind, numerator_source_file, numerator_source_row, "
        "numerator_date::varchar, numerator_code from measures.measure_result "
        "where measure_id = 'BCS' and patient_key = 'w1' and year(period_start) = 2025").fetchone()
    assert evidence == ("Observation", "fhir", "w1.json", "w1-1", "2025-04-01", "http://loinc.org|24604-1")
    assert engine_con.execute("select numerator_row_id from measures.measure_result where measure_id = 'BCS' "
                              "and patient_key = 'w2' and year(period_start) = 2025").fetchone() == (None,)


def test_ecqm_rows_carry_the_year_no_product_line_and_a_source_category_only_with_a_numerator(engine_con, two_women):
    set_year_subjects(engine_con, 2025)
    evaluate(engine_con, ["BCS"])
    rows = engine_con.execute(
        "select patient_key, measurement_year, product_line, numerator_source_category "
        "from measures.measure_result where measure_id = 'BCS' and program = 'ecqm' "
        "and year(period_start) = 2025 order by patient_key").fetchall()
    assert rows == [("w1", 2025, None, "supplemental"), ("w2", 2025, None, None)]


def test_missing_value_set_names_the_measure_and_oid(engine_con, two_women, shared_dir: Path):
    mammography = "2.16.840.1.113883.3.464.1003.108.12.1018"
    engine_con.execute("delete from measures.valueset where valueset_oid = $oid", {"oid": mammography})
    try:
        set_year_subjects(engine_con, 2025)
        with pytest.raises(MissingValueSetError) as info:
            evaluate(engine_con, ["BCS"])
        assert "BCS" in str(info.value) and mammography in str(info.value)
        evaluate(engine_con, ["CIS"])  # CIS does not need it
    finally:
        load_valuesets(engine_con, shared_dir / "valuesets")


def test_required_valuesets_come_from_the_sql(shared_dir: Path):
    bcs = MEASURES["BCS"].required_valueset_oids()
    assert "2.16.840.1.113883.3.464.1003.108.12.1018" in bcs           # Mammography, in bcs.sql
    assert "2.16.840.1.113883.3.464.1003.1003" in bcs                  # Hospice Encounter, shared block
    assert "2.16.840.1.113883.3.464.1003.196.12.1214" not in bcs       # DTaP belongs to CIS
    index = json.loads((shared_dir / "valuesets" / "index.json").read_text())
    published = {v["oid"] for v in index["valuesets"]}
    for measure in MEASURES.values():
        assert measure.required_valueset_oids() <= published, measure.measure_id




def test_each_program_runs_the_shared_blocks_and_its_own():
    ecqm, plan = program_blocks("ecqm"), program_blocks("plan")
    shared = set(ecqm) & set(plan)
    assert "common/code_match.sql" in shared and "common/hospice.sql" in shared
    assert "common/qualifying_encounter.sql" in ecqm and "common/qualifying_encounter.sql" not in plan
    assert "plan/continuous_enrollment.sql" in plan and not any(b.startswith("plan/") for b in ecqm)
    # the eye-care rule edits code_match before any block reads it
    assert plan.index("plan/eye_care_provider_rule.sql") == plan.index("common/code_match.sql") + 1
    with pytest.raises(ValueError, match="unknown program"):
        program_blocks("hedis")
