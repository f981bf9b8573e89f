"""Care gaps from hand-written plan program results: who has a gap, what it says, the close-by day,
the PCP and its source, the last relevant service, and the PHI export (measurement year 2025)."""

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.measures.care_gaps import (PHI_BANNER, build_care_gaps, care_gap_problems, care_gap_summary,
                                          create_care_gap_table, export_care_gaps, phi_export_dir)
from tests.measures.test_rates import insert, result


def plan_results() -> list[tuple]:
    return [
        result("BCS", "a1", "commercial", numerator=True, evidence=date(2025, 3, 5)),   # screened: no gap
        result("BCS", "a2", "commercial"),                                             # gap
        result("BCS", "a3", "commercial", excluded="hospice"),                         # excluded: no gap
        result("BCS", "a4", "commercial", eligible=False),                             # not eligible: no gap
        result("COL", "a2", "medicaid", stratum="50-75"),                              # gap with a stratum
        result("GSD", "b1", "medicaid", numerator=True),                               # no test: gap
        result("GSD", "b2", "medicaid", numerator=True, evidence=date(2025, 5, 2)),    # > 9%: gap
        result("GSD", "b3", "medicaid"),                                               # controlled: no gap
        result("CIS", "k1", "medicaid"),                                               # gap, closes on 2nd birthday
        result("CIS", "k2", "medicaid", numerator=True, evidence=date(2025, 6, 1)),
        result("BCS", "z1", "commercial", year=2024),                                  # another year
    ]


def eligibility(con, person: str, start: str, end: str, pcp: str | None) -> None:
    con.execute("""insert into staging.eligibility (person_id, gender, birth_date, enrollment_start_date,
                       enrollment_end_date, payer_type, pcp_npi, _source_file, _source_row, _loaded_at)
                   values (?, 'female', date '1960-01-01', ?::date, ?::date, 'commercial', ?, 'eligibility.csv', 1,
                           now())""", [person, start, end, pcp])


def encounter(con, row_id: int, person: str, day: str, status: str = "finished") -> None:
    con.execute("insert into clinical.encounter (row_id, patient_key, source_kind, status, start_lo) "
                "values (?, ?, 'medical_claim', ?, ?::timestamp)", [row_id, person, status, day])


@pytest.fixture()
def con():
    connection = duckdb.connect()
    create_care_gap_table(connection)
    insert(connection, plan_results())
    connection.execute("insert into clinical.patient (row_id, patient_key, source_kind, birth_date) "
                       "values (1, 'k1', 'eligibility', date '2023-08-14')")
    # a2: two segments in 2025; the one covering Dec 31 names the assigned PCP.
    eligibility(connection, "a2", "2025-01-01", "2025-06-30", "1000000004")
    eligibility(connection, "a2", "2025-07-01", "2025-12-31", "1000000012")
    eligibility(connection, "b2", "2025-01-01", "2025-12-31", None)
    # a2's latest encounter up to Dec 31 is in November 2023 (the one in 2026 is after the year, the
    # cancelled one does not count): inside BCS's look-back (from Oct 1 2023) and COL's.
    encounter(connection, 1, "a2", "2023-11-02 10:00")
    encounter(connection, 2, "a2", "2026-01-05 10:00")
    encounter(connection, 3, "a2", "2025-02-01 10:00", status="cancelled")
    # b1's latest encounter is in 2024: outside GSD's look-back (the year itself).
    encounter(connection, 4, "b1", "2024-12-01 10:00")
    encounter(connection, 5, "b2", "2025-05-02 08:00")
    yield connection
    connection.close()


def gaps(con) -> dict:
    cursor = con.execute("select * from measures.care_gap where measurement_year = 2025")
    names = [d[0] for d in cursor.description]
    return {(r["measure_id"], r["person_id"]): r for r in (dict(zip(names, row)) for row in cursor.fetchall())}


def test_gaps_are_the_denominator_outside_the_numerator(con):
    assert build_care_gaps(con, 2025) == 5
    found = gaps(con)
    assert set(found) == {("BCS", "a2"), ("COL", "a2"), ("GSD", "b1"), ("GSD", "b2"), ("CIS", "k1")}
    assert found["COL", "a2"]["stratum"] == "50-75" and found["COL", "a2"]["product_line"] == "medicaid"
    assert found["GSD", "b1"]["inverse"] and not found["BCS", "a2"]["inverse"]
    assert not any(care_gap_problems(con, 2025).values())


def test_what_is_missing_and_by_when(con):
    build_care_gaps(con, 2025)
    found = gaps(con)
    assert found["BCS", "a2"]["gap"] == "no mammogram from Oct 1 2023 through Dec 31 2025"
    assert (found["GSD", "b1"]["gap_code"], found["GSD", "b1"]["gap"]) == ("no_glycemic_test", "no HbA1c or GMI test in 2025")
    assert found["GSD", "b2"]["gap"] == "most recent HbA1c or GMI in 2025 (2025-05-02) is above 9% or has no result"
    assert found["GSD", "b2"]["last_assessment_date"] == date(2025, 5, 2)
    assert "colonoscopy since 2016" in found["COL", "a2"]["gap"]
    assert found["BCS", "a2"]["close_by"] == date(2025, 12, 31)
    assert found["CIS", "k1"]["close_by"] == date(2025, 8, 14)          # the 2nd birthday


def test_last_relevant_service_is_the_latest_encounter_in_the_look_back(con):
    build_care_gaps(con, 2025)
    found = gaps(con)
    assert found["BCS", "a2"]["last_service_date"] == date(2023, 11, 2)
    assert found["COL", "a2"]["last_service_date"] == date(2023, 11, 2)
    assert found["GSD", "b1"]["last_service_date"] is None             # December 2024 is before GSD's look-back
    assert found["GSD", "b2"]["last_service_date"] == date(2025, 5, 2)


def test_pcp_from_enrollment_until_the_year_is_attributed(con):
    build_care_gaps(con, 2025)
    found = gaps(con)
    assert (found["BCS", "a2"]["pcp_npi"], found["BCS", "a2"]["pcp_source"]) == ("1000000012", "assigned")
    assert (found["GSD", "b2"]["pcp_npi"], found["GSD", "b2"]["pcp_source"]) == (None, "none")
    # Once scores.attribution has the year, it decides (a 2024 attribution row would not).
    con.execute("""insert into scores.attribution values
        (2025, 'a2', '1000000020', 'plurality_of_visits', 3, 4, 2, date '2025-03-01', date '2024-01-01', date '2025-12-31'),
        (2025, 'b2', '1000000038', 'assigned_pcp', 0, 0, 0, null, date '2024-01-01', date '2025-12-31'),
        (2025, 'b1', null, 'unattributed', 0, 0, 0, null, date '2024-01-01', date '2025-12-31')""")
    build_care_gaps(con, 2025)
    found = gaps(con)
    assert {k: (r["pcp_npi"], r["pcp_source"]) for k, r in found.items()} == {
        ("BCS", "a2"): ("1000000020", "attributed"), ("COL", "a2"): ("1000000020", "attributed"),
        ("GSD", "b1"): (None, "none"), ("GSD", "b2"): ("1000000038", "assigned"), ("CIS", "k1"): (None, "none")}
    assert len(found) == 5                                              # re-run replaced, not appended


def test_summary_counts_only_and_the_check_catches_a_missing_gap(con):
    build_care_gaps(con, 2025)
    summary = care_gap_summary(con, 2025)
    assert [(r["measure"], r["gaps"], r["pcp_assigned"], r["no_pcp"]) for r in summary] == [
        ("BCS", 1, 1, 0), ("CIS", 1, 0, 1), ("COL", 1, 1, 0), ("GSD", 2, 0, 2)]
    assert not {"a2", "b1", "b2", "k1"} & {str(v) for row in summary for v in row.values()}
    con.execute("delete from measures.care_gap where measure_id = 'GSD' and person_id = 'b1'")
    assert care_gap_problems(con, 2025)["gap_count_differs_from_measure_result"] == 1


def test_phi_export_is_marked_and_complete(con, tmp_path: Path):
    build_care_gaps(con, 2025)
    path = export_care_gaps(con, 2025, tmp_path / "phi")
    assert path.name == "PHI-care-gaps-2025.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == PHI_BANNER and "PROTECTED HEALTH INFORMATION" in lines[0]
    rows = list(csv.DictReader(lines[1:]))
    assert sorted((r["measure_id"], r["person_id"]) for r in rows) == [
        ("BCS", "a2"), ("CIS", "k1"), ("COL", "a2"), ("GSD", "b1"), ("GSD", "b2")]
    assert next(r for r in rows if r["measure_id"] == "CIS")["close_by"] == "2025-08-14"
    assert [p.name for p in path.parent.iterdir()] == [path.name]      # no partial file left behind


def test_phi_folder_only_when_configured(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("HMOQA_PHI_EXPORT_DIR", raising=False)
    assert phi_export_dir(None) is None
    monkeypatch.setenv("HMOQA_PHI_EXPORT_DIR", str(tmp_path))
    assert phi_export_dir(None) == tmp_path
    assert phi_export_dir(str(tmp_path / "configured")) == tmp_path / "configured"
