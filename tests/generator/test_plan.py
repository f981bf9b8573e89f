"""The landing folder as a whole: files, columns, manifest, reproducibility and the CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq

from pipelines.cli import main
from pipelines.contract import SOURCES
from pipelines.generator import generate_plan
from tests.generator.conftest import PLAN


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_parameters_give_byte_identical_files(tmp_path):
    first = generate_plan(members=300, years=2, seed=99, out_dir=tmp_path / "a", bad_row_share=0.05)
    generate_plan(members=300, years=2, seed=99, out_dir=tmp_path / "b", bad_row_share=0.05)
    assert first.rows["medical_claim"] > 0
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")


def test_another_seed_gives_other_data(tmp_path):
    generate_plan(members=300, years=2, seed=1, out_dir=tmp_path / "a")
    generate_plan(members=300, years=2, seed=2, out_dir=tmp_path / "b")
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert a["medical_claim.parquet"] != b["medical_claim.parquet"]
    assert a["eligibility.parquet"] != b["eligibility.parquet"]


def test_top_level_holds_only_the_sources_and_the_manifest(plan_dir):
    top = {p.name for p in plan_dir.iterdir()}
    assert top == {f"{s}.parquet" for s in SOURCES} | {"generator_manifest.json", "_generator"}
    assert (plan_dir / "_generator" / "members.parquet").is_file()


def test_every_column_is_a_contract_column_and_required_ones_are_present(plan_dir):
    for name, source in SOURCES.items():
        columns = pq.read_schema(plan_dir / f"{name}.parquet").names
        assert set(columns) <= set(source.column_names), name
        assert set(source.required_columns) <= set(columns), name
        assert len(columns) == len(set(columns))


def test_date_columns_are_iso_text(plan_dir):
    for name, source in SOURCES.items():
        schema = pq.read_schema(plan_dir / f"{name}.parquet")
        for column in source.columns:
            if column.type in ("DATE", "TIMESTAMP") and column.name in schema.names:
                assert str(schema.field(column.name).type) == "string", (name, column.name)


def test_manifest_records_parameters_and_rows_written(plan_dir, manifest):
    assert manifest["parameters"] == {**PLAN, "block_size": manifest["parameters"]["block_size"]}
    assert manifest["calendar_years"] == [2023, 2024, 2025]
    for name in SOURCES:
        rows = pq.read_metadata(plan_dir / f"{name}.parquet").num_rows
        assert manifest["rows"][name] == rows
        assert manifest["clean_rows"][name] + manifest["bad_rows_total"][name] == rows


def test_members_are_spread_over_blocks_without_id_clashes(tmp_path):
    summary = generate_plan(members=250, years=1, seed=3, out_dir=tmp_path, block_size=100)
    table = pq.read_table(tmp_path / "_generator" / "members.parquet")
    assert table.num_rows == 250
    assert len(set(table["person_id"].to_pylist())) == 250
    claim_ids = pq.read_table(tmp_path / "medical_claim.parquet", columns=["claim_id", "claim_line_number",
                                                                            "paid_amount"])
    keys = [(c, n) for c, n, p in zip(*(claim_ids[k].to_pylist() for k in claim_ids.column_names)) if p >= 0]
    assert len(keys) - len(set(keys)) == summary.bad_rows["medical_claim"]["duplicate"]


def test_summary_text_and_cli(tmp_path, capsys):
    assert main(["generate", "--members", "120", "--years", "1", "--seed", "4", "--out", str(tmp_path),
                 "--end-year", "2024", "--bad-row-share", "0"]) == 0
    printed = capsys.readouterr().out
    assert str(tmp_path) in printed and "medical_claim" in printed and "bad rows" in printed
    manifest = json.loads((tmp_path / "generator_manifest.json").read_text())
    assert manifest["calendar_years"] == [2024]
    assert sum(manifest["bad_rows_total"].values()) == 0


def test_manifest_counts_rows_per_partition_month(con, manifest):
    months = manifest["rows_by_partition_month"]
    assert set(months) == {n for n, s in SOURCES.items() if s.partitioned}
    for name, entry in months.items():
        assert entry["column"] == SOURCES[name].partition_date_columns[0]
        assert sum(entry["rows"].values()) == manifest["rows"][name]
        found = dict(con.execute(f"select substr({entry['column']}, 1, 7), count(*) from {name} group by 1").fetchall())
        assert found == entry["rows"], name
        assert min(entry["rows"]) >= "2023-01" and max(entry["rows"]) <= "2025-12"
