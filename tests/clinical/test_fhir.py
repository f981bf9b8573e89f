import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.clinical.fhir import load_case_folders, load_fhir
from pipelines.clinical.timing import BEGINNING_OF_TIME, END_OF_TIME, parse_datetime

SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"


def resource_file(folder: Path, name: str, resource) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(resource), encoding="utf-8")


def condition(cid: str, patient: str, **extra) -> dict:
    return {"resourceType": "Condition", "id": cid, "subject": {"reference": f"Patient/{patient}"},
            "code": {"coding": [{"system": ICD10CM, "code": "e11.9"}]}, **extra}


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def test_parse_datetime_bounds_and_time_zones():
    assert parse_datetime("2025-12-31T23:59:59.000Z")[:2] == (datetime(2025, 12, 31, 23, 59, 59),) * 2
    lo, hi, precision, _ = parse_datetime("2025-12-31")
    assert (lo, hi, precision) == (datetime(2025, 12, 31), datetime(2025, 12, 31, 23, 59, 59, 999000), "day")
    lo, hi, precision, _ = parse_datetime("2024-02")
    assert (lo, hi, precision) == (datetime(2024, 2, 1), datetime(2024, 2, 29, 23, 59, 59, 999000), "month")
    # An offset is converted to UTC before the date is taken.
    assert parse_datetime("2025-12-31T20:00:00.000-05:00")[0] == datetime(2026, 1, 1, 1, 0)
    assert parse_datetime("2025-01-01T10:00:00")[3] is False


def test_bundles_ndjson_and_nesting_load_by_subject(tmp_path: Path, con):
    resource_file(tmp_path / "a" / "b", "bundle.json", {"resourceType": "Bundle", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1960-05-01"}},
        {"resource": {"resourceType": "Bundle", "entry": [{"resource": condition("c1", "p1")}]}},
    ]})
    (tmp_path / "bulk.ndjson").write_text(
        json.dumps({"resourceType": "Patient", "id": "p2", "birthDate": "1970-01-01"}) + "\n\n"
        + json.dumps(condition("c2", "p2", onsetDateTime="2020-01-01")) + "\n", encoding="utf-8")
    report = load_fhir(con, tmp_path)
    assert report.patients == 2 and report.records == 4 and report.issues == 0
    rows = con.execute("select c.patient_key, k.code_normalized from clinical.condition c "
                       "join clinical.coding k using (row_id) order by 1").fetchall()
    assert rows == [("p1", "E119"), ("p2", "E119")]
    lineage = con.execute("select source_kind, source_file, resource_id from clinical.condition "
                          "where patient_key = 'p1'").fetchone()
    assert lineage == ("fhir", "a/b/bundle.json", "c1")
    # Loading again replaces rather than duplicates.
    load_fhir(con, tmp_path)
    assert con.execute("select count(*) from clinical.condition").fetchone()[0] == 2


def test_case_mode_assigns_every_resource_to_the_case(tmp_path: Path, con):
    resource_file(tmp_path / "case-1", "p.json", {"resourceType": "Patient", "id": "case-1"})
    resource_file(tmp_path / "case-1", "c.json", condition("Condition-1", "Patient-11"))
    resource_file(tmp_path / "case-2", "c.json", condition("Condition-1", "someone-else"))
    load_case_folders(con, {"case-1": tmp_path / "case-1", "case-2": tmp_path / "case-2"})
    rows = con.execute("select patient_key, resource_id from clinical.condition order by 1").fetchall()
    assert rows == [("case-1", "Condition-1"), ("case-2", "Condition-1")]
    assert con.execute("select count(distinct row_id) from clinical.condition").fetchone()[0] == 2


def test_bad_input_is_reported_and_the_rest_loads(tmp_path: Path, con):
    resource_file(tmp_path, "good.json", condition("ok", "p1", onsetDateTime="2025-03-01T00:00:00Z"))
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    resource_file(tmp_path, "unknown.json", {"resourceType": "Spaceship", "id": "s1"})
    resource_file(tmp_path, "orphan.json", {"resourceType": "Procedure", "id": "no-subject", "status": "completed"})
    resource_file(tmp_path, "nosystem.json", {"resourceType": "Procedure", "id": "pr1", "status": "completed",
                                              "subject": {"reference": "Patient/p1"},
                                              "code": {"coding": [{"code": "12345"}]}})
    resource_file(tmp_path, "partial.json", condition("partial", "p1", onsetDateTime="2025-06",
                                                      clinicalStatus={"coding": [{"code": "active"}]}))
    resource_file(tmp_path, "pt.json", {"resourceType": "Patient", "id": "p1", "birthDate": "1980"})
    load_fhir(con, tmp_path)
    issues = {(f, rid, sev) for f, rid, sev, _m in con.execute(
        "select source_file, resource_id, severity, message from clinical.load_issue").fetchall()}
    assert ("broken.json", None, "error") in issues
    assert ("unknown.json", "s1", "warning") in issues
    assert ("orphan.json", "no-subject", "error") in issues
    assert ("nosystem.json", "pr1", "warning") in issues
    assert ("partial.json", "partial", "info") in issues
    assert ("pt.json", "p1", "warning") in issues
    # The good and the tolerable resources are still loaded.
    assert con.execute("select count(*) from clinical.condition").fetchone()[0] == 2
    assert con.execute("select count(*) from clinical.procedure").fetchone()[0] == 1
    onset = con.execute("select start_lo, start_hi from clinical.condition where resource_id = 'partial'").fetchone()
    assert onset == (datetime(2025, 6, 1), datetime(2025, 6, 30, 23, 59, 59, 999000))
    assert con.execute("select birth_date, birth_date_precision from clinical.patient").fetchone() == (None, "year")


def test_condition_prevalence_interval(tmp_path: Path, con):
    active = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]}
    resolved = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "resolved"}]}
    resource_file(tmp_path, "a.json", condition("active-no-onset", "p", clinicalStatus=active))
    resource_file(tmp_path, "b.json", condition("resolved-open", "p", clinicalStatus=resolved,
                                                onsetDateTime="2020-01-01T00:00:00.000Z"))
    resource_file(tmp_path, "c.json", condition("abated", "p", clinicalStatus=resolved,
                                                onsetDateTime="2020-01-01T00:00:00.000Z",
                                                abatementDateTime="2023-12-31T00:00:00.000Z"))
    resource_file(tmp_path, "d.json", condition("active-open", "p", clinicalStatus=active,
                                                onsetDateTime="2024-12-31T23:59:59.000Z"))
    load_fhir(con, tmp_path)
    rows = dict((r[0], r[1:]) for r in con.execute(
        "select resource_id, start_lo, end_hi from clinical.condition").fetchall())
    assert rows["active-no-onset"] == (BEGINNING_OF_TIME, END_OF_TIME)
    assert rows["resolved-open"] == (datetime(2020, 1, 1), None)
    assert rows["abated"] == (datetime(2020, 1, 1), datetime(2023, 12, 31))
    assert rows["active-open"] == (datetime(2024, 12, 31, 23, 59, 59), END_OF_TIME)


def test_medication_request_period_and_observation_values(tmp_path: Path, con):
    resource_file(tmp_path, "m.json", {
        "resourceType": "MedicationRequest", "id": "m1", "status": "active", "intent": "order",
        "subject": {"reference": "Patient/p"}, "authoredOn": "2025-12-30T08:00:00.000Z",
        "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                                  "code": "312836"}]},
        "dispenseRequest": {"expectedSupplyDuration": {"value": 90, "code": "days"}}})
    resource_file(tmp_path, "q.json", {
        "resourceType": "MedicationRequest", "id": "m2", "status": "active", "intent": "order",
        "subject": {"reference": "Patient/p"}, "authoredOn": "2025-01-10",
        "dosageInstruction": [{"timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
                               "doseAndRate": [{"doseQuantity": {"value": 1}}]}],
        "dispenseRequest": {"quantity": {"value": 60}, "numberOfRepeatsAllowed": 1}})
    resource_file(tmp_path, "o.json", {
        "resourceType": "Observation", "id": "bp", "status": "final", "subject": {"reference": "Patient/p"},
        "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
        "effectiveDateTime": "2025-01-02T10:00:00Z", "encounter": {"reference": "Encounter/e9"},
        "component": [
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
             "valueQuantity": {"value": 139, "code": "mm[Hg]", "system": "http://unitsofmeasure.org"}},
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]}}]})
    load_fhir(con, tmp_path)
    periods = dict((r[0], r[1:]) for r in con.execute(
        "select resource_id, start_lo::date, end_hi::date, days_supplied from clinical.medication_request").fetchall())
    assert str(periods["m1"][0]) == "2025-12-30" and str(periods["m1"][1]) == "2026-03-29"
    assert str(periods["m2"][1]) == "2025-03-10" and periods["m2"][2] == 60.0  # 60 / 2 per day x 2 fills
    components = con.execute("select code, value_quantity, value_unit from clinical.observation_component "
                             "order by component_index").fetchall()
    assert components == [("8480-6", 139.0, "mm[Hg]"), ("8462-4", None, None)]
    assert con.execute("select encounter_id from clinical.observation").fetchone() == ("e9",)
