"""The raw layer through Dagster: the Tuva sample, monthly partitions, single-run backfills and bad input."""

import csv
import datetime as dt

import pytest

from pipelines.contract import SOURCES
from pipelines.ingest.errors import IngestError
from pipelines.ingest.landing import service_month_range
from pipelines.partitions import service_month_partitions
from tests.ingest.support import (CLAIM_HEADER, claim, load_months, load_unpartitioned, query, scalar,
                                  small_landing, write_csv)

TUVA_SOURCES = ("eligibility", "medical_claim", "pharmacy_claim", "lab_result", "immunization")


def _tuva_month(source, row):
    """The service month of a Tuva row, computed here independently of the pipeline's SQL."""
    for column in SOURCES[source].partition_date_columns:
        if row.get(column):
            return row[column][:7] + "-01"
    return None


def test_the_tuva_sample_loads_every_source_with_no_row_lost(tuva_sample_dir, tmp_path):
    db = tmp_path / "hmoqa.duckdb"
    unpartitioned = load_unpartitioned(tuva_sample_dir, db, with_checks=True)
    first_month, last_month = service_month_range(tuva_sample_dir)
    monthly = load_months(tuva_sample_dir, db, first_month, last_month, with_checks=True)
    checks = unpartitioned.get_asset_check_evaluations() + monthly.get_asset_check_evaluations()
    assert len(checks) == 2 * len(SOURCES) and all(c.passed for c in checks)
    first_key = service_month_partitions.get_partition_keys()[0]

    for source in TUVA_SOURCES:
        with open(tuva_sample_dir / f"{source}_seed.csv", newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        raw_rows = scalar(db, f"select count(*) from raw.{source}")
        staged = scalar(db, f"select count(*) from staging.{source}")
        quarantined = scalar(db, "select count(distinct (source_file, source_row)) from staging.quarantine "
                                 "where source = ?", [source])
        rejected = scalar(db, "select count(*) from raw.rejected_rows where source = ?", [source])
        read = scalar(db, "select sum(rows) from raw.landing_inventory where source = ?", [source])
        assert read == len(rows), source
        assert read == raw_rows + rejected, source
        assert raw_rows == staged + quarantined, source
        # Nothing in the sample breaks a rule.
        assert quarantined == 0, source
        # The only rows not loaded are labs and dispenses dated before the first monthly partition,
        # kept in raw.rejected_rows with that reason.
        if SOURCES[source].partitioned:
            early = sum(1 for r in rows if _tuva_month(source, r) < first_key)
            assert rejected == early, source
        else:
            assert rejected == 0
    reasons = query(db, "select distinct source, rule from raw.rejected_rows order by 1")
    assert all(rule == "outside_partitions" for _, rule in reasons)
    assert {s for s, _ in reasons} <= {"lab_result", "pharmacy_claim"}


def test_row_numbers_and_lineage_point_back_at_the_file(tmp_path):
    landing = small_landing(tmp_path / "landing", [claim("c1"), claim("c2"), claim("c3", start="2024-02-03")])
    db = tmp_path / "hmoqa.duckdb"
    load_unpartitioned(landing, db)
    load_months(landing, db, "2024-01-01", "2024-02-01")
    rows = query(db, "select claim_id, _source_file, _source_row, strftime(_service_month, '%Y-%m-%d') "
                     "from raw.medical_claim order by _source_row")
    assert rows == [("c1", str(landing / "medical_claim.csv"), 1, "2024-01-01"),
                    ("c2", str(landing / "medical_claim.csv"), 2, "2024-01-01"),
                    ("c3", str(landing / "medical_claim.csv"), 3, "2024-02-01")]


def _counts(db):
    return query(db, "select (select count(*) from raw.medical_claim), (select count(*) from staging.medical_claim), "
                     "(select count(*) from staging.quarantine), (select count(*) from raw.pharmacy_claim)")[0]


def test_two_months_materialized_twice_give_identical_counts(tmp_path):
    claims = [claim("c1"), claim("c2", start="2024-01-31"), claim("c3", start="2024-02-01"),
              claim("c4", start="2024-02-10", hcpcs="BAD!"), claim("c5", start="2024-03-05")]
    landing = small_landing(tmp_path / "landing", claims)
    db = tmp_path / "hmoqa.duckdb"
    load_unpartitioned(landing, db)
    for month in ("2024-01-01", "2024-02-01"):
        load_months(landing, db, month)
    first = _counts(db)
    for month in ("2024-01-01", "2024-02-01"):
        load_months(landing, db, month)
    assert _counts(db) == first == (4, 3, 1, 0)
    by_month = query(db, "select strftime(_service_month, '%Y-%m'), count(*) from raw.medical_claim group by 1 order by 1")
    assert by_month == [("2024-01", 2), ("2024-02", 2)]


def test_a_range_of_months_backfills_in_one_run(tmp_path):
    claims = [claim(f"c{m}", start=f"2024-{m:02d}-15") for m in range(1, 7)]
    landing = small_landing(tmp_path / "landing", claims)
    db = tmp_path / "hmoqa.duckdb"
    load_unpartitioned(landing, db)
    result = load_months(landing, db, "2024-02-01", "2024-05-01")
    assert result.success
    materializations = [e for e in result.get_asset_materialization_events()
                        if e.asset_key.path == ["raw", "medical_claim"]]
    # One run, one step: the whole range replaced in one transaction, one materialization per month.
    assert sorted(e.partition for e in materializations) == ["2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01"]
    assert len({e.step_key for e in materializations}) == 1
    months = query(db, "select strftime(_service_month, '%m') from staging.medical_claim order by 1")
    assert months == [("02",), ("03",), ("04",), ("05",)]


def test_rows_without_a_service_month_are_kept_with_their_reason(tmp_path):
    landing = small_landing(tmp_path / "landing", [claim("c1"), claim("c2", start="31/01/2024"), claim("c3", start="")])
    db = tmp_path / "hmoqa.duckdb"
    load_unpartitioned(landing, db)
    load_months(landing, db, "2024-01-01")
    rejected = query(db, "select source_row, rule, value, reason from raw.rejected_rows order by source_row")
    assert [(r[0], r[1]) for r in rejected] == [(2, "no_service_month"), (3, "no_service_month")]
    assert "claim_start_date=31/01/2024" in rejected[0][2]
    assert "no service month" in rejected[0][3]
    assert scalar(db, "select count(*) from raw.medical_claim") == 1


def test_an_optional_source_that_did_not_land_is_an_empty_table(tmp_path):
    landing = small_landing(tmp_path / "landing", [claim("c1")])
    db = tmp_path / "hmoqa.duckdb"
    result = load_unpartitioned(landing, db)
    provider = [e for e in result.get_asset_materialization_events() if e.asset_key.path == ["raw", "provider"]]
    assert provider[0].materialization.metadata["landed"].value is False
    assert scalar(db, "select count(*) from raw.provider") == 0
    assert scalar(db, "select count(*) from staging.provider") == 0


def test_parquet_files_and_folders_of_parts_load_like_csv(tmp_path):
    import duckdb

    landing = small_landing(tmp_path / "landing", [claim("c1")])
    (landing / "medical_claim.csv").unlink()
    (landing / "medical_claim").mkdir()
    con = duckdb.connect()
    con.execute("create table claims (claim_id varchar, claim_line_number integer, claim_type varchar, "
                "person_id varchar, claim_start_date date, claim_end_date date, hcpcs_code varchar, "
                "diagnosis_code_1 varchar, paid_amount decimal(10, 2))")
    con.execute("insert into claims values ('c1', 1, 'professional', 'm1', '2024-01-02', '2024-01-02', '99213', 'E11.9', -12.50), "
                "('c2', 2, 'professional', 'm2', '2024-01-03', '2024-01-03', 'g0101', 'Z12.31', 0)")
    con.execute("copy (select * from claims where claim_id = 'c1') to ? (format parquet)",
                [str(landing / "medical_claim" / "part-1.parquet")])
    write_csv(landing / "medical_claim" / "part-2.csv", CLAIM_HEADER,
              [["c2b", "1", "professional", "m2", "2024-01-09", "2024-01-09", "99214", "I10", "5"]])
    db = tmp_path / "hmoqa.duckdb"
    load_unpartitioned(landing, db)
    load_months(landing, db, "2024-01-01")
    rows = query(db, "select claim_id, claim_line_number, paid_amount, _source_row from staging.medical_claim order by claim_id")
    assert rows == [("c1", 1, -12.5, 1), ("c2b", 1, 5.0, 1)]


# --- bad input -------------------------------------------------------------------------------------

def _good_then(tmp_path, break_landing):
    """Load good data, break the landing folder, load again: returns (db, failed result)."""
    landing = small_landing(tmp_path / "landing", [claim("c1"), claim("c2", start="2024-01-20")])
    db = tmp_path / "hmoqa.duckdb"
    load_unpartitioned(landing, db)
    load_months(landing, db, "2024-01-01")
    assert scalar(db, "select count(*) from staging.medical_claim") == 2
    break_landing(landing)
    result = load_months(landing, db, "2024-01-01", raise_on_error=False)
    return db, result


def _failure_messages(result):
    return [e.step_failure_data.error.cause.message if e.step_failure_data.error.cause
            else e.step_failure_data.error.message for e in result.all_events if e.is_step_failure]


def test_a_missing_required_file_is_a_clear_error(tmp_path):
    landing = small_landing(tmp_path / "landing", [claim("c1")])
    (landing / "eligibility.csv").unlink()
    result = load_unpartitioned(landing, tmp_path / "hmoqa.duckdb", raise_on_error=False)
    assert not result.success
    messages = " ".join(_failure_messages(result))
    assert "IngestError" in messages and "'eligibility'" in messages and "eligibility_seed.csv" in messages


def test_a_renamed_required_column_fails_and_leaves_the_good_data(tmp_path):
    def rename(landing):
        path = landing / "medical_claim.csv"
        path.write_text(path.read_text().replace("claim_start_date", "claim_begin_date", 1))

    db, result = _good_then(tmp_path, rename)
    assert not result.success
    messages = " ".join(_failure_messages(result))
    assert "medical_claim.csv" in messages and "'claim_start_date'" in messages and "claim_begin_date" in messages
    assert scalar(db, "select count(*) from raw.medical_claim") == 2
    assert scalar(db, "select count(*) from staging.medical_claim") == 2


def test_an_empty_file_fails_and_leaves_the_good_data(tmp_path):
    db, result = _good_then(tmp_path, lambda landing: (landing / "medical_claim.csv").write_bytes(b""))
    assert not result.success
    assert any("empty (0 bytes)" in m and "medical_claim.csv" in m for m in _failure_messages(result))
    assert scalar(db, "select count(*) from raw.medical_claim") == 2
    assert scalar(db, "select count(*) from staging.medical_claim") == 2


def test_a_latin1_file_fails_naming_row_and_column_and_leaves_no_partial_partition(tmp_path):
    def latin1(landing):
        text = (landing / "medical_claim.csv").read_text() + "c3,1,professional,m1,2024-01-21,2024-01-21,99213,E119,10\n"
        good = text.encode("utf-8")
        # The third data row gets a Latin-1 byte in its diagnosis: "E11é" (0xE9).
        (landing / "medical_claim.csv").write_bytes(good.replace(b",E119,10\n", b",E11\xe9,10\n"))

    db, result = _good_then(tmp_path, latin1)
    assert not result.success
    message = next(m for m in _failure_messages(result) if "UTF-8" in m)
    assert "medical_claim.csv" in message and "data row 3" in message and "'diagnosis_code_1'" in message
    assert query(db, "select claim_id from raw.medical_claim order by 1") == [("c1",), ("c2",)]
    assert scalar(db, "select count(*) from staging.medical_claim") == 2


def test_load_raw_rolls_back_a_failed_file_of_several(tmp_path):
    import duckdb

    from pipelines.ingest.raw import load_raw

    good = write_csv(tmp_path / "a.csv", CLAIM_HEADER, [claim("c1")])
    bad = tmp_path / "b.csv"
    bad.write_bytes(b",".join(h.encode() for h in CLAIM_HEADER) + b"\n" + b"c2,1,professional,m1,2024-01-02,"
                    b"2024-01-02,99213,E1\xe9,1\n")
    con = duckdb.connect()
    con.execute("create schema raw")
    at = dt.datetime(2024, 6, 1)
    load_raw(con, "medical_claim", [good], at, dt.date(2024, 1, 1), dt.date(2024, 2, 1))
    with pytest.raises(IngestError, match="b.csv"):
        load_raw(con, "medical_claim", [good, bad], at, dt.date(2024, 1, 1), dt.date(2024, 2, 1))
    assert con.execute("select claim_id from raw.medical_claim").fetchall() == [("c1",)]


def test_a_gzipped_csv_loads_like_a_plain_one(tmp_path):
    import gzip

    import duckdb

    from pipelines.ingest.landing import discover
    from pipelines.ingest.raw import load_raw

    plain = write_csv(tmp_path / "plain.csv", CLAIM_HEADER, [claim("c1"), claim("c2", start="2024-01-31")])
    (tmp_path / "landing").mkdir()
    with gzip.open(tmp_path / "landing" / "medical_claim.csv.gz", "wb") as handle:
        handle.write(plain.read_bytes())
    paths = discover(tmp_path / "landing")["medical_claim"]
    con = duckdb.connect()
    con.execute("create schema raw")
    loaded = load_raw(con, "medical_claim", paths, dt.datetime(2024, 6, 1), dt.date(2024, 1, 1), dt.date(2024, 2, 1))
    assert loaded.rows_loaded == 2
    assert con.execute("select claim_id, _source_row from raw.medical_claim order by 2").fetchall() == [("c1", 1), ("c2", 2)]
