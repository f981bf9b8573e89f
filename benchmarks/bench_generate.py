"""Benchmark `generate_plan`: wall time, peak RSS and rows per source for one plan size.

    .venv/bin/python benchmarks/bench_generate.py --members 100000
    .venv/bin/python benchmarks/bench_generate.py --members 1000000 --out /tmp/plan_1m --keep

Runs the generator in this process (no subprocess), so `resource.getrusage` reports its peak
memory. Targets (checked by reading the figures, never by a timed test): 1,000,000 members x 3
years in under 10 minutes and under 8 GiB peak RSS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.generator import generate_plan  # noqa: E402


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown RAM"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model}), {memory}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end-year", type=int, default=2025)
    parser.add_argument("--bad-row-share", type=float, default=0.002)
    parser.add_argument("--out", help="landing folder to write (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the output (always kept with --out)")
    args = parser.parse_args(argv)

    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="hmoqa_bench_generate_"))
    print(f"date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {machine()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    began = time.perf_counter()
    cpu_began = time.process_time()
    summary = generate_plan(members=args.members, years=args.years, seed=args.seed, out_dir=out,
                            end_year=args.end_year, bad_row_share=args.bad_row_share)
    wall = time.perf_counter() - began
    cpu = time.process_time() - cpu_began
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    size_mib = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1024 / 1024
    total_rows = sum(summary.rows.values())
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"members: {args.members:,}  years: {args.years}  seed: {args.seed}")
    print(f"wall time: {wall:.1f} s   process CPU time: {cpu:.1f} s")
    print(f"peak RSS: {peak_mib:,.0f} MiB ({peak_mib / 1024:.2f} GiB)")
    print(f"output: {size_mib:,.0f} MiB in {out}")
    print(f"rows: {total_rows:,} total, {total_rows / wall:,.0f} rows/s")
    for source, rows in summary.rows.items():
        print(f"  {source:<28} {rows:>14,}")
    print(f"medical claim lines per member-year: {summary.extras['claim_lines_per_member_year']:.1f}")
    if not args.out and not args.keep:
        shutil.rmtree(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
