"""Staging on tiny hand-written files: typing, code normalisation, every quarantine rule,
reconciliation, and re-running a partition without duplicating its quarantine."""

import datetime as dt

import duckdb
import pytest

from pipelines.ingest.errors import IngestError
from pipelines.ingest.raw import load_raw
from pipelines.staging.load import reconcile, stage_source
from tests.ingest.support import CLAIM_HEADER, ELIGIBILITY_HEADER, claim, eligibility_rows, write_csv

AT = dt.datetime(2024, 6, 1, 12, 0)
JAN = (dt.date(2024, 1, 1), dt.date(2024, 2, 1))


@pytest.fixture
def con():
    connection = duckdb.connect()
    connection.execute("create schema raw; create schema staging")
    yield connection
    connection.close()


def _stage_claims(con, tmp_path, claims, header=CLAIM_HEADER, members=("m1", "m2")):
    elig = write_csv(tmp_path / "eligibility.csv", ELIGIBILITY_HEADER, eligibility_rows(*members))
    claims_file = write_csv(tmp_path / "medical_claim.csv", header, claims)
    load_raw(con, "eligibility", [elig], AT)
    stage_source(con, "eligibility", AT)
    load_raw(con, "medical_claim", [claims_file], AT, *JAN)
    return stage_source(con, "medical_claim", AT, *JAN)


def _quarantine(con):
    return con.execute("select source_row, column_name, rule, value from staging.quarantine "
                       "where source = 'medical_claim' order by source_row, column_name, rule").fetchall()


def test_clean_rows_are_typed_and_codes_normalised(con, tmp_path):
    header = CLAIM_HEADER + ["hcpcs_modifier_1", "revenue_center_code", "procedure_code_1", "payer"]
    rows = [claim("c1", hcpcs=" g0101 ", dx=" e11.9", paid="-25.10") + ["lt", "0450", "0dt.j0zz", "  "],
            claim("c2", hcpcs="3044f", dx="Z12.31", paid="0", line="2") + ["", " 0300 ", "", "acme"]]
    load = _stage_claims(con, tmp_path, rows, header)
    assert (load.rows_read, load.rows_loaded, load.rows_quarantined) == (2, 2, 0)
    staged = con.execute("select claim_id, claim_line_number, hcpcs_code, diagnosis_code_1, hcpcs_modifier_1, "
                         "revenue_center_code, procedure_code_1, payer, paid_amount, claim_start_date "
                         "from staging.medical_claim order by claim_id").fetchall()
    assert staged == [
        # a negative paid amount is a valid reversal; empty or blank text becomes null
        ("c1", 1, "G0101", "E119", "LT", "0450", "0DTJ0ZZ", None, -25.1, dt.date(2024, 1, 15)),
        # zero paid is valid; revenue codes keep their leading zero
        ("c2", 2, "3044F", "Z1231", None, "0300", None, "acme", 0.0, dt.date(2024, 1, 15)),
    ]


def test_an_unparseable_date_and_number_quarantine_only_their_rows(con, tmp_path):
    rows = [claim("c1"),
            claim("c2", paid="12,50"),
            claim("c3", start="2024-01-15") [:5] + ["2024-01-32"] + claim("c3")[6:],
            claim("c4", line="first")]
    load = _stage_claims(con, tmp_path, rows)
    assert (load.rows_read, load.rows_loaded, load.rows_quarantined) == (4, 1, 3)
    assert _quarantine(con) == [(2, "paid_amount", "type", "12,50"), (3, "claim_end_date", "type", "2024-01-32"),
                                (4, "claim_line_number", "type", "first")]
    file_and_reason = con.execute("select distinct source_file, partition_key, reason from staging.quarantine "
                                  "where column_name = 'claim_end_date'").fetchall()
    assert file_and_reason == [(str(tmp_path / "medical_claim.csv"), "2024-01-01", "not a calendar date YYYY-MM-DD")]
    assert con.execute("select claim_id from staging.medical_claim").fetchall() == [("c1",)]


def test_each_rule_quarantines_and_a_row_breaking_several_counts_once(con, tmp_path):
    rows = [claim("c1"),                                        # clean
            claim("", person_id="m2"),                           # null claim_id
            claim("c3", hcpcs="9921!"),                          # pattern
            claim("c4", line="0"),                               # minimum (line numbers start at 1)
            claim("c5", person_id="stranger"),                   # not in eligibility
            claim("c6")[:2] + ["dental"] + claim("c6")[3:],      # not an allowed claim type
            claim("c7", hcpcs="xx", dx="??", paid="n/a")]        # three rules, one row
    load = _stage_claims(con, tmp_path, rows)
    assert (load.rows_read, load.rows_loaded, load.rows_quarantined) == (7, 1, 6)
    assert load.balanced
    assert _quarantine(con) == [
        (2, "claim_id", "not_null", None),
        (3, "hcpcs_code", "pattern", "9921!"),
        (4, "claim_line_number", "minimum", "0"),
        (5, "person_id", "known_member", "stranger"),
        (6, "claim_type", "allowed", "dental"),
        (7, "diagnosis_code_1", "pattern", "??"),
        (7, "hcpcs_code", "pattern", "XX"),
        (7, "paid_amount", "type", "n/a"),
    ]
    assert load.quarantine_by_rule == {"allowed": 1, "known_member": 1, "minimum": 1, "not_null": 1,
                                       "pattern": 3, "type": 1}


def test_exact_duplicates_keep_the_first_row_by_file_row(con, tmp_path):
    rows = [claim("c1"), claim("c2"), claim("c1"), claim("c1", paid="100.0"), claim("c1")]
    load = _stage_claims(con, tmp_path, rows)
    # "100.0" differs from "100.00" as written, so that line is not an exact duplicate
    assert (load.rows_read, load.rows_loaded, load.rows_quarantined) == (5, 3, 2)
    dupes = con.execute("select source_row, rule, value from staging.quarantine order by source_row").fetchall()
    assert dupes == [(3, "duplicate", f"duplicate of {tmp_path / 'medical_claim.csv'} row 1"),
                     (5, "duplicate", f"duplicate of {tmp_path / 'medical_claim.csv'} row 1")]
    assert con.execute("select _source_row from staging.medical_claim order by 1").fetchall() == [(1,), (2,), (4,)]


def test_duplicates_are_judged_on_normalised_values_across_files(con, tmp_path):
    elig = write_csv(tmp_path / "eligibility.csv", ELIGIBILITY_HEADER, eligibility_rows("m1"))
    first = write_csv(tmp_path / "a" / "part-1.csv", CLAIM_HEADER, [claim("c1", dx="E11.9")])
    second = write_csv(tmp_path / "a" / "part-2.csv", CLAIM_HEADER, [claim("c1", dx=" e119 ")])
    load_raw(con, "eligibility", [elig], AT)
    stage_source(con, "eligibility", AT)
    load_raw(con, "medical_claim", [first, second], AT, *JAN)
    load = stage_source(con, "medical_claim", AT, *JAN)
    assert (load.rows_loaded, load.rows_quarantined) == (1, 1)
    assert con.execute("select source_file from staging.quarantine").fetchall() == [(str(second),)]


def test_restaging_a_partition_replaces_its_rows_and_quarantine(con, tmp_path):
    rows = [claim("c1"), claim("c2", hcpcs="bad!")]
    _stage_claims(con, tmp_path, rows)
    again = stage_source(con, "medical_claim", AT, *JAN)
    assert (again.rows_read, again.rows_loaded, again.rows_quarantined) == (2, 1, 1)
    assert con.execute("select count(*) from staging.quarantine").fetchone()[0] == 1
    assert con.execute("select count(*) from staging.medical_claim").fetchone()[0] == 1


def test_staging_one_month_leaves_other_months_alone(con, tmp_path):
    rows = [claim("c1"), claim("c2", start="2024-02-02", hcpcs="bad!"), claim("c3", start="2024-02-03")]
    elig = write_csv(tmp_path / "eligibility.csv", ELIGIBILITY_HEADER, eligibility_rows("m1"))
    claims_file = write_csv(tmp_path / "medical_claim.csv", CLAIM_HEADER, rows)
    load_raw(con, "eligibility", [elig], AT)
    stage_source(con, "eligibility", AT)
    load_raw(con, "medical_claim", [claims_file], AT, dt.date(2024, 1, 1), dt.date(2024, 3, 1))
    stage_source(con, "medical_claim", AT, dt.date(2024, 1, 1), dt.date(2024, 3, 1))
    february = stage_source(con, "medical_claim", AT, dt.date(2024, 2, 1), dt.date(2024, 3, 1))
    assert [(m.partition_key, m.rows_read, m.rows_loaded, m.rows_quarantined) for m in february.months] == [
        ("2024-02-01", 2, 1, 1)]
    both = reconcile(con, "medical_claim", dt.date(2024, 1, 1), dt.date(2024, 3, 1))
    assert (both.rows_read, both.rows_loaded, both.rows_quarantined) == (3, 2, 1)


def test_staging_claims_before_eligibility_is_a_clear_error(con, tmp_path):
    claims_file = write_csv(tmp_path / "medical_claim.csv", CLAIM_HEADER, [claim("c1")])
    load_raw(con, "medical_claim", [claims_file], AT, *JAN)
    with pytest.raises(IngestError, match="stage eligibility before medical_claim"):
        stage_source(con, "medical_claim", AT, *JAN)
