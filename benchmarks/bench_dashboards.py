"""Benchmark: every dashboard page for one or more measurement years, against an existing DuckDB file.

    .venv/bin/python benchmarks/bench_dashboards.py --db /tmp/dash/hmoqa.duckdb --year 2025 --out /tmp/dash/bench

The database is opened read-only (the scores must already exist: this times the dashboards, not the
layers before them). Each page is built and written exactly as its Dagster asset does; prints the wall time
per page, its size and figure count, the total, and the peak resident memory of the process. Figures go in
docs/benchmarks.md under "Dashboards".
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


def main() -> int:
    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--year", type=int, action="append", required=True)
    parser.add_argument("--out", type=Path, default=Path("/tmp/hmoqa-bench-dashboards"))
    args = parser.parse_args()

    from pipelines.dashboards import build
    from pipelines.dashboards.shell import Provenance, plotly_bundle, write_index
    from pipelines.duck import connect, row_count

    plotly_bundle()  # read once, as a long-running process would; its ~4.6 MB load is not a page's cost
    root = build.dashboards_dir(args.out)
    provenance = Provenance.now(data_source=str(args.db), database=args.db.name, run_id="benchmark")
    print(f"host: {platform.node()} cpus={os.cpu_count()} python={platform.python_version()}")
    rows = []
    started, cpu_started = time.perf_counter(), cpu_seconds()
    with connect(args.db, read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        members = con.execute("select count(distinct person_id) from staging.eligibility").fetchone()[0]
        attributed = row_count(con, "scores.attribution")
        print(f"database: {args.db} ({args.db.stat().st_size / 2**30:.2f} GiB), members: {members:,}, "
              f"scores.attribution rows: {attributed:,}; load average before: {os.getloadavg()[0]:.1f}")
        for page in build.UNPARTITIONED_PAGES:
            t0, c0 = time.perf_counter(), cpu_seconds()
            written = build.write_unpartitioned_page(con, page, provenance, root)
            rows.append(("-", page.SLUG, time.perf_counter() - t0, cpu_seconds() - c0, written))
        for year in args.year:
            for page in build.YEAR_PAGES:
                t0, c0 = time.perf_counter(), cpu_seconds()
                written = build.write_year_page(con, page, year, provenance, root)
                rows.append((str(year), page.SLUG, time.perf_counter() - t0, cpu_seconds() - c0, written))
    t0, c0 = time.perf_counter(), cpu_seconds()
    index = write_index(root)
    rows.append(("-", "index", time.perf_counter() - t0, cpu_seconds() - c0, index))
    total = time.perf_counter() - started
    print(f"{'year':>5}  {'page':<22} {'wall s':>7} {'CPU s':>6} {'MB':>6} {'figures':>7}")
    for year, slug, seconds, cpu, written in rows:
        print(f"{year:>5}  {slug:<22} {seconds:7.2f} {cpu:6.2f} {written.size_bytes / 1e6:6.2f} {written.figure_count:7d}")
    print(f"total: {total:.2f} s wall, {cpu_seconds() - cpu_started:.2f} s CPU for {len(rows)} files; "
          f"largest page {max(w.size_bytes for *_, w in rows) / 1e6:.2f} MB; load average {os.getloadavg()[0]:.1f}; "
          f"peak RSS {peak_rss_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
