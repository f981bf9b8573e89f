"""Benchmark: the scores layer (attribution, provider scores, hybrid, chart audits, experience, utilization).

    .venv/bin/python benchmarks/bench_scores.py --input /tmp/plan1m --db /tmp/scores.duckdb --year 2025
    .venv/bin/python benchmarks/bench_scores.py --db /tmp/scores.duckdb --year 2025   # staging already loaded

With --input, the landing folder is first ingested (raw + staging, no checks; timed separately and not
part of the scores figure). With --from-parquet instead, the staging tables the scores read are filled
straight from the generator's Parquet files (contract types, codes normalised, no quarantine): a quick
stand-in when the full ingest of a large plan would take too long on a shared machine. Then each family is built per year in its own transaction, exactly as the
assets do, followed by the impossible-value checks. Prints wall time per step, rows per table and the
peak resident memory of the process (DuckDB runs in-process). Figures go in docs/scores.md.

Provider scores and the hybrid method read the plan program's rows of measures.measure_result. When
the database has none for a year, --results-from-key LANDING fills them from the generator's answer
key (LANDING/_generator/answer_key.parquet: the plan program's expected member results) as a
stand-in, clearly reported as such; without it those steps score nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.process_usage import cpu_seconds, peak_rss_mib  # noqa: E402


def _ingest(landing: Path, db_path: Path) -> float:
    import dagster as dg

    from pipelines.ingest.landing import service_month_range
    from pipelines.resources import Settings, build_resources
    from tests.ingest.support import RANGE_END, RANGE_START, partitioned_selection, unpartitioned_selection

    settings = Settings(landing_dir=landing, db_path=db_path, output_dir=db_path.parent / "output")
    resources = build_resources(settings)
    instance = dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    dg.materialize(unpartitioned_selection(False), resources=resources, instance=instance)
    first, last = service_month_range(landing)
    dg.materialize(partitioned_selection(False), resources=resources, instance=instance,
                   tags={RANGE_START: first, RANGE_END: last})
    return time.perf_counter() - started


SCORE_SOURCES = ("eligibility", "provider", "medical_claim", "pharmacy_claim", "chart_audit", "survey_response",
                 "medical_record_abstraction")
CODE_COLUMNS = ("hcpcs_code", "diagnosis_code_1", "revenue_center_code", "bill_type_code", "drg_code",
                "place_of_service_code")


def _staging_from_parquet(landing: Path, db_path: Path, memory_limit: str) -> float:
    import duckdb

    from pipelines.contract import SOURCES
    from pipelines.staging.load import ensure_staging_tables

    started = time.perf_counter()
    con = duckdb.connect(str(db_path))
    con.execute(f"set memory_limit = '{memory_limit}'")
    for schema in ("staging", "scores"):
        con.execute(f"create schema if not exists {schema}")
    for name in SCORE_SOURCES:
        source = SOURCES[name]
        ensure_staging_tables(con, source)
        path = str(landing / f"{name}.parquet")
        present = {r[0] for r in con.execute("select name from parquet_schema(?)", [path]).fetchall()}
        columns, values = [], []
        for column in source.columns:
            if column.name not in present:
                continue
            value = f'try_cast("{column.name}" as {column.type})'
            if column.name in CODE_COLUMNS or (name == "medical_record_abstraction" and column.name == "code"):
                value = f"upper(replace(trim({value}), '.', ''))"
            columns.append(f'"{column.name}"')
            values.append(value)
        lineage = ["_source_file", "_source_row", "_loaded_at"]
        lineage_values = ["'bench'", "row_number() over ()", "now()::timestamp"]
        if source.partitioned:
            lineage.append("_service_month")
            first = ", ".join(f'try_cast("{c}" as date)' for c in source.partition_date_columns)
            lineage_values.append(f"date_trunc('month', coalesce({first}))")
        con.execute(f"insert into staging.{name} ({', '.join(columns + lineage)}) "
                    f"select {', '.join(values + lineage_values)} from read_parquet(?)", [path])
    con.close()
    return time.perf_counter() - started


def _results_from_key(con, landing: Path, year: int) -> int:
    """Plan-program rows of measures.measure_result from the answer key (stand-in; returns rows)."""
    present = con.execute("select count(*) from measures.measure_result where program = 'plan' "
                          "and measurement_year = ?", [year]).fetchone()[0]
    if present:
        return 0
    key = str(landing / "_generator" / "answer_key.parquet")
    con.execute("""
        insert into measures.measure_result
            (program, measure_id, patient_key, period_start, period_end, initial_population, denominator,
             denominator_exclusion, denominator_exception, numerator, exclusion_reason, measurement_year,
             product_line)
        select 'plan', measure, person_id, make_timestamp(measurement_year, 1, 1, 0, 0, 0),
               make_timestamp(measurement_year, 12, 31, 23, 59, 59), coalesce(eligible_population, false),
               coalesce(denominator, false), coalesce(exclusion, false), false,
               coalesce(numerator, false) and coalesce(denominator, false) and not coalesce(exclusion, false),
               exclusion_reasons, measurement_year, product_line
        from read_parquet(?) where measurement_year = ?""", [key, year])
    return con.execute("select count(*) from measures.measure_result where program = 'plan' "
                       "and measurement_year = ?", [year]).fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", help="landing folder to ingest first (omit when --db already has staging)")
    parser.add_argument("--from-parquet", help="landing folder whose Parquet files fill staging directly")
    parser.add_argument("--db", required=True, help="DuckDB file")
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB memory_limit (the machine is shared)")
    parser.add_argument("--year", type=int, action="append", required=True, help="measurement year (repeatable)")
    parser.add_argument("--results-from-key", help="landing folder whose answer key stands in for missing plan results")
    parser.add_argument("--skip", action="append", default=[], help="step to skip (repeatable), e.g. utilization")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")

    import duckdb

    from pipelines.duck import transaction
    from pipelines.scores import validity
    from pipelines.scores.attribution import build_attribution
    from pipelines.scores.chart_audits import build_chart_audits
    from pipelines.scores.experience import build_experience
    from pipelines.scores.hybrid import build_hybrid
    from pipelines.scores.provider_performance import build_composites, build_provider_measure_scores
    from pipelines.scores.store import create_score_tables
    from pipelines.scores.utilization import build_utilization

    db_path = Path(args.db)
    if args.input:
        if db_path.exists():
            db_path.unlink()
        print(f"ingest (raw + staging, no checks): {_ingest(Path(args.input), db_path):8.1f} s")
    elif args.from_parquet:
        if db_path.exists():
            db_path.unlink()
        print(f"staging straight from Parquet: {_staging_from_parquet(Path(args.from_parquet), db_path, args.memory_limit):8.1f} s")

    steps = [("attribution", build_attribution, validity.attribution_problems),
             ("provider scores", build_provider_measure_scores, validity.provider_measure_score_problems),
             ("composite", build_composites, validity.provider_composite_problems),
             ("hybrid", build_hybrid, validity.hybrid_problems),
             ("chart audits", build_chart_audits, validity.chart_audit_problems),
             ("experience", build_experience, validity.experience_problems),
             ("utilization", build_utilization, validity.utilization_problems)]
    con = duckdb.connect(str(db_path))
    con.execute(f"set memory_limit = '{args.memory_limit}'")
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; python {platform.python_version()}, "
          f"duckdb {duckdb.__version__}, memory_limit {args.memory_limit}")
    enrolled = con.execute("select count(distinct person_id) from staging.eligibility").fetchone()[0]
    claims = con.execute("select count(*) from staging.medical_claim").fetchone()[0]
    print(f"staging: {enrolled:,} members, {claims:,} medical claim lines")
    create_score_tables(con)
    for year in args.year:
        plan_rows = con.execute("select count(*) from measures.measure_result where program = 'plan' "
                                "and measurement_year = ?", [year]).fetchone()[0]
        if not plan_rows and args.results_from_key:
            t0 = time.perf_counter()
            added = _results_from_key(con, Path(args.results_from_key), year)
            print(f"{year}: no plan-program results; {added:,} rows from the answer key as a stand-in "
                  f"({time.perf_counter() - t0:.1f} s, not counted)")
        else:
            print(f"{year}: {plan_rows:,} plan-program measure results")
    steps = [step for step in steps if step[0] not in set(args.skip)]
    total = 0.0
    cpu_before = cpu_seconds()
    for year in args.year:
        for name, build, problems in steps:
            step_cpu = cpu_seconds()
            t0 = time.perf_counter()
            with transaction(con):
                written = build(con, year)
            built = time.perf_counter() - t0
            t0 = time.perf_counter()
            broken = {rule: n for rule, n in problems(con, year).items() if n}
            checked = time.perf_counter() - t0
            total += built + checked
            rows = written if isinstance(written, dict) else {name: written}
            print(f"{year} {name:15} build {built:7.1f} s  check {checked:6.1f} s  "
                  f"cpu {cpu_seconds() - step_cpu:6.1f} s  rows {sum(rows.values()):>12,}  "
                  f"broken rules: {broken or 'none'}")
    con.close()
    print(f"scores total (build + checks): {total:8.1f} s wall, "
          f"{cpu_seconds() - cpu_before:8.1f} s process CPU (both cores)")
    print(f"peak RSS: {peak_rss_mib():8.0f} MiB; load average after "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
