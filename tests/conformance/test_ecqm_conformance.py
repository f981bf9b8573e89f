"""The CMS eCQM test cases in ../shared/conformance/ecqm: every case of every measure must agree.

A missing ../shared fails (the `shared_dir` fixture), with CI=true or not.
"""

from collections import Counter
from pathlib import Path

import pytest

from pipelines.measures.conformance import discover_cases, evaluate_cases, format_report, run_conformance

MEASURES_AT_FULL_AGREEMENT = ["BCS", "COL", "CCS", "CBP", "EED", "GSD", "CIS"]


@pytest.fixture(scope="module")
def cases(shared_dir: Path):
    return discover_cases(shared_dir / "conformance" / "ecqm")


@pytest.fixture(scope="module")
def conformance_results(shared_dir: Path, cases):
    return evaluate_cases(cases, shared_dir / "valuesets")


def test_every_case_is_discovered_with_its_measure(cases):
    counts = Counter(c.measure_id for c in cases)
    assert counts == {"BCS": 34, "COL": 35, "CCS": 17, "CBP": 37, "EED": 31, "GSD": 26, "CIS": 19}
    assert all(c.expected for c in cases)


@pytest.mark.parametrize("measure_id", MEASURES_AT_FULL_AGREEMENT)
def test_measure_agrees_on_every_case(conformance_results, measure_id):
    results = [r for r in conformance_results if r.case.measure_id == measure_id]
    assert results
    disagreeing = [r for r in results if r.disagreements]
    assert not disagreeing, format_report(results)
    # Every case is scored on all four populations the MeasureReports carry.
    assert all(set(r.case.expected) >= {"initial-population", "denominator", "denominator-exclusion",
                                         "numerator"} for r in results)


def test_runner_prints_a_table_and_exits_zero(shared_dir: Path, capsys):
    assert run_conformance(shared_dir / "conformance" / "ecqm", shared_dir / "valuesets") == 0
    out = capsys.readouterr().out
    assert "BCS CMS125 Breast Cancer Screening: cases 34, agree 34, disagree 0" in out
    assert "total: cases 199, agree 199, disagree 0" in out
