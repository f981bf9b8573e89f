"""FHIR R4 MeasureReport export (issue 4 item 5): `individual` reports per member x measure and
`summary` reports per measure x product line, from measures.measure_result.

Output: two NDJSON files (one resource per line, the FHIR bulk-data format), one per report type:
  PHI-measure-report-individual.ndjson  member-level (subject = Patient/<person_id>): PHI
  measure-report-summary.ndjson         aggregates only
Populations use http://terminology.hl7.org/CodeSystem/measure-population as the CMS conformance
MeasureReports do (initial-population, denominator, denominator-exclusion, numerator). As in FHIR
and the conformance cases, `denominator` includes the exclusions; the summary's measureScore is
numerator / (denominator - denominator-exclusion), which is plan_rate.rate.
Individual reports are written for members in the initial (eligible) population only.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from pipelines.duck import connect, table_exists
from pipelines.measures.catalog import MEASURES
from pipelines.measures.rates import ALL_LINES, PROGRAM_PLAN, rate_counts, with_rates

POPULATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-population"
POPULATIONS = (("initial-population", "Initial Population"), ("denominator", "Denominator"),
               ("denominator-exclusion", "Denominator Exclusion"), ("numerator", "Numerator"))
IMPROVEMENT_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-improvement-notation"
CONFIDENTIALITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
EXTENSION_BASE = "https://hmoqa.dev/fhir/StructureDefinition/"
PRODUCT_LINE_EXTENSION = EXTENSION_BASE + "product-line"
EXCLUSION_REASON_EXTENSION = EXTENSION_BASE + "exclusion-reason"
SOURCE_CATEGORY_EXTENSION = EXTENSION_BASE + "numerator-source-category"
RATE_INTERVAL_EXTENSION = EXTENSION_BASE + "rate-wilson-95"
REPORTABLE_EXTENSION = EXTENSION_BASE + "reportable"
RECORD_ROW_SYSTEM = "https://hmoqa.dev/fhir/record-row"
INDIVIDUAL_FILE = "PHI-measure-report-individual.ndjson"
SUMMARY_FILE = "measure-report-summary.ndjson"
REPORT_NAMESPACE = uuid.UUID("5c1b8c64-4a57-4f0e-9f57-2f3b8a0d6a31")


def measure_canonical(measure_id: str, program: str) -> str:
    """The ecqm program reports against the CMS measures (as the conformance cases); the plan program
    against this project's plan edition of the same measure."""
    measure = MEASURES[measure_id]
    if program == "ecqm":
        return f"https://madie.cms.gov/Measure/{measure.library}"
    return f"https://hmoqa.dev/fhir/Measure/{measure.library}-{program}"


def _population(counts: tuple[int, int, int, int]) -> list[dict]:
    return [{"code": {"coding": [{"system": POPULATION_SYSTEM, "code": code, "display": display}]}, "count": int(n)}
            for (code, display), n in zip(POPULATIONS, counts)]


def _improvement(measure_id: str) -> dict:
    code = "decrease" if MEASURES[measure_id].inverse else "increase"
    return {"coding": [{"system": IMPROVEMENT_SYSTEM, "code": code,
                        "display": "Decreased score indicates improvement" if code == "decrease"
                        else "Increased score indicates improvement"}]}


def _period(year: int) -> dict:
    return {"start": f"{year}-01-01", "end": f"{year}-12-31"}


def _report_id(*parts: object) -> str:
    return str(uuid.uuid5(REPORT_NAMESPACE, "|".join(str(p) for p in parts)))


def individual_report(row: dict, program: str) -> dict:
    """One member x measure result (a measure_result row as a dict) as an individual MeasureReport."""
    year = int(row["measurement_year"])
    measure_id = row["measure_id"]
    in_ip = bool(row["initial_population"])
    excluded = in_ip and bool(row["denominator_exclusion"])
    in_numerator = in_ip and not excluded and bool(row["numerator"])
    report: dict = {
        "resourceType": "MeasureReport",
        "id": _report_id(program, measure_id, year, row["patient_key"]),
        "meta": {"security": [{"system": CONFIDENTIALITY_SYSTEM, "code": "R", "display": "restricted"}]},
        "status": "complete",
        "type": "individual",
        "measure": measure_canonical(measure_id, program),
        "subject": {"reference": f"Patient/{row['patient_key']}"},
        "period": _period(year),
        "improvementNotation": _improvement(measure_id),
        "group": [{"population": _population((in_ip, in_ip, excluded, in_numerator))}],
    }
    extensions = []
    if row.get("product_line"):
        extensions.append({"url": PRODUCT_LINE_EXTENSION, "valueCode": row["product_line"]})
    if excluded and row.get("exclusion_reason"):
        extensions += [{"url": EXCLUSION_REASON_EXTENSION, "valueCode": reason.strip()}
                       for reason in row["exclusion_reason"].split(",") if reason.strip()]
    if extensions:
        report["extension"] = extensions
    if row.get("stratum"):
        report["group"][0]["stratifier"] = [{"code": [{"text": "age band"}], "stratum": [
            {"value": {"text": row["stratum"]}, "population": _population((in_ip, in_ip, excluded, in_numerator))}]}]
    if in_numerator and row.get("numerator_row_id") is not None:
        evidence: dict = {"identifier": {"system": RECORD_ROW_SYSTEM, "value": str(row["numerator_row_id"])}}
        if row.get("numerator_resource_type"):
            evidence["type"] = row["numerator_resource_type"]
        display = " ".join(str(v) for v in (row.get("numerator_source_kind"), row.get("numerator_code"),
                                            row.get("numerator_date")) if v)
        if display:
            evidence["display"] = display
        if row.get("numerator_source_category"):
            evidence["extension"] = [{"url": SOURCE_CATEGORY_EXTENSION, "valueCode": row["numerator_source_category"]}]
        report["evaluatedResource"] = [evidence]
    return report


def _score(numerator: int, denominator_after_exclusions: int) -> dict | None:
    return {"value": numerator / denominator_after_exclusions} if denominator_after_exclusions > 0 else None


def _counts_entry(row: dict) -> dict:
    """The populations of a rate row (overall or one stratum) and its score when the denominator is above zero."""
    entry: dict = {"population": _population(
        (row["eligible_population"], row["eligible_population"], row["exclusions"], row["numerator"]))}
    if (score := _score(row["numerator"], row["denominator"])):
        entry["measureScore"] = score
    return entry


def summary_reports(rates: pl.DataFrame, year: int, program: str) -> list[dict]:
    """Summary MeasureReports from the rate counts (pipelines.measures.rates.rate_counts + with_rates):
    one per measure x product line, COL's strata as the group's stratifier."""
    reports = []
    if program != PROGRAM_PLAN:
        rates = rates.filter(pl.col("product_line") == ALL_LINES)      # product lines are the plan program's
    overall = rates.filter(~pl.col("by_stratum")).sort("measure_id", "product_line")
    for row in overall.iter_rows(named=True):
        measure_id, line = row["measure_id"], row["product_line"]
        group = _counts_entry(row)
        strata = rates.filter(pl.col("by_stratum") & (pl.col("measure_id") == measure_id)
                              & (pl.col("product_line") == line)).sort("stratum")
        if strata.height:
            stratum_entries = [{"value": {"text": s["stratum"]}, **_counts_entry(s)}
                               for s in strata.iter_rows(named=True)]
            group["stratifier"] = [{"code": [{"text": "age band"}], "stratum": stratum_entries}]
        extensions = [{"url": PRODUCT_LINE_EXTENSION, "valueCode": line},
                      {"url": REPORTABLE_EXTENSION, "valueBoolean": bool(row["reportable"])}]
        if row["rate_low"] is not None:
            extensions.append({"url": RATE_INTERVAL_EXTENSION,
                               "valueRange": {"low": {"value": row["rate_low"]}, "high": {"value": row["rate_high"]}}})
        reports.append({
            "resourceType": "MeasureReport",
            "id": _report_id(program, measure_id, year, "summary", line),
            "extension": extensions,
            "status": "complete",
            "type": "summary",
            "measure": measure_canonical(measure_id, program),
            "period": _period(year),
            "improvementNotation": _improvement(measure_id),
            "group": [group],
        })
    return reports


def _member_rows(con: duckdb.DuckDBPyConnection, year: int, program: str) -> Iterator[dict]:
    reader = con.execute("""
        select measure_id, patient_key, measurement_year, product_line, stratum, initial_population,
               denominator_exclusion, numerator, exclusion_reason, numerator_row_id, numerator_resource_type,
               numerator_source_kind, numerator_code, numerator_date, numerator_source_category
        from measures.measure_result
        where program = $program and measurement_year = $year and initial_population
        order by measure_id, patient_key""", {"program": program, "year": year}).fetch_record_batch()
    for batch in reader:
        yield from batch.to_pylist()


def report_years(con: duckdb.DuckDBPyConnection, program: str) -> list[int]:
    return [int(r[0]) for r in con.execute(
        "select distinct measurement_year from measures.measure_result where program = ? and "
        "measurement_year is not null order by 1", [program]).fetchall()]


def export_measure_reports(db_path: str | Path, out_dir: str | Path, year: int | None = None,
                           program: str = PROGRAM_PLAN) -> dict:
    """Write the individual and summary MeasureReports of `program` (one year, or every year present)
    as NDJSON into `out_dir`; returns the files, the years and the number of reports of each type."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"individual": folder / INDIVIDUAL_FILE, "summary": folder / SUMMARY_FILE}
    written = {"individual": 0, "summary": 0}
    with connect(db_path, read_only=True) as con:
        if not table_exists(con, "measures.measure_result"):
            raise ValueError(f"{db_path} has no measures.measure_result: run the pipeline first")
        years = [year] if year is not None else report_years(con, program)
        partial = {kind: path.with_name(f".{path.name}.partial") for kind, path in paths.items()}
        try:
            with partial["individual"].open("w", encoding="utf-8") as individual, \
                    partial["summary"].open("w", encoding="utf-8") as summary:
                for report_year in years:
                    for row in _member_rows(con, report_year, program):
                        individual.write(json.dumps(individual_report(row, program), separators=(",", ":"),
                                                    default=str) + "\n")
                        written["individual"] += 1
                    rates = with_rates(rate_counts(con, report_year, program))
                    for report in summary_reports(rates, report_year, program):
                        summary.write(json.dumps(report, separators=(",", ":")) + "\n")
                        written["summary"] += 1
            for kind, path in paths.items():
                partial[kind].replace(path)
        finally:
            for path in partial.values():
                path.unlink(missing_ok=True)
    return {"program": program, "years": years, "files": {k: str(v) for k, v in paths.items()},
            "reports": written}
