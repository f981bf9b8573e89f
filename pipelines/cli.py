"""`hmoqa`: the one command-line entry point.

Everything it runs goes through the same Dagster assets the UI materializes (see `runner.py`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _generate(args: argparse.Namespace) -> int:
    from pipelines.generator import generate_plan

    summary = generate_plan(
        members=args.members, years=args.years, seed=args.seed, out_dir=Path(args.out),
        end_year=args.end_year, bad_row_share=args.bad_row_share, edge_members=args.edge_members,
    )
    print(summary)
    return 0


def _run(args: argparse.Namespace) -> int:
    from pipelines.resources import Settings
    from pipelines.runner import PipelineFailed, run_pipeline

    settings = Settings(
        landing_dir=Path(args.input), db_path=Path(args.db),
        output_dir=Path(args.output) if args.output else Path(args.db).with_suffix("").parent / "output",
        valuesets_dir=Path(args.valuesets) if args.valuesets else None,
        phi_export_dir=Path(args.phi_export_dir) if args.phi_export_dir else None,
    )
    try:
        report = run_pipeline(settings, measurement_years=args.measurement_year, verbose=args.verbose)
    except PipelineFailed as exc:
        print(f"hmoqa run failed: {exc}", file=sys.stderr)
        return 1
    print(report)
    return 0


def _contract(args: argparse.Namespace) -> int:
    from pipelines.contract_doc import render_markdown

    text = render_markdown()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


def _conformance(args: argparse.Namespace) -> int:
    from pipelines.measures.conformance import run_conformance

    return run_conformance(Path(args.cases), Path(args.valuesets))


def _export_measure_reports(args: argparse.Namespace) -> int:
    from pipelines.measures.measure_report import export_measure_reports

    written = export_measure_reports(Path(args.db), Path(args.out), year=args.year, program=args.program)
    print(f"{written['reports']['individual']} individual and {written['reports']['summary']} summary "
          f"MeasureReports ({written['program']} program, years {written['years']}):")
    for kind, path in written["files"].items():
        print(f"  {kind}: {path}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from pipelines.dashboards.serve import serve

    serve(Path(args.dir), port=args.port, host=args.host)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hmoqa", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a seeded synthetic health plan as Parquet files")
    gen.add_argument("--members", type=int, required=True)
    gen.add_argument("--years", type=int, default=3)
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--out", required=True, help="landing folder to write")
    gen.add_argument("--end-year", type=int, default=2025, help="last calendar year generated")
    gen.add_argument("--bad-row-share", type=float, default=0.002,
                     help="share of rows per source deliberately broken for quarantine (0 for none)")
    gen.add_argument("--edge-members", action="store_true",
                     help="add the hand-written members that exercise every plan-program rule (answer key)")
    gen.set_defaults(func=_generate)

    run = sub.add_parser("run", help="materialize every asset for a landing folder into a DuckDB file")
    run.add_argument("--input", required=True, help="landing folder (CSV or Parquet per source)")
    run.add_argument("--db", required=True, help="DuckDB file to write")
    run.add_argument("--measurement-year", type=int, action="append", required=True,
                     help="measurement year to compute (repeat for several)")
    run.add_argument("--output", help="folder for dashboards and exports (default: beside the DB)")
    run.add_argument("--valuesets", help="folder of FHIR ValueSet expansions (default: starter codes)")
    run.add_argument("--phi-export-dir", help="where member-level (PHI) exports may be written")
    run.add_argument("--verbose", action="store_true", help="show Dagster's step-by-step log")
    run.set_defaults(func=_run)

    con = sub.add_parser("contract", help="print the input data contract as Markdown")
    con.add_argument("--out", help="write to this file instead of stdout")
    con.set_defaults(func=_contract)

    conf = sub.add_parser("conformance", help="run CMS eCQM test cases and compare population counts")
    conf.add_argument("--cases", required=True)
    conf.add_argument("--valuesets", required=True)
    conf.set_defaults(func=_conformance)
    mrx = sub.add_parser("export-measure-reports",
                         help="write FHIR R4 MeasureReports (individual: PHI, and summary) as NDJSON")
    mrx.add_argument("--db", required=True, help="DuckDB file with measures.measure_result")
    mrx.add_argument("--out", required=True, help="folder to write (individual reports name members: PHI)")
    mrx.add_argument("--year", type=int, help="measurement year (default: every year present)")
    mrx.add_argument("--program", default="plan", choices=("plan", "ecqm"))
    mrx.set_defaults(func=_export_measure_reports)
    srv = sub.add_parser("serve", help="serve the dashboard pages on localhost for a team")
    srv.add_argument("--dir", required=True, help="folder holding index.html (e.g. <output>/dashboards)")
    srv.add_argument("--port", type=int, default=8000)
    srv.add_argument("--host", default="127.0.0.1", help="localhost only")
    srv.set_defaults(func=_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
