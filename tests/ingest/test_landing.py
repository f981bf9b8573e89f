"""Landing-folder discovery, required sources, the fingerprint, the service-month range and
readable errors for unreadable files."""

import os

import duckdb
import pytest

from pipelines.contract import SOURCES
from pipelines.ingest.errors import IngestError
from pipelines.ingest.landing import (check_columns, discover, file_columns, fingerprint, locate_invalid_utf8,
                                      require_sources, service_month_range)
from tests.ingest.support import CLAIM_HEADER, claim, small_landing, write_csv


def test_discover_accepts_every_naming_and_ignores_other_files(tmp_path):
    small_landing(tmp_path, [claim("c1")])
    write_csv(tmp_path / "pharmacy_claim_seed.csv", ["claim_id"], [["p1"]])
    (tmp_path / "lab_result").mkdir()
    write_csv(tmp_path / "lab_result" / "part-2.csv", ["lab_result_id"], [["l2"]])
    write_csv(tmp_path / "lab_result" / "part-1.csv", ["lab_result_id"], [["l1"]])
    write_csv(tmp_path / "lab_result" / "_scratch.csv", ["lab_result_id"], [["x"]])
    (tmp_path / "generator_manifest.json").write_text("{}")
    (tmp_path / "_generator").mkdir()
    write_csv(tmp_path / "_generator" / "medical_claim.csv", ["claim_id"], [["x"]])
    write_csv(tmp_path / "observation_seed.csv", ["observation_id"], [["o1"]])

    found = discover(tmp_path)

    assert set(found) == set(SOURCES)
    assert [p.name for p in found["medical_claim"]] == ["medical_claim.csv"]
    assert [p.name for p in found["pharmacy_claim"]] == ["pharmacy_claim_seed.csv"]
    assert [p.name for p in found["lab_result"]] == ["part-1.csv", "part-2.csv"]
    assert found["provider"] == [] and found["immunization"] == []


def test_the_tuva_sample_is_discovered_by_its_seed_names(tuva_sample_dir):
    found = discover(tuva_sample_dir)
    landed = {name for name, paths in found.items() if paths}
    assert landed == {"eligibility", "medical_claim", "pharmacy_claim", "lab_result", "immunization"}


@pytest.mark.parametrize("missing", ["eligibility.csv", "medical_claim.csv"])
def test_a_missing_required_source_names_the_folder_and_the_accepted_names(tmp_path, missing):
    small_landing(tmp_path, [claim("c1")])
    (tmp_path / missing).unlink()
    source = missing.removesuffix(".csv")
    with pytest.raises(IngestError) as error:
        require_sources(tmp_path)
    message = str(error.value)
    assert str(tmp_path) in message and repr(source) in message
    assert f"{source}.parquet" in message and f"{source}_seed.csv" in message


def test_fingerprint_changes_when_a_source_file_is_added_or_changed_only(tmp_path):
    small_landing(tmp_path, [claim("c1")])
    first = fingerprint(tmp_path)
    (tmp_path / "generator_manifest.json").write_text("{}")
    assert fingerprint(tmp_path) == first
    write_csv(tmp_path / "provider.csv", ["npi"], [["1234567890"]])
    second = fingerprint(tmp_path)
    assert second != first
    path = tmp_path / "medical_claim.csv"
    path.write_text(path.read_text() + "c2,1,professional,m1,2024-02-01,2024-02-01,99213,E119,1\n")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert fingerprint(tmp_path) != second


def test_service_month_range_spans_partitioned_sources_and_is_clipped_to_the_partitions(tmp_path):
    small_landing(tmp_path, [claim("c1", start="2024-03-31"), claim("c2", start="2023-11-02"),
                             claim("c3", start="not a date")])
    write_csv(tmp_path / "pharmacy_claim.csv",
              ["claim_id", "claim_line_number", "person_id", "dispensing_date", "ndc_code"],
              [["p1", "1", "m1", "2024-06-09", "00002323230"]])
    assert service_month_range(tmp_path, bounds=("2015-01-01", "2030-12-01")) == ("2023-11-01", "2024-06-01")
    # the pharmacy month lies beyond the last partition, so March (claims) is the last month covered
    assert service_month_range(tmp_path, bounds=("2024-01-01", "2024-04-01")) == ("2024-01-01", "2024-03-01")


def test_service_month_range_is_none_without_dated_rows(tmp_path):
    small_landing(tmp_path, [claim("c1", start="")])
    assert service_month_range(tmp_path) is None


def test_the_default_range_of_the_tuva_sample_starts_at_the_first_partition(tuva_sample_dir):
    from pipelines.partitions import service_month_partitions

    first_key = service_month_partitions.get_partition_keys()[0]
    first, last = service_month_range(tuva_sample_dir)
    assert first == max(first_key, "2014-09-01")  # its earliest labs and dispenses are from 2014-09
    assert last == "2018-12-01"


def test_a_renamed_required_column_is_named_with_its_likely_new_name(tmp_path):
    header = [("member_person_id" if c == "person_id" else c) for c in CLAIM_HEADER]
    path = write_csv(tmp_path / "medical_claim.csv", header, [claim("c1")])
    con = duckdb.connect()
    columns = file_columns(con, path)
    with pytest.raises(IngestError) as error:
        check_columns(SOURCES["medical_claim"], path, columns)
    message = str(error.value)
    assert str(path) in message and "'person_id'" in message and "member_person_id" in message


def test_a_zero_byte_file_is_a_clear_error(tmp_path):
    path = tmp_path / "medical_claim.csv"
    path.write_bytes(b"")
    with pytest.raises(IngestError, match="empty \\(0 bytes\\)"):
        file_columns(duckdb.connect(), path)


def test_invalid_utf8_is_located_by_row_and_column(tmp_path):
    path = tmp_path / "eligibility.csv"
    path.write_bytes(b"person_id,gender,city\nm1,female,Boston\nm2,male,Bogot\xe1\n")
    assert locate_invalid_utf8(path) == (2, "city", "e1 0a")


def test_a_missing_required_column_is_named(tmp_path):
    header = [c for c in CLAIM_HEADER if c != "paid_amount"]
    path = write_csv(tmp_path / "medical_claim.csv", header, [claim("c1")[:-1]])
    with pytest.raises(IngestError) as error:
        check_columns(SOURCES["medical_claim"], path, file_columns(duckdb.connect(), path))
    assert str(path) in str(error.value) and "'paid_amount'" in str(error.value)
    assert "renamed" not in str(error.value)


def test_a_ragged_csv_row_is_an_error_naming_the_file(tmp_path):
    from pipelines.ingest.landing import read_error, select_sql

    path = write_csv(tmp_path / "medical_claim.csv", CLAIM_HEADER, [claim("c1"), claim("c2") + ["extra"]])
    con = duckdb.connect()
    columns = file_columns(con, path)
    with pytest.raises(duckdb.Error) as raised:
        con.execute(f"select count(*) from ({select_sql(SOURCES['medical_claim'], path, columns)})",
                    {"path": str(path)}).fetchall()
    message = str(read_error(path, raised.value))
    assert str(path) in message and "CSV" in message
