"""Member-level agreement of the plan program with the generator's answer key (issue 4, item 6).

A small plan (1,500 drawn members, three years, 2 % bad rows) plus the planted edge members goes
through the whole pipeline into a temporary DuckDB; the plan program's member results for the last
generated year are joined to the key (`compare_with_key`). The report (agreement per measure, every
disagreement, rule -> members) is printed; the targets are 100 % agreement and every rule of
plan-program.md sections 1-5 shown by at least one member (docs/answer-key.md).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipelines.generator import generate_plan
from pipelines.generator.answer_key import (ANSWER_KEY_NAME, MEASURE_ORDER, agreement_report, answer_key_coverage,
                                            compare_with_key)
from pipelines.generator.edge_cases import REQUIRED_RULES

PLAN = {"members": 1500, "years": 3, "seed": 20251, "end_year": 2025, "bad_row_share": 0.02}
MY = PLAN["end_year"]


@pytest.fixture(scope="session")
def keyed_run(tmp_path_factory, shared_dir: Path):
    """(answer key, plan-program member results, landing folder) of one generated plan run end to end."""
    from pipelines.resources import Settings
    from pipelines.runner import run_pipeline

    root = tmp_path_factory.mktemp("answer_key")
    landing = root / "landing"
    generate_plan(out_dir=landing, edge_members=True, **PLAN)
    db_path = root / "hmoqa.duckdb"
    run_pipeline(Settings(landing_dir=landing, db_path=db_path, output_dir=root / "out",
                          valuesets_dir=shared_dir / "valuesets"), measurement_years=[MY])
    with duckdb.connect(str(db_path), read_only=True) as con:
        results = con.execute("""
            select patient_key as person_id, measure_id as measure, measurement_year::bigint as measurement_year,
                   denominator, denominator_exclusion as exclusion, numerator, product_line, exclusion_reason,
                   numerator_source_category
            from measures.measure_result where program = 'plan' and measurement_year = ?""", [MY]).to_arrow_table()
    return pq.read_table(landing / "_generator" / ANSWER_KEY_NAME), results, landing


def test_plan_program_agrees_with_the_answer_key_on_every_member(keyed_run, capsys):
    key, results, landing = keyed_run
    summary, wrong = compare_with_key(key, results)
    with capsys.disabled():
        print("\n" + agreement_report(summary, wrong, answer_key_coverage(landing), REQUIRED_RULES))
    assert summary["measure"].to_list() == sorted(MEASURE_ORDER)
    assert min(summary["cases"]) > 0
    assert wrong == [], f"{len(wrong)} member results disagree with the key (report above)"
    # Not vacuous: the key decides every row in full, and every measure has members in and out of its
    # numerator, and (all but CIS, whose only exclusion is hospice) excluded members.
    assert set(key["key_scope"].to_pylist()) == {"full"}
    counted = {(m, c): 0 for m in MEASURE_ORDER for c in ("denominator", "exclusion", "numerator")}
    for row in results.to_pylist():
        for column in ("denominator", "exclusion", "numerator"):
            counted[(row["measure"], column)] += bool(row[column])
    for measure in MEASURE_ORDER:
        assert 0 < counted[(measure, "numerator")] < counted[(measure, "denominator")], measure
        assert measure == "CIS" or counted[(measure, "exclusion")] > 0, measure


def test_every_rule_of_plan_program_sections_1_to_5_is_shown_by_a_member(keyed_run):
    _, _, landing = keyed_run
    coverage = answer_key_coverage(landing)
    members = dict(zip(coverage["rule"].to_pylist(), coverage["members"].to_pylist()))
    assert [rule for rule in REQUIRED_RULES if members.get(rule, 0) == 0] == []
