"""Great Expectations confirms the quarantine: on good data, on bad data, and not when a
quarantine rule is broken; the blocking structural check stops downstream assets."""

import datetime as dt

import dagster as dg
import duckdb

from pipelines.ingest.raw import load_raw
from pipelines.staging import load as staging_load
from pipelines.staging.load import stage_source
from pipelines.staging.validation import store_results, validate
from tests.ingest.support import (CLAIM_HEADER, ELIGIBILITY_HEADER, claim, eligibility_rows, load_months,
                                  load_unpartitioned, partitioned_selection, query, resources, small_landing,
                                  write_csv)

AT = dt.datetime(2024, 6, 1, 12, 0)
JAN = (dt.date(2024, 1, 1), dt.date(2024, 2, 1))
BAD_CLAIMS = [claim("c1"), claim("c2", hcpcs="9921!"), claim("c3", person_id="stranger"),
              claim("c4", paid="12,50"), claim("c5", line="0"), claim("", person_id="m2"), claim("c1")]


def _staged(tmp_path, claims):
    con = duckdb.connect()
    con.execute("create schema raw; create schema staging")
    elig = write_csv(tmp_path / "eligibility.csv", ELIGIBILITY_HEADER, eligibility_rows("m1", "m2"))
    claims_file = write_csv(tmp_path / "medical_claim.csv", CLAIM_HEADER, claims)
    load_raw(con, "eligibility", [elig], AT)
    stage_source(con, "eligibility", AT)
    load_raw(con, "medical_claim", [claims_file], AT, *JAN)
    stage_source(con, "medical_claim", AT, *JAN)
    return con


def test_gx_agrees_with_the_quarantine_rule_by_rule(tmp_path):
    con = _staged(tmp_path, BAD_CLAIMS)
    outcomes = {(o.column, o.rule): o for o in validate(con, "medical_claim", *JAN, chunk_rows=3)}
    assert all(o.agrees for o in outcomes.values())
    failing = {key: o.unexpected_count for key, o in outcomes.items() if not o.success}
    assert failing == {("hcpcs_code", "pattern"): 1, ("person_id", "known_member"): 1,
                       ("paid_amount", "type"): 1, ("claim_line_number", "minimum"): 1,
                       ("claim_id", "not_null"): 1}
    # Seven rows read in chunks of three: every expectation saw every row.
    assert {o.element_count for o in outcomes.values()} == {7}


def test_gx_reports_disagreement_when_a_quarantine_rule_is_broken(tmp_path, monkeypatch):
    def without_hcpcs_pattern(source):
        return [r for r in original(source) if (r.column, r.kind) != ("hcpcs_code", "pattern")]

    original = staging_load.rules_for
    monkeypatch.setattr(staging_load, "rules_for", without_hcpcs_pattern)
    con = _staged(tmp_path, BAD_CLAIMS)
    outcomes = validate(con, "medical_claim", *JAN)
    disagreeing = [(o.column, o.rule, o.unexpected_count, o.quarantined_count) for o in outcomes if not o.agrees]
    assert disagreeing == [("hcpcs_code", "pattern", 1, 0)]
    store_results(con, "medical_claim", "2024-01-01", outcomes, AT)
    store_results(con, "medical_claim", "2024-01-01", outcomes, AT)  # re-validating replaces
    stored = con.execute("select count(*), count(*) filter (where not agrees) from staging.validation_result").fetchone()
    assert stored == (len(outcomes), 1)


def test_the_gx_check_passes_on_good_data_and_warns_on_a_broken_rule(tmp_path, monkeypatch):
    landing = small_landing(tmp_path / "landing", BAD_CLAIMS)
    db = tmp_path / "hmoqa.duckdb"
    load_unpartitioned(landing, db)
    good = load_months(landing, db, "2024-01-01", with_checks=True)
    assert all(c.passed for c in good.get_asset_check_evaluations())
    assert query(db, "select count(*) from staging.validation_result where source = 'medical_claim' "
                     "and partition_key = '2024-01-01' and not success") == [(5,)]

    original = staging_load.rules_for
    monkeypatch.setattr(staging_load, "rules_for",
                        lambda source: [r for r in original(source) if r.kind != "minimum"])
    broken = load_months(landing, db, "2024-01-01", with_checks=True)
    gx = [c for c in broken.get_asset_check_evaluations()
          if c.check_name == "gx_confirms_quarantine" and c.asset_key.path[-1] == "medical_claim"]
    assert not gx[0].passed and gx[0].severity == dg.AssetCheckSeverity.WARN
    disagreements = gx[0].metadata["disagreements_with_quarantine"].value
    assert [(d["column"], d["rule"]) for d in disagreements] == [("claim_line_number", "minimum")]


def test_a_failed_structural_check_blocks_downstream_assets(tmp_path, monkeypatch):
    landing = small_landing(tmp_path / "landing", [claim("c1"), claim("c2")])
    db = tmp_path / "hmoqa.duckdb"
    load_unpartitioned(landing, db)

    from pipelines.partitions import service_month_partitions

    @dg.asset(deps=[dg.AssetKey(["staging", "medical_claim"])], partitions_def=service_month_partitions)
    def downstream_of_claims() -> None:
        return None

    # Simulate a staging defect: every row counted as read twice, so read != loaded + quarantined.
    original = staging_load.reconcile

    def miscounted(con, source, *months):
        result = original(con, source, *months)
        for month in result.months:
            month.rows_read *= 2
        return result

    import pipelines.staging.assets as staging_assets
    monkeypatch.setattr(staging_assets, "reconcile", miscounted)
    result = dg.materialize([*partitioned_selection(with_checks=True), downstream_of_claims],
                            resources=resources(landing, db), partition_key="2024-01-01", raise_on_error=False)
    structural = [c for c in result.get_asset_check_evaluations()
                  if c.check_name == "structure_and_reconciliation" and c.asset_key.path[-1] == "medical_claim"]
    assert not structural[0].passed
    assert structural[0].metadata["unbalanced_partitions"].value == ["2024-01-01"]
    materialized = {tuple(e.asset_key.path) for e in result.get_asset_materialization_events()}
    assert ("staging", "medical_claim") in materialized
    assert ("downstream_of_claims",) not in materialized
