"""The plan-reporting Dagster assets on a database holding hand-written plan program results: checks pass,
a re-run replaces the year, metadata has no member ids, and the PHI export is written only when configured."""

from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from pipelines.measures.engine import create_measure_tables
from pipelines.measures.reporting_assets import ASSETS, CHECKS
from pipelines.resources import HmoqaConfig
from tests.measures.test_rates import insert, result

MEMBERS = ("p1", "p2", "p3", "p4")


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "hmoqa.duckdb"
    with duckdb.connect(str(path)) as con:
        for schema in ("clinical", "measures"):
            con.execute(f"create schema {schema}")
        create_measure_tables(con)
        insert(con, [result("BCS", "p1", "commercial", numerator=True, evidence=date(2025, 2, 1)),
                     result("BCS", "p2", "commercial"),
                     result("BCS", "p3", "medicaid", excluded="hospice"),
                     result("GSD", "p4", "medicare", numerator=True)])
    return path


def materialize(db: Path, tmp_path: Path, phi_dir: Path | None) -> dg.ExecuteInProcessResult:
    resources = {"duckdb": DuckDBResource(database=str(db)),
                 "hmoqa": HmoqaConfig(landing_dir=str(tmp_path / "landing"), output_dir=str(tmp_path / "out"),
                                      phi_export_dir=str(phi_dir) if phi_dir else None)}
    result_ = dg.materialize([*ASSETS, *CHECKS], resources=resources, partition_key="2025")
    assert result_.success
    assert {(e.check_name, e.passed) for e in result_.get_asset_check_evaluations()} == {
        ("plan_rates_consistent", True), ("monthly_rates_consistent", True), ("care_gaps_reconcile", True)}
    return result_


def metadata(run: dg.ExecuteInProcessResult, node: str) -> dict:
    return {k: v.value for k, v in run.asset_materializations_for_node(node)[0].metadata.items()}


def test_assets_materialize_and_rerun_replaces_the_year(db: Path, tmp_path: Path, monkeypatch):
    monkeypatch.delenv("HMOQA_PHI_EXPORT_DIR", raising=False)
    for _ in range(2):
        run = materialize(db, tmp_path, phi_dir=None)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select product_line, denominator, numerator from measures.plan_rate "
                           "where measure_id = 'BCS' order by product_line").fetchall() == [
            ("all", 2, 1), ("commercial", 2, 1), ("medicaid", 0, 0)]
        assert con.execute("select measure_id, person_id from measures.care_gap order by all").fetchall() == [
            ("BCS", "p2"), ("GSD", "p4")]
        assert con.execute("select count(*) from measures.plan_rate_monthly where month_end = '2025-12-31'"
                           ).fetchone()[0] == 0      # the last data is February: the trend stops there
    rates = metadata(run, "measures__plan_rate")
    assert "| 2025 | BCS | all | 3 | 1 | 2 | 1 | 0.5 |" in rates["rates"]
    gaps = metadata(run, "measures__care_gap")
    assert gaps["dagster/row_count"] == 2
    assert gaps["phi_export"].startswith("not written: no PHI export folder is configured")
    text = " ".join(str(v) for node in ("measures__plan_rate", "measures__plan_rate_monthly", "measures__care_gap")
                    for v in metadata(run, node).values())
    assert not any(member in text for member in MEMBERS)
    assert not list(tmp_path.rglob("PHI-*"))


def test_phi_export_written_only_into_the_configured_folder(db: Path, tmp_path: Path):
    run = materialize(db, tmp_path, phi_dir=tmp_path / "phi")
    (written,) = metadata(run, "measures__care_gap")["phi_export"]
    assert Path(written) == tmp_path / "phi" / "PHI-care-gaps-2025.csv"
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("PHI-*")] == ["phi/PHI-care-gaps-2025.csv"]
    assert Path(written).read_text(encoding="utf-8").count("\n") == 4     # banner, header, two gaps
