"""Deliberately broken rows: the manifest's exact counts are what a reader finds in the files."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import numpy as np

from pipelines.contract import SOURCES
from pipelines.generator.bad_rows import BREAKABLE, BadRowInjector
from tests.generator.support import duplicate_rows, rule_violations, scalar, unknown_members, views

# Which contract rule each kind of breakage shows up as.
RULE_OF_KIND = {"bad_date": "type", "malformed_code": "pattern", "negative_units": "minimum"}


def test_every_source_with_members_has_each_kind_it_can_have(manifest):
    for name, kinds in manifest["bad_rows"].items():
        assert set(kinds) == set(BREAKABLE[name])
        assert ("unknown_member" in kinds) == (SOURCES[name].member_column is not None)
        for kind, entry in kinds.items():
            if kind not in ("duplicate", "unknown_member"):
                assert entry["column"] in SOURCES[name].column_names
                partitions = SOURCES[name].partition_date_columns or ()
                assert entry["column"] not in partitions  # a bad partition date would hide the row


def test_bad_row_total_is_the_share_of_clean_rows(manifest):
    share = manifest["parameters"]["bad_row_share"]
    planted = manifest["planted_edge_members"]["rows"]  # hand-written edge members are never broken
    for name, clean in manifest["clean_rows"].items():
        assert manifest["bad_rows_total"][name] == int(share * (clean - planted[name]) + 1e-9), name
    assert manifest["bad_rows_total"]["medical_claim"] > 100


def test_rule_violations_in_the_files_match_the_manifest_exactly(con, manifest):
    for name, source in SOURCES.items():
        expected = {}
        for kind, entry in manifest["bad_rows"][name].items():
            if kind in RULE_OF_KIND and entry["count"]:
                expected[(entry["column"], RULE_OF_KIND[kind])] = entry["count"]
        assert rule_violations(con, source) == expected, name


def test_unknown_members_match_the_manifest(con, manifest):
    # The planted edge member `no_enrollment` has one claim line and, on purpose, no eligibility row.
    planted_without_enrollment = {"medical_claim": int("no_enrollment" in manifest["planted_edge_members"]["cases"])}
    for name, source in SOURCES.items():
        if source.member_column:
            expected = manifest["bad_rows"][name]["unknown_member"]["count"] + planted_without_enrollment.get(name, 0)
            assert unknown_members(con, name) == expected, name
    assert manifest["bad_rows"]["medical_claim"]["unknown_member"]["count"] > 0


def test_duplicates_match_the_manifest(con, manifest):
    for name in SOURCES:
        assert duplicate_rows(con, name) == manifest["bad_rows"][name]["duplicate"]["count"], name
    assert manifest["bad_rows"]["medical_claim"]["duplicate"]["count"] > 0


def test_each_bad_row_is_broken_one_way_only(con, manifest):
    name = "medical_claim"
    broken = manifest["bad_rows"][name]
    conditions = [
        "try_cast(claim_end_date as date) is null",
        "person_id not in (select person_id from eligibility)",
        "not regexp_full_match(hcpcs_code, '^([0-9]{4}[0-9FTUftu]|[A-Za-z][0-9]{4})$')",
        "service_unit_quantity < 0",
    ]
    flags = " + ".join(f"coalesce(({c})::int, 0)" for c in conditions)
    assert scalar(con, f"select count(*) from {name} where {flags} > 1") == 0
    assert scalar(con, f"select count(*) from {name} where {flags} = 1") == sum(
        broken[k]["count"] for k in ("bad_date", "unknown_member", "malformed_code", "negative_units"))
    # Broken copies carry fresh claim ids, so none shares a claim id with a clean line.
    assert scalar(con, f"select count(*) from {name} where claim_id like '%-B%'") == sum(
        broken[k]["count"] for k in ("bad_date", "unknown_member", "malformed_code", "negative_units"))


def test_zero_share_means_no_bad_rows_at_all(clean_plan_dir):
    con = duckdb.connect()
    views(con, clean_plan_dir)
    for name, source in SOURCES.items():
        assert rule_violations(con, source) == {}, name
        assert duplicate_rows(con, name) == 0, name
        if source.member_column:
            assert unknown_members(con, name) == 0, name
    assert scalar(con, "select count(*) from medical_claim") > 1000


def test_injector_floors_the_share_cumulatively_and_rotates_kinds():
    schema = pa.schema([("claim_id", pa.string()), ("person_id", pa.string()), ("claim_end_date", pa.string()),
                        ("hcpcs_code", pa.string()), ("service_unit_quantity", pa.float64()),
                        ("paid_amount", pa.float64())])
    chunk = pa.table({"claim_id": [f"C{i}" for i in range(150)], "person_id": ["P1"] * 150,
                      "claim_end_date": ["2025-01-01"] * 150, "hcpcs_code": ["99213"] * 150,
                      "service_unit_quantity": [1.0] * 150, "paid_amount": [10.0] * 150}, schema=schema)
    injector = BadRowInjector("medical_claim", 0.02, schema, np.random.default_rng(0))
    first = injector.bad_rows_for(chunk)   # floor(0.02 * 150) = 3
    second = injector.bad_rows_for(chunk)  # floor(0.02 * 300) - 3 = 3
    assert first.num_rows == 3 and second.num_rows == 3
    assert injector.counts == {"bad_date": 2, "unknown_member": 1, "malformed_code": 1, "negative_units": 1,
                               "duplicate": 1}
    assert injector.bad_rows_for(chunk.slice(0, 10)) is None  # floor(0.02 * 310) = 6: nothing due
