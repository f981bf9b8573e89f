"""With no value-set folder configured, the whole pipeline runs on the starter code list and the plan
program still reaches the generator's answer key on every member, planted edge members included."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq

from pipelines.generator import generate_plan
from pipelines.generator.answer_key import ANSWER_KEY_NAME, MEASURE_ORDER, compare_with_key

PLAN = {"members": 200, "years": 3, "seed": 4242, "end_year": 2025, "bad_row_share": 0.0}
MY = PLAN["end_year"]


def test_unconfigured_pipeline_runs_on_the_starter_list_and_agrees_with_the_answer_key(tmp_path):
    from pipelines.resources import Settings
    from pipelines.runner import run_pipeline

    landing = tmp_path / "landing"
    generate_plan(out_dir=landing, edge_members=True, **PLAN)
    db_path = tmp_path / "hmoqa.duckdb"
    run_pipeline(Settings(landing_dir=landing, db_path=db_path, output_dir=tmp_path / "out"), measurement_years=[MY])
    with duckdb.connect(str(db_path), read_only=True) as con:
        assert con.execute("select distinct source from measures.valueset").fetchall() == [("starter",)]
        counts = con.execute("""
            select program, measure_id, count(*) filter (where denominator), count(*) filter (where numerator)
            from measures.measure_result where measurement_year = ? group by all order by 1, 2""", [MY]).fetchall()
        results = con.execute("""
            select patient_key as person_id, measure_id as measure, measurement_year::bigint as measurement_year,
                   denominator, denominator_exclusion as exclusion, numerator, product_line, exclusion_reason
            from measures.measure_result where program = 'plan' and measurement_year = ?""", [MY]).to_arrow_table()
    assert [(p, m) for p, m, _, _ in counts] == [(p, m) for p in ("ecqm", "plan") for m in sorted(MEASURE_ORDER)]
    assert all(denominator > 0 and numerator > 0 for _, _, denominator, numerator in counts), counts
    summary, wrong = compare_with_key(pq.read_table(landing / "_generator" / ANSWER_KEY_NAME), results)
    assert min(summary["cases"]) > 0
    assert wrong == [], wrong[:5]
