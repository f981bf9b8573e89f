"""The conformance runner on a hand-made folder of the same layout."""

import json
from pathlib import Path

from pipelines.measures.conformance import discover_cases, evaluate_cases, run_conformance
from tests.measures.helpers import office_visit


def measure_report(start: str, end: str, ip: int, den: int, denex: int, num: int) -> dict:
    def population(code: str, count: int) -> dict:
        return {"code": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/measure-population",
                                     "code": code}]}, "count": count}
    return {"resourceType": "MeasureReport", "id": "mr", "status": "complete", "type": "individual",
            "measure": "https://madie.cms.gov/Measure/BreastCancerScreeningFHIR",
            "period": {"start": start, "end": end},
            "group": [{"population": [population("initial-population", ip), population("denominator", den),
                                      population("denominator-exclusion", denex), population("numerator", num)]}]}


def write_case(root: Path, case_id: str, report: dict, subject: str) -> None:
    folder = root / "SomeBreastFolder" / case_id
    folder.mkdir(parents=True)
    files = {
        f"Patient-{case_id}.json": {"resourceType": "Patient", "id": case_id, "gender": "female",
                                    "birthDate": "1960-01-01"},
        "Encounter-1.json": {"id": "Encounter-1", "subject": {"reference": f"Patient/{subject}"},
                             **office_visit("2024-06-01T10:00:00.000Z", "2024-06-01T11:00:00.000Z")},
        "MeasureReport-1.json": report,
    }
    for name, resource in files.items():
        (folder / name).write_text(json.dumps(resource), encoding="utf-8")


def test_each_case_has_its_own_period_and_a_disagreement_fails(tmp_path: Path, shared_dir: Path, capsys):
    # The same data: a visit in 2024. Only the case evaluated for 2024 is in the IP.
    write_case(tmp_path, "case-2024", measure_report("2024-01-01", "2024-12-31", 1, 1, 0, 0), "someone-else")
    write_case(tmp_path, "case-2025", measure_report("2025-01-01", "2025-12-31", 0, 0, 0, 0), "case-2025")
    cases = discover_cases(tmp_path)
    assert [(c.measure_id, c.period_start.year) for c in cases] == [("BCS", 2024), ("BCS", 2025)]
    results = evaluate_cases(cases, shared_dir / "valuesets")
    assert all(not r.disagreements for r in results)
    assert run_conformance(tmp_path, shared_dir / "valuesets") == 0

    write_case(tmp_path, "case-wrong", measure_report("2024-01-01", "2024-12-31", 1, 1, 0, 1), "x")
    assert run_conformance(tmp_path, shared_dir / "valuesets") == 1
    out = capsys.readouterr().out
    assert "cases 3, agree 2, disagree 1" in out
    assert "SomeBreastFolder/case-wrong  numerator: expected 1, actual 0" in out


def test_layout_errors_are_reported_not_raised(tmp_path: Path, shared_dir: Path, capsys):
    (tmp_path / "SomeBreastFolder" / "case-without-report").mkdir(parents=True)
    assert run_conformance(tmp_path, shared_dir / "valuesets") == 1
    assert "expected exactly one MeasureReport" in capsys.readouterr().err
    assert run_conformance(tmp_path / "missing", shared_dir / "valuesets") == 1
