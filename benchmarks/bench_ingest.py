"""Benchmark: ingest a landing folder (raw + staging, every month in one single-run backfill).

    .venv/bin/python benchmarks/bench_ingest.py --input /tmp/plan100k [--db /tmp/bench.duckdb] [--no-checks]

Prints the wall time of each stage, the process CPU time (steadier than wall time on a shared machine), rows read / loaded / quarantined, and the peak resident memory
of the process (DuckDB runs in-process, so it is included). Figures go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.process_usage import cpu_seconds, peak_rss_mib  # noqa: E402


def _step_seconds(instance, runs) -> dict[str, float]:
    """Wall time of every step (asset or check) of the runs, from the run's event log."""
    import dagster as dg

    seconds: dict[str, float] = {}
    for run in runs:
        started: dict[str, float] = {}
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is None or not entry.step_key:
                continue
            if event.event_type == dg.DagsterEventType.STEP_START:
                started[entry.step_key] = entry.timestamp
            elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
                seconds[entry.step_key] = entry.timestamp - started.get(entry.step_key, entry.timestamp)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, help="landing folder")
    parser.add_argument("--db", help="DuckDB file to write (default: a fresh temporary file)")
    parser.add_argument("--no-checks", action="store_true", help="skip the asset checks (GX and structural)")
    parser.add_argument("--staging-only", action="store_true",
                        help="keep --db and its raw layer; materialize only the monthly staging assets (and checks)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")

    import dagster as dg
    import duckdb

    from pipelines.contract import SOURCES
    from pipelines.ingest.landing import service_month_range
    from pipelines.resources import Settings, build_resources, duckdb_config
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    from pipelines.ingest import assets as ingest_assets
    from pipelines.staging import assets as staging_assets

    def selection(partitioned: bool, with_checks: bool) -> list:
        layers = staging_assets.ASSETS if args.staging_only else ingest_assets.ASSETS + staging_assets.ASSETS
        chosen = [a for a in layers if (a.partitions_def is not None) == partitioned]
        if with_checks:
            keys = {k for a in chosen for k in a.keys}
            chosen += [c for c in staging_assets.CHECKS if next(iter(c.check_keys)).asset_key in keys]
        return chosen

    db_path = Path(args.db) if args.db else Path(tempfile.mkdtemp(prefix="bench_ingest_")) / "bench.duckdb"
    if args.staging_only and not args.db:
        parser.error("--staging-only needs --db (a database whose raw layer is loaded)")
    if db_path.exists() and not args.staging_only:
        db_path.unlink()
    settings = Settings(landing_dir=Path(args.input), db_path=db_path, output_dir=db_path.parent / "output")
    resources = build_resources(settings)
    with_checks = not args.no_checks
    instance = dg.DagsterInstance.ephemeral()

    started = time.perf_counter()
    t0 = time.perf_counter()
    runs = [] if args.staging_only else [dg.materialize(selection(False, with_checks), resources=resources,
                                                        instance=instance)]
    unpartitioned_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    month_range = service_month_range(args.input)
    range_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    if month_range:
        first, last = month_range
        runs.append(dg.materialize(selection(True, with_checks), resources=resources, instance=instance,
                                   tags={ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}))
    monthly_s = time.perf_counter() - t0
    total_s = time.perf_counter() - started

    con = duckdb.connect(str(db_path), read_only=True)
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores; python {platform.python_version()}, "
          f"duckdb {duckdb.__version__}")
    print(f"input: {args.input}; db: {db_path}; checks: {'on' if with_checks else 'off'}; "
          f"duckdb memory_limit {duckdb_config()['memory_limit']} (HMOQA_DUCKDB_MEMORY_LIMIT)")
    print(f"{'source':28} {'read':>12} {'loaded':>12} {'quarantined':>12}")
    for name in SOURCES:
        read = con.execute("select coalesce(sum(rows), 0) from raw.landing_inventory where source = ?", [name]).fetchone()[0]
        loaded = con.execute(f"select count(*) from staging.{name}").fetchone()[0]
        quarantined = con.execute("select count(distinct (source_file, source_row)) from staging.quarantine "
                                  "where source = ?", [name]).fetchone()[0]
        print(f"{name:28} {read:>12,} {loaded:>12,} {quarantined:>12,}")
    con.close()
    months = f"{month_range[0][:7]}..{month_range[1][:7]}" if month_range else "none"
    print(f"unpartitioned sources (inventory, raw, staging): {unpartitioned_s:8.1f} s")
    print(f"service_month_range ({months}):            {range_s:8.1f} s")
    print(f"monthly sources, one single-run backfill:         {monthly_s:8.1f} s")
    print(f"total wall time:                                  {total_s:8.1f} s")
    print(f"process CPU time (user + system):                 {cpu_seconds():8.1f} s")
    print(f"peak RSS:                                         {peak_rss_mib():8.0f} MiB")
    print(f"database size:                                    {db_path.stat().st_size / 2**20:8.0f} MiB")
    print("steps (wall time, slowest first):")
    for step, seconds in sorted(_step_seconds(instance, runs).items(), key=lambda item: -item[1]):
        print(f"  {step:60} {seconds:8.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
