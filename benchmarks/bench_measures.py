"""Benchmark: the claims -> clinical model build and the seven measures, on an ingested plan.

    .venv/bin/python benchmarks/bench_measures.py --db /tmp/bench1m/plan.duckdb --build --year 2025
    .venv/bin/python benchmarks/bench_measures.py --db /tmp/bench1m/plan.duckdb --year 2025 --programs ecqm,plan

The database must hold the staging layer (benchmarks/bench_ingest.py, or `hmoqa run`). Two figures,
each measured in a child process of its own (so its peak RSS and CPU time are its own):

1. `--build`: the value sets and the code supplement (`load_terminology`, from --valuesets) and the
   claims -> clinical model build (`load_claims`: eligibility, medical and pharmacy claims, lab results,
   immunizations into clinical.*), committed; per-model wall time.
2. The measure evaluation given the clinical model: for each program, the subjects of the measurement
   year and the seven measures (`set_year_subjects` + `evaluate`, as the measures/measure_result asset
   does), written to measures.measure_result and committed; per-step wall time (the engine's timings).

Each prints wall time, process CPU time (user + system, DuckDB's threads included), peak RSS, the largest
size DuckDB's temp directory reached (spill), and the load average before and after: on a shared machine
wall time depends on the other processes, CPU time much less. A script that prints figures, never a
timed test. Figures go in docs/benchmarks.md ("Measures").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))


class SpillWatch:
    """Samples the size of DuckDB's temp directory (`<db>.tmp`) twice a second; keeps the largest."""

    def __init__(self, folder: Path):
        self.folder, self.largest, self._stop = folder, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _size(self) -> int:
        try:
            return sum(entry.stat().st_size for entry in os.scandir(self.folder) if entry.is_file())
        except OSError:
            return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.largest = max(self.largest, self._size())
            self._stop.wait(0.5)

    def __enter__(self) -> "SpillWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


class StepLog(dict):
    """Step timings that also go to stderr as each step ends, so a long run shows where it is."""

    def __setitem__(self, name: str, seconds: float) -> None:
        super().__setitem__(name, seconds)
        print(f"  ... {name} {seconds:.1f} s ({time.strftime('%H:%M:%S', time.gmtime())} UTC)", file=sys.stderr, flush=True)


def _connect(db: Path, memory_limit: str, threads: int | None):
    import duckdb

    con = duckdb.connect(str(db))
    con.execute(f"set memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"set threads = {int(threads)}")
    return con


def _process_figures() -> dict:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_rss_gib": usage.ru_maxrss / 2**20}


def build_child(db: Path, valuesets: Path | None, memory_limit: str, threads: int | None) -> dict:
    from pipelines.clinical.claims import load_claims
    from pipelines.duck import ensure_schemas, transaction
    from pipelines.measures.engine import create_measure_tables
    from pipelines.terminology.valuesets import load_terminology

    con = _connect(db, memory_limit, threads)
    ensure_schemas(con)
    create_measure_tables(con)
    steps: dict[str, float] = StepLog()
    started = time.perf_counter()
    with SpillWatch(Path(f"{db}.tmp")) as spill:
        t0 = time.perf_counter()
        with transaction(con):
            terminology = load_terminology(con, valuesets)
        steps["load_terminology"] = time.perf_counter() - t0
        rows = load_claims(con, timings=steps)
        t0 = time.perf_counter()
        con.execute("checkpoint")
        steps["checkpoint"] = time.perf_counter() - t0
    seconds = time.perf_counter() - started
    codings = con.execute("select count(*) from clinical.coding").fetchone()[0]
    staged = con.execute("select count(*) from staging.medical_claim").fetchone()[0]
    con.close()
    return {"seconds": seconds, "steps": steps, "rows": rows, "codings": codings, "medical_claim_lines": staged,
            "valuesets": terminology["valuesets"], "supplement_codes": terminology["supplement_codes"],
            "spill_gib": spill.largest / 2**30, **_process_figures()}


def evaluate_child(db: Path, year: int, program: str, memory_limit: str, threads: int | None) -> dict:
    from pipelines.measures.engine import evaluate, set_year_subjects, year_period

    con = _connect(db, memory_limit, threads)
    steps: dict[str, float] = StepLog()
    started = time.perf_counter()
    with SpillWatch(Path(f"{db}.tmp")) as spill:
        # As the measures/measure_result asset runs it: blocks in autocommit, the write in one transaction.
        t0 = time.perf_counter()
        set_year_subjects(con, year, program)
        steps["set_year_subjects"] = time.perf_counter() - t0
        written = evaluate(con, program=program, timings=steps, write_in_transaction=True)
    seconds = time.perf_counter() - started
    start, end = year_period(year)
    populations = con.execute("""
        select measure_id, count(*) filter (where initial_population), count(*) filter (where denominator_exclusion),
               count(*) filter (where numerator)
        from measures.measure_result where program = $program and period_start = $start and period_end = $end
        group by 1 order by 1""", {"program": program, "start": start, "end": end}).fetchall()
    con.close()
    return {"seconds": seconds, "steps": steps, "rows_written": sum(written.values()),
            "subjects": max(written.values(), default=0), "populations": [list(r) for r in populations],
            "spill_gib": spill.largest / 2**30, **_process_figures()}


def _run_child(args: list[str]) -> tuple[dict, tuple[float, float]]:
    before = os.getloadavg()[0]
    # The child's stderr (its step log) passes through; its last stdout line is the result.
    proc = subprocess.run([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"child failed: {' '.join(args)}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), (before, os.getloadavg()[0])


def _print_figures(title: str, result: dict, load: tuple[float, float]) -> None:
    print(f"{title}: {result['seconds']:.1f} s wall, {result['cpu_seconds']:.1f} s process CPU, "
          f"peak RSS {result['peak_rss_gib']:.2f} GiB, largest spill {result['spill_gib']:.2f} GiB, "
          f"load average {load[0]:.1f} before / {load[1]:.1f} after")
    print("  steps (wall, slowest first): " + ", ".join(
        f"{name} {seconds:.1f} s" for name, seconds in sorted(result["steps"].items(), key=lambda kv: -kv[1])
        if seconds >= 0.05))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a database whose staging layer is loaded")
    parser.add_argument("--build", action="store_true",
                        help="first load the value sets and build the clinical model from staging (timed on its own)")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--programs", default="ecqm,plan", help="programs to evaluate, comma-separated ('' for none)")
    parser.add_argument("--valuesets", type=Path, default=REPO_ROOT.parent / "shared" / "valuesets")
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB memory_limit of each child")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: one per core)")
    parser.add_argument("--child", choices=("build", "evaluate"), help=argparse.SUPPRESS)
    parser.add_argument("--program", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child == "build":
        print(json.dumps(build_child(args.db, args.valuesets, args.memory_limit, args.threads)))
        return 0
    if args.child == "evaluate":
        print(json.dumps(evaluate_child(args.db, args.year, args.program, args.memory_limit, args.threads)))
        return 0

    import duckdb

    common = ["--db", str(args.db), "--year", str(args.year), "--valuesets", str(args.valuesets),
              "--memory-limit", args.memory_limit] + (["--threads", str(args.threads)] if args.threads else [])
    print(f"machine: {os.cpu_count()} CPUs, {platform.machine()}, python {platform.python_version()}, "
          f"duckdb {duckdb.__version__}; db {args.db}; memory_limit {args.memory_limit}; "
          f"threads {args.threads or 'default'}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    if args.build:
        result, load = _run_child(["--child", "build", *common])
        _print_figures(f"clinical model from {result['medical_claim_lines']:,} staged claim lines "
                       f"({result['valuesets']} value sets, {result['supplement_codes']} supplement codes)",
                       result, load)
        print(f"  rows per model: {result['rows']}; codings {result['codings']:,}")
    for program in [p for p in args.programs.split(",") if p]:
        result, load = _run_child(["--child", "evaluate", "--program", program, *common])
        _print_figures(f"{program} program, 7 measures, MY {args.year}, {result['subjects']:,} subjects", result, load)
        print(f"  {'measure':8} {'IP':>10} {'DENEX':>10} {'NUM':>10}")
        for measure, ip, denex, num in result["populations"]:
            print(f"  {measure:8} {ip:>10,} {denex:>10,} {num:>10,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
