"""A small generated plan ingests with exactly the bad rows the generator says it planted."""

import json

import pytest

from pipelines.generator import generate_plan
from pipelines.ingest.landing import service_month_range
from tests.ingest.support import load_months, load_unpartitioned, query

# The generator's kinds of bad row and the quarantine rule each one must trip.
RULE_OF_KIND = {"bad_date": "type", "unknown_member": "known_member", "malformed_code": "pattern",
                "negative_units": "minimum", "duplicate": "duplicate"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("plan")
    landing = root / "landing"
    generate_plan(members=500, years=2, seed=11, out_dir=landing, end_year=2025, bad_row_share=0.02)
    db = root / "hmoqa.duckdb"
    unpartitioned = load_unpartitioned(landing, db, with_checks=True)
    first, last = service_month_range(landing)
    monthly = load_months(landing, db, first, last, with_checks=True)
    manifest = json.loads((landing / "generator_manifest.json").read_text())
    return db, manifest, unpartitioned.get_asset_check_evaluations() + monthly.get_asset_check_evaluations()


def test_quarantine_counts_per_kind_match_the_manifest(generated):
    db, manifest, _ = generated
    planted_total = 0
    for source, kinds in manifest["bad_rows"].items():
        expected = {RULE_OF_KIND[kind]: v["count"] for kind, v in kinds.items() if v["count"]}
        found = dict(query(db, "select rule, count(distinct (source_file, source_row)) from staging.quarantine "
                               "where source = ? group by 1", [source]))
        assert found == expected, source
        columns = {v["column"] for v in kinds.values() if v["count"] and v["column"]}
        quarantined_columns = {c for (c,) in query(db, "select distinct column_name from staging.quarantine "
                                                       "where source = ? and rule <> 'duplicate'", [source])}
        assert quarantined_columns == columns, source
        planted_total += sum(expected.values())
    assert planted_total > 100  # the test is not vacuous


def test_every_generated_row_is_loaded_or_quarantined(generated):
    db, manifest, _ = generated
    for source, rows in manifest["rows"].items():
        read = query(db, "select coalesce(sum(rows), 0) from raw.landing_inventory where source = ?", [source])[0][0]
        staged = query(db, f"select count(*) from staging.{source}")[0][0]
        quarantined = query(db, "select count(distinct (source_file, source_row)) from staging.quarantine "
                                "where source = ?", [source])[0][0]
        assert read == rows, source
        assert read == staged + quarantined, source
    assert query(db, "select count(*) from raw.rejected_rows") == [(0,)]


def test_gx_agrees_with_every_quarantine_count_of_the_plan(generated):
    db, _, checks = generated
    assert checks and all(c.passed for c in checks)
    disagreements = query(db, "select count(*) from staging.validation_result where not agrees")
    assert disagreements == [(0,)]
    assert query(db, "select count(*) from staging.validation_result where not success")[0][0] > 0
