"""Conformance runner: evaluate test-case folders and compare with their MeasureReports.

Layout: `<cases_dir>/<MeasureFolder>/<case-id>/*.json`, one MeasureReport per case with expected
population counts and the case's measurement period. Every case is loaded as its own patient (the
folder is the patient, whatever subject references say), all cases in one DuckDB connection, and
each measure evaluates all of its cases in one batch.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from pipelines.clinical.fhir import fhir_files, load_case_folders
from pipelines.clinical.timing import parse_date
from pipelines.measures.catalog import MEASURES, measure_for_library
from pipelines.measures.engine import create_measure_tables, evaluate, period_bounds, set_subjects
from pipelines.terminology.valuesets import MissingValueSetError, ValueSetFormatError, load_valuesets

POPULATION_COLUMNS = {
    "initial-population": "initial_population",
    "denominator": "denominator",
    "denominator-exclusion": "denominator_exclusion",
    "denominator-exception": "denominator_exception",
    "numerator": "numerator",
}


@dataclass
class Case:
    key: str            # "<MeasureFolder>/<case-id>", the patient key of the case
    folder: Path
    measure_id: str | None
    period_start: date
    period_end: date
    expected: dict[str, int]


@dataclass
class CaseResult:
    case: Case
    actual: dict[str, int] = field(default_factory=dict)

    @property
    def disagreements(self) -> list[tuple[str, int, int | None]]:
        return [(pop, exp, self.actual.get(pop)) for pop, exp in self.case.expected.items()
                if self.actual.get(pop) != exp]


class ConformanceLayoutError(ValueError):
    pass


def _measure_report(folder: Path) -> dict:
    reports = []
    for path in fhir_files(folder):
        try:
            resource = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        if isinstance(resource, dict) and resource.get("resourceType") == "MeasureReport":
            reports.append(resource)
    if len(reports) != 1:
        raise ConformanceLayoutError(f"{folder}: expected exactly one MeasureReport, found {len(reports)}")
    return reports[0]


def discover_cases(cases_dir: Path) -> list[Case]:
    cases_dir = Path(cases_dir)
    if not cases_dir.is_dir():
        raise FileNotFoundError(f"conformance folder {cases_dir} does not exist")
    cases = []
    for measure_folder in sorted(p for p in cases_dir.iterdir() if p.is_dir()):
        for case_folder in sorted(p for p in measure_folder.iterdir() if p.is_dir()):
            report = _measure_report(case_folder)
            measure = (measure_for_library(report.get("measure", "")) or measure_for_library(measure_folder.name))
            period = report.get("period") or {}
            start, _ = parse_date(period.get("start", ""))
            end, _ = parse_date(period.get("end", ""))
            if start is None or end is None:
                raise ConformanceLayoutError(f"{case_folder}: MeasureReport.period needs full start and end dates")
            expected = {}
            for group in (report.get("group") or [])[:1]:
                for population in group.get("population") or []:
                    code = next((c.get("code") for c in (population.get("code") or {}).get("coding") or []), None)
                    if code in POPULATION_COLUMNS and population.get("count") is not None:
                        expected[code] = int(population["count"])
            cases.append(Case(key=f"{measure_folder.name}/{case_folder.name}", folder=case_folder,
                              measure_id=measure.measure_id if measure else None,
                              period_start=start, period_end=end, expected=expected))
    return cases


def evaluate_cases(cases: list[Case], valuesets_dir: Path,
                   con: duckdb.DuckDBPyConnection | None = None) -> list[CaseResult]:
    """Evaluate every case (one connection; one batch per measure) and attach the actual counts."""
    own = con is None
    con = con or duckdb.connect()
    try:
        create_measure_tables(con)
        load_valuesets(con, valuesets_dir)
        load_case_folders(con, {case.key: case.folder for case in cases})
        by_measure: dict[str | None, list[Case]] = defaultdict(list)
        for case in cases:
            by_measure[case.measure_id].append(case)
        results = []
        for measure_id, measure_cases in by_measure.items():
            if measure_id is None:
                results.extend(CaseResult(case) for case in measure_cases)
                continue
            set_subjects(con, [(case.key, *period_bounds(case.period_start, case.period_end))
                               for case in measure_cases])
            evaluate(con, [measure_id], valuesets_folder=str(valuesets_dir))
            columns = ", ".join(POPULATION_COLUMNS.values())
            rows = con.execute(
                f"select patient_key, {columns} from measures.measure_result "
                "where program = 'ecqm' and measure_id = $m and patient_key in (select patient_key from subject)",
                {"m": measure_id}).fetchall()
            actual = {row[0]: dict(zip(POPULATION_COLUMNS, (int(v) for v in row[1:]))) for row in rows}
            results.extend(CaseResult(case, actual.get(case.key, {})) for case in measure_cases)
        return results
    finally:
        if own:
            con.close()


def format_report(results: list[CaseResult]) -> str:
    lines = []
    by_measure: dict[str, list[CaseResult]] = defaultdict(list)
    for result in results:
        by_measure[result.case.measure_id or f"unknown ({result.case.key.split('/')[0]})"].append(result)
    for measure_id in sorted(by_measure):
        group = by_measure[measure_id]
        disagree = [r for r in group if r.disagreements]
        measure = MEASURES.get(measure_id)
        title = f"{measure_id} {measure.cms_id} {measure.title}" if measure else measure_id
        lines.append(f"{title}: cases {len(group)}, agree {len(group) - len(disagree)}, disagree {len(disagree)}")
        for result in disagree:
            for population, expected, actual in result.disagreements:
                lines.append(f"    {result.case.key}  {population}: expected {expected}, actual "
                             f"{'none' if actual is None else actual}")
    total = len(results)
    bad = sum(1 for r in results if r.disagreements)
    lines.append(f"total: cases {total}, agree {total - bad}, disagree {bad}")
    return "\n".join(lines)


def run_conformance(cases_dir: Path, valuesets_dir: Path) -> int:
    """Print a table per measure; 0 when every case agrees on every population, 1 otherwise."""
    try:
        results = evaluate_cases(discover_cases(Path(cases_dir)), Path(valuesets_dir))
    except (ConformanceLayoutError, FileNotFoundError, MissingValueSetError, ValueSetFormatError) as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return 1
    print(format_report(results))
    return 0 if results and not any(r.disagreements for r in results) else 1
