"""FHIR MeasureReport export: R4 structure (fhir.resources R4B models, structurally R4 for MeasureReport,
plus the JSON rules the models let through), population codes as in the CMS conformance cases, and
individual reports that add up to the plan rates."""

import json
from collections import Counter
from datetime import date
from pathlib import Path

import duckdb
import pytest
from fhir.resources.R4B.measurereport import MeasureReport

from pipelines.cli import main
from pipelines.measures.engine import create_measure_tables
from pipelines.measures.measure_report import (INDIVIDUAL_FILE, POPULATION_SYSTEM, PRODUCT_LINE_EXTENSION,
                                               SUMMARY_FILE, export_measure_reports)
from pipelines.measures.rates import build_plan_rates
from tests.measures.test_rates import insert, result

EVIDENCE = ("numerator_row_id", "numerator_resource_type", "numerator_source_kind", "numerator_code",
            "numerator_source_category")


def plan_results() -> list[tuple]:
    return [
        result("BCS", "a1", "commercial", numerator=True, evidence=date(2025, 3, 5)),
        result("BCS", "a2", "commercial"),
        result("BCS", "a3", "medicaid", excluded="hospice,palliative_care"),
        result("BCS", "a4", "medicaid", eligible=False),
        result("COL", "a2", "medicare", stratum="46-49", numerator=True, evidence=date(2021, 4, 1)),
        result("COL", "a5", "medicare", stratum="50-75"),
        result("GSD", "b1", "medicaid", numerator=True),
        result("GSD", "b2", "medicaid"),
        result("BCS", "e1", None, numerator=True, program="ecqm"),
        result("BCS", "y1", "commercial", year=2024),
    ]


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "hmoqa.duckdb"
    with duckdb.connect(str(path)) as con:
        for schema in ("clinical", "measures"):
            con.execute(f"create schema {schema}")
        create_measure_tables(con)
        insert(con, plan_results())
        con.execute("""update measures.measure_result set numerator_row_id = 41, numerator_resource_type = 'Observation',
                           numerator_source_kind = 'medical_claim', numerator_code = 'http://www.ama-assn.org/go/cpt|77067',
                           numerator_source_category = 'administrative'
                       where patient_key = 'a1' and measure_id = 'BCS'""")
    return path


def read_ndjson(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def json_problems(value, where: str = "") -> list[str]:
    """FHIR JSON forbids nulls, empty arrays, empty objects and empty strings; the models accept them."""
    if value is None or value == [] or value == {} or value == "":
        return [where or "(root)"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in json_problems(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in json_problems(v, f"{where}[{i}]")]
    return []


def populations(group: dict) -> dict[str, int]:
    found = {}
    for population in group["population"]:
        (coding,) = population["code"]["coding"]
        assert coding["system"] == POPULATION_SYSTEM
        found[coding["code"]] = population["count"]
    return found


def product_line(report: dict) -> str | None:
    return next((e["valueCode"] for e in report.get("extension", []) if e["url"] == PRODUCT_LINE_EXTENSION), None)


def test_reports_are_valid_r4_with_the_conformance_population_codes(db: Path, tmp_path: Path, shared_dir: Path):
    written = export_measure_reports(db, tmp_path / "out", year=2025)
    assert written["reports"] == {"individual": 7, "summary": 7}    # 7 eligible member-measures; 7 line reports
    conformance = next((shared_dir / "conformance" / "ecqm" / "BreastCancerScreeningFHIR").glob("*/MeasureReport-*.json"))
    expected_codes = [p["code"]["coding"][0] for p in json.loads(conformance.read_text())["group"][0]["population"]]
    for kind, file_name in (("individual", INDIVIDUAL_FILE), ("summary", SUMMARY_FILE)):
        reports = read_ndjson(tmp_path / "out" / file_name)
        assert len(reports) == written["reports"][kind]
        for report in reports:
            MeasureReport.model_validate(report)
            assert json_problems(report) == []
            assert (report["status"], report["type"]) == ("complete", kind)
            assert report["period"] == {"start": "2025-01-01", "end": "2025-12-31"}
            assert [p["code"]["coding"][0] for p in report["group"][0]["population"]] == expected_codes
            assert ("subject" in report) == (kind == "individual")
            assert ("measureScore" in report["group"][0]) == (kind == "summary" and
                                                              populations(report["group"][0])["denominator"] >
                                                              populations(report["group"][0])["denominator-exclusion"])


def test_the_models_reject_what_r4_rejects():
    good = {"resourceType": "MeasureReport", "status": "complete", "type": "summary",
            "measure": "https://hmoqa.dev/fhir/Measure/x", "period": {"start": "2025-01-01", "end": "2025-12-31"}}
    MeasureReport.model_validate(good)
    for broken in ({**good, "bogusElement": "x"}, {k: v for k, v in good.items() if k != "status"},
                   {**good, "group": [{"population": [{"count": "many"}]}]}):
        with pytest.raises(ValueError):
            MeasureReport.model_validate(broken)
    assert json_problems({**good, "evaluatedResource": []}) == [".evaluatedResource"]


def test_individual_report_content(db: Path, tmp_path: Path):
    export_measure_reports(db, tmp_path, year=2025)
    reports = {(r["measure"].rsplit("/", 1)[-1], r["subject"]["reference"]): r
               for r in read_ndjson(tmp_path / INDIVIDUAL_FILE)}
    screened = reports["BreastCancerScreeningFHIR-plan", "Patient/a1"]
    assert populations(screened["group"][0]) == {"initial-population": 1, "denominator": 1,
                                                 "denominator-exclusion": 0, "numerator": 1}
    assert screened["evaluatedResource"] == [{
        "identifier": {"system": "https://hmoqa.dev/fhir/record-row", "value": "41"}, "type": "Observation",
        "display": "medical_claim http://www.ama-assn.org/go/cpt|77067 2025-03-05",
        "extension": [{"url": "https://hmoqa.dev/fhir/StructureDefinition/numerator-source-category",
                       "valueCode": "administrative"}]}]
    assert screened["meta"]["security"][0]["code"] == "R"
    excluded = reports["BreastCancerScreeningFHIR-plan", "Patient/a3"]
    assert populations(excluded["group"][0])["denominator-exclusion"] == 1
    assert [e["valueCode"] for e in excluded["extension"]] == ["medicaid", "hospice", "palliative_care"]
    gsd = reports["DiabetesGlycemicStatusAssessmentGreaterThan9PercentFHIR-plan", "Patient/b1"]
    assert gsd["improvementNotation"]["coding"][0]["code"] == "decrease"
    assert "evaluatedResource" not in gsd                               # numerator by absence of a test
    assert ("BreastCancerScreeningFHIR-plan", "Patient/a4") not in reports   # not eligible: no report


def test_individual_reports_read_back_reproduce_the_plan_rates(db: Path, tmp_path: Path):
    export_measure_reports(db, tmp_path, year=2025)
    totals: Counter = Counter()
    for report in read_ndjson(tmp_path / INDIVIDUAL_FILE):
        measure = report["measure"].rsplit("/", 1)[-1].removesuffix("-plan")
        counts = populations(report["group"][0])
        for line in (product_line(report), "all"):
            totals[measure, line, "eligible"] += counts["initial-population"]
            totals[measure, line, "exclusions"] += counts["denominator-exclusion"]
            totals[measure, line, "denominator"] += counts["denominator"] - counts["denominator-exclusion"]
            totals[measure, line, "numerator"] += counts["numerator"]
    with duckdb.connect(str(db)) as con:
        build_plan_rates(con, 2025)
        rows = con.execute("""select m.library, r.product_line, r.eligible_population, r.exclusions, r.denominator,
                                     r.numerator
                              from measures.plan_rate as r
                              join (select unnest($ids) as measure_id, unnest($libraries) as library) as m
                                  using (measure_id)""",
                           {"ids": ["BCS", "COL", "GSD"], "libraries": ["BreastCancerScreeningFHIR",
                                                                        "ColonCancerScreeningFHIR",
                                                                        "DiabetesGlycemicStatusAssessmentGreaterThan9PercentFHIR"]}
                           ).fetchall()
    assert len(rows) == 7
    for library, line, eligible, exclusions, denominator, numerator in rows:
        assert (totals[library, line, "eligible"], totals[library, line, "exclusions"],
                totals[library, line, "denominator"], totals[library, line, "numerator"]) == (
            eligible, exclusions, denominator, numerator), (library, line)


def test_summary_reports_carry_rates_product_lines_and_strata(db: Path, tmp_path: Path):
    export_measure_reports(db, tmp_path, year=2025)
    summaries = {(r["measure"].rsplit("/", 1)[-1], product_line(r)): r for r in read_ndjson(tmp_path / SUMMARY_FILE)}
    assert set(summaries) == {(m, line) for m, line in (
        ("BreastCancerScreeningFHIR-plan", "all"), ("BreastCancerScreeningFHIR-plan", "commercial"),
        ("BreastCancerScreeningFHIR-plan", "medicaid"), ("ColonCancerScreeningFHIR-plan", "all"),
        ("ColonCancerScreeningFHIR-plan", "medicare"),
        ("DiabetesGlycemicStatusAssessmentGreaterThan9PercentFHIR-plan", "all"),
        ("DiabetesGlycemicStatusAssessmentGreaterThan9PercentFHIR-plan", "medicaid"))}
    bcs = summaries["BreastCancerScreeningFHIR-plan", "all"]["group"][0]
    assert populations(bcs) == {"initial-population": 3, "denominator": 3, "denominator-exclusion": 1, "numerator": 1}
    assert bcs["measureScore"] == {"value": 0.5}
    assert "measureScore" not in summaries["BreastCancerScreeningFHIR-plan", "medicaid"]["group"][0]   # 1 - 1 = 0
    (stratifier,) = summaries["ColonCancerScreeningFHIR-plan", "medicare"]["group"][0]["stratifier"]
    assert [(s["value"]["text"], populations(s)["numerator"], s["measureScore"]["value"]) for s in stratifier["stratum"]] == [
        ("46-49", 1, 1.0), ("50-75", 0, 0.0)]


def test_cli_exports_every_year_present(db: Path, tmp_path: Path, capsys):
    assert main(["export-measure-reports", "--db", str(db), "--out", str(tmp_path / "cli")]) == 0
    assert "8 individual and 9 summary MeasureReports (plan program, years [2024, 2025])" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "cli").iterdir()) == sorted([INDIVIDUAL_FILE, SUMMARY_FILE])
    assert main(["export-measure-reports", "--db", str(db), "--out", str(tmp_path / "ecqm"), "--program", "ecqm"]) == 0
    (report,) = read_ndjson(tmp_path / "ecqm" / INDIVIDUAL_FILE)
    assert report["measure"] == "https://madie.cms.gov/Measure/BreastCancerScreeningFHIR"
