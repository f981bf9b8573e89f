"""Benchmark: the seven ecqm measures over a synthetic clinical model at health-plan scale.

    .venv/bin/python benchmarks/bench_measures.py [--members 1000000] [--lines 45000000]

Generates, in a fresh DuckDB file, `--members` patients and about `--lines` clinical rows spread over
three years (2023-2025) the way claims reach the clinical model (encounters, diagnoses, procedures,
lab results, pharmacy fills, immunizations; one coding each: a share of the rows per table carries a
code of one of the published value sets, every value set equally likely, the rest codes that match
nothing), then evaluates measurement year 2025 in a separate process
and prints the evaluation wall time and that process's peak RSS. Value sets are read in place from
--valuesets (default ../shared/valuesets). A script that prints figures, never a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import duckdb  # noqa: E402

from pipelines.duck import ensure_schemas  # noqa: E402
from pipelines.measures.engine import create_measure_tables  # noqa: E402
from pipelines.terminology.valuesets import load_valuesets  # noqa: E402

# Share of the clinical rows per table (claims lines become mostly encounters and diagnoses).
TABLE_SHARES = {
    "encounter": 0.38, "condition": 0.38, "procedure": 0.13, "observation": 0.06,
    "medication_request": 0.04, "immunization": 0.01,
}
CODE_SYSTEMS = {
    "encounter": ("http://www.ama-assn.org/go/cpt", "http://www.nlm.nih.gov/research/umls/hcpcs"),
    "condition": ("http://hl7.org/fhir/sid/icd-10-cm",),
    "procedure": ("http://www.ama-assn.org/go/cpt", "http://www.nlm.nih.gov/research/umls/hcpcs",
                  "http://www.cms.gov/Medicare/Coding/ICD10"),
    "observation": ("http://loinc.org",),
    "medication_request": ("http://www.nlm.nih.gov/research/umls/rxnorm",),
    "immunization": ("http://hl7.org/fhir/sid/cvx",),
}
# Share of rows whose code is in some value set of the measures (visits mostly are; most diagnoses,
# procedures and fills are not).
MATCH_SHARE = {"encounter": 0.6, "condition": 0.3, "procedure": 0.3, "observation": 0.6,
               "medication_request": 0.2, "immunization": 0.9}
RESOURCE_TYPES = {"encounter": "Encounter", "condition": "Condition", "procedure": "Procedure",
                  "observation": "Observation", "medication_request": "MedicationRequest",
                  "immunization": "Immunization"}
STATUS = {"encounter": "finished", "procedure": "completed", "observation": "final",
          "medication_request": "active", "immunization": "completed"}


def generate(db_path: Path, valuesets: Path, members: int, lines: int) -> dict[str, int]:
    con = duckdb.connect(str(db_path))
    con.execute("set preserve_insertion_order = false")
    con.execute("set memory_limit = '6GB'")
    ensure_schemas(con)
    create_measure_tables(con)
    load_valuesets(con, valuesets)
    con.execute("""
        insert into clinical.patient (row_id, patient_key, source_kind, source_file, source_row, gender,
                                      birth_date, birth_date_precision)
        select i, 'M' || lpad(i::varchar, 8, '0'), 'claims', 'eligibility.parquet', i::varchar,
               case when hash(i, 'g') % 2 = 0 then 'female' else 'male' end,
               date '1940-01-01' + (hash(i, 'b') % 31000)::integer, 'day'
        from range($members) t(i)""", {"members": members})
    next_id = members
    counts = {"patient": members}
    for table, share in TABLE_SHARES.items():
        n = int(lines * share)
        systems = list(CODE_SYSTEMS[table])
        # Codes: with probability MATCH_SHARE[table] a code of one value set (value sets equally likely,
        # then a code within it), otherwise a code that matches none.
        con.execute("""
            create or replace temp table valueset_code_pool as
            select dense_rank() over (order by valueset_oid) - 1 as vs_index,
                   row_number() over (partition by valueset_oid order by code_system, code_normalized) - 1 as k,
                   count(*) over (partition by valueset_oid) as codes_in_valueset,
                   code_system, code_normalized
            from measures.valueset_code
            where code_system in (select unnest($systems))""", {"systems": systems})
        con.execute("create or replace temp table valueset_size as "
                    "select distinct vs_index, codes_in_valueset from valueset_code_pool")
        valueset_count = con.execute("select count(*) from valueset_size").fetchone()[0]
        con.execute("""
            create or replace temp table generated as
            with drawn as (
                select $first + i as row_id,
                       'M' || lpad((hash(i, $t, 'm') % $members)::varchar, 8, '0') as patient_key,
                       (date '2023-01-01' + (hash(i, $t, 'd') % 1095)::integer)::timestamp as day_start,
                       hash(i, $t, 'p') % 1000 < $match_permille as matches,
                       hash(i, $t, 'v') % $valueset_count as vs_index,
                       hash(i, $t, 'k') as code_draw,
                       4 + (hash(i, $t, 'x') % 90) / 10.0 as value
                from range($n) t(i)
            ),
            located as (
                select d.*, d.code_draw % z.codes_in_valueset as k
                from drawn as d
                join valueset_size as z using (vs_index)
            )
            select l.row_id, l.patient_key, l.day_start, l.value,
                   case when l.matches then p.code_system else $first_system end as code_system,
                   case when l.matches then p.code_normalized
                        else 'NOMATCH' || (l.code_draw % 5000)::varchar end as code
            from located as l
            join valueset_code_pool as p using (vs_index, k)""",
                    {"first": next_id, "t": table, "members": members, "n": n, "first_system": systems[0],
                     "match_permille": int(MATCH_SHARE[table] * 1000), "valueset_count": valueset_count})
        common = ("g.row_id, g.patient_key, 'claims', 'medical_claim.parquet', g.row_id::varchar, "
                  "g.day_start, g.day_start + interval 86399999 millisecond, "
                  "g.day_start, g.day_start + interval 86399999 millisecond")
        columns = ("row_id, patient_key, source_kind, source_file, source_row, "
                   "start_lo, start_hi, end_lo, end_hi")
        if table == "condition":
            con.execute(f"""insert into clinical.condition ({columns}, clinical_status, onset_lo, onset_hi,
                                abatement_lo, abatement_hi)
                            select {common}, 'active', g.day_start, g.day_start,
                                   g.day_start + interval 86399999 millisecond,
                                   g.day_start + interval 86399999 millisecond from generated g""")
        elif table == "observation":
            con.execute(f"""insert into clinical.observation ({columns}, status, value_type, value_quantity,
                                value_unit, value_unit_system)
                            select {common}, 'final', 'Quantity', g.value, '%', 'http://unitsofmeasure.org'
                            from generated g""")
            con.execute("""insert into clinical.coding select row_id, patient_key, 'Observation', 'category',
                               'http://terminology.hl7.org/CodeSystem/observation-category', 'laboratory',
                               'LABORATORY' from generated""")
        elif table == "medication_request":
            con.execute(f"""insert into clinical.medication_request ({columns}, status, intent, authored_on,
                                days_supplied)
                            select g.row_id, g.patient_key, 'claims', 'pharmacy_claim.parquet', g.row_id::varchar,
                                   g.day_start, g.day_start, g.day_start + interval 89 day + interval 86399999 millisecond,
                                   g.day_start + interval 89 day + interval 86399999 millisecond,
                                   'active', 'order', g.day_start, 90 from generated g""")
        else:
            con.execute(f"insert into clinical.{table} ({columns}, status) "
                        f"select {common}, '{STATUS[table]}' from generated g")
        con.execute("""insert into clinical.coding
                       select row_id, patient_key, $rt, 'code', code_system, code, code from generated""",
                    {"rt": RESOURCE_TYPES[table]})
        counts[table] = n
        next_id += n
    con.execute("checkpoint")
    con.close()
    return counts


def evaluate_child(db_path: Path, year: int, memory_limit: str) -> None:
    from pipelines.measures.engine import evaluate, set_year_subjects

    con = duckdb.connect(str(db_path))
    con.execute(f"set memory_limit = '{memory_limit}'")
    con.execute("set preserve_insertion_order = false")
    started = time.perf_counter()
    set_year_subjects(con, year)
    timings: dict[str, float] = {}
    written = evaluate(con, timings=timings)
    elapsed = time.perf_counter() - started
    summary = con.execute("""
        select measure_id, count(*) filter (where initial_population), count(*) filter (where denominator_exclusion),
               count(*) filter (where numerator)
        from measures.measure_result where year(period_start) = $y group by 1 order by 1""", {"y": year}).fetchall()
    con.close()
    print(json.dumps({"seconds": elapsed, "rows_written": sum(written.values()), "steps": timings,
                      "populations": [list(r) for r in summary]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=45_000_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--valuesets", type=Path, default=REPO_ROOT.parent / "shared" / "valuesets")
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB memory_limit for the evaluation")
    parser.add_argument("--db", type=Path, default=None, help="reuse/keep this database file")
    parser.add_argument("--evaluate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.evaluate_only:
        evaluate_child(args.db, args.year, args.memory_limit)
        return

    db_path = args.db or Path(tempfile.mkdtemp(prefix="bench_measures_")) / "bench.duckdb"
    if not db_path.exists():
        started = time.perf_counter()
        counts = generate(db_path, args.valuesets, args.members, args.lines)
        print(f"generated {sum(counts.values()):,} clinical rows for {args.members:,} members "
              f"in {time.perf_counter() - started:.1f} s: {counts}")
    load_before = os.getloadavg()[0]
    proc = subprocess.run([sys.executable, __file__, "--evaluate-only", "--db", str(db_path),
                           "--year", str(args.year), "--memory-limit", args.memory_limit],
                          capture_output=True, text=True, check=True)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kib, cpu_seconds = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"evaluated 7 measures, measurement year {args.year}: {result['seconds']:.1f} s wall, "
          f"peak RSS {peak_kib / 1024 / 1024:.2f} GiB, {result['rows_written']:,} result rows; "
          f"process CPU {cpu_seconds:.1f} s; load average before {load_before:.1f}")
    print("slowest steps: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in
                                         sorted(result["steps"].items(), key=lambda kv: -kv[1])[:8]))
    print("measure  IP  DENEX  NUM")
    for measure, ip, denex, num in result["populations"]:
        print(f"{measure:6} {ip:>9,} {denex:>9,} {num:>9,}")


if __name__ == "__main__":
    main()
