"""Tiny hand-written FHIR cases for measure tests: build resources, evaluate one case, read its row."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb

from pipelines.clinical.fhir import load_case_folders
from pipelines.clinical.model import delete_source_kind
from pipelines.measures.engine import evaluate, period_bounds, set_subjects

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
CPT = "http://www.ama-assn.org/go/cpt"
CVX = "http://hl7.org/fhir/sid/cvx"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACTIVE = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]}


def concept(system: str, code: str) -> dict:
    return {"coding": [{"system": system, "code": code}]}


def patient(birth: str, gender: str = "female") -> dict:
    return {"resourceType": "Patient", "id": "p", "birthDate": birth, "gender": gender}


def office_visit(start: str = "2025-03-01T10:00:00.000Z", end: str = "2025-03-01T10:30:00.000Z",
                 code: str = "99213", **extra) -> dict:
    return {"resourceType": "Encounter", "status": "finished", "type": [concept(CPT, code)],
            "period": {"start": start, "end": end}, **extra}


def condition(system: str, code: str, onset: str | None, **extra) -> dict:
    resource = {"resourceType": "Condition", "clinicalStatus": ACTIVE, "code": concept(system, code), **extra}
    if onset:
        resource["onsetDateTime"] = onset
    return resource


def observation(system: str, code: str, effective: str, status: str = "final",
                category: str | None = None, **extra) -> dict:
    resource = {"resourceType": "Observation", "status": status, "code": concept(system, code),
                "effectiveDateTime": effective, **extra}
    if category:
        resource["category"] = [concept(CATEGORY, category)]
    return resource


def immunization(cvx: str, when: str) -> dict:
    return {"resourceType": "Immunization", "status": "completed", "vaccineCode": concept(CVX, cvx),
            "occurrenceDateTime": when}


def evaluate_case(con: duckdb.DuckDBPyConnection, folder: Path, measure_id: str, resources: list[dict],
                  period: tuple[date, date] = (date(2025, 1, 1), date(2025, 12, 31))) -> dict:
    """Write `resources` as one case folder, evaluate `measure_id` for it, return its result row."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for index, resource in enumerate(resources):
        resource = {"id": f"r{index}", **resource}
        (folder / f"{resource['resourceType']}-{index}.json").write_text(json.dumps(resource), encoding="utf-8")
    delete_source_kind(con, "fhir")
    load_case_folders(con, {"case": folder})
    set_subjects(con, [("case", *period_bounds(*period))])
    evaluate(con, [measure_id])
    cursor = con.execute("select * from measures.measure_result where measure_id = $m and patient_key = 'case'",
                         {"m": measure_id})
    columns = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    assert len(rows) == 1
    return dict(zip(columns, rows[0]))


def counts(row: dict) -> tuple[int, int, int, int]:
    return (int(row["initial_population"]), int(row["denominator"]), int(row["denominator_exclusion"]),
            int(row["numerator"]))
