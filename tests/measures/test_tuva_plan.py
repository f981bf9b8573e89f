"""The public Tuva sample (../shared/samples/tuva-input-layer/, ten Medicare members, 2016-2018) through
the plan program for measurement year 2018.

Every expected row below was worked out by hand from the sample files (eligibility_seed.csv,
medical_claim_seed.csv, lab_result_seed.csv, pharmacy_claim_seed.csv) with plan-program.md, and
measures.md where the plan program says nothing. Ages are on 2018-12-31. A measure's row is listed
for each member inside its age / sex band (BCS F 52-74, COL 46-75, CCS F 24-64, CBP 18-85, EED and
GSD 18-75, CIS 2); a member outside a band must be in no population of that measure.

Nine of the ten members have no enrollment on the anchor date 2018-12-31 (plan-program.md 3, "the
member is enrolled on the anchor date"), so they are in no population at all. Only 10113 is enrolled
on 2018-12-31.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

MY = 2018
OUT = None  # in no population: not eligible (initial population, denominator, exclusion, numerator all false)


def excluded(*reasons: str, line: str = "medicare") -> dict:
    return {"denominator": True, "exclusion": set(reasons), "numerator": False, "product_line": line}


EXPECTED: dict[tuple[str, str], dict | None] = {
    # 10: male, born 1945-05-16 (73). One segment 2016-01-01 .. 2018-10-31: not enrolled on 2018-12-31.
    ("10", "COL"): OUT, ("10", "CBP"): OUT, ("10", "EED"): OUT, ("10", "GSD"): OUT,
    # 10007: female, born 1956-01-04 (62). Last segment ends 2018-08-31 (and Mar 2017, Apr 2018 gaps):
    # not enrolled on the anchor date -> no population, also not CCS although 62 is in its band.
    ("10007", "BCS"): OUT, ("10007", "COL"): OUT, ("10007", "CCS"): OUT, ("10007", "CBP"): OUT,
    ("10007", "EED"): OUT, ("10007", "GSD"): OUT,
    # 10017: male, born 1984-11-23 (34). Enrolled 2016-01-01 .. 2018-05-31 only.
    ("10017", "CBP"): OUT, ("10017", "EED"): OUT, ("10017", "GSD"): OUT,
    # 10026: female, born 1945-09-26 (73; too old for CCS). Segments end 2018-01-31 and 2018-11-30.
    ("10026", "BCS"): OUT, ("10026", "COL"): OUT, ("10026", "CBP"): OUT, ("10026", "EED"): OUT,
    ("10026", "GSD"): OUT,
    # 1003: male, born 1946-02-09 (72). Last segment 2018-05-01 .. 2018-06-30 (a hospice_flag segment in
    # March 2018 would exclude, but he is not eligible in the first place).
    ("1003", "COL"): OUT, ("1003", "CBP"): OUT, ("1003", "EED"): OUT, ("1003", "GSD"): OUT,
    # 10046: female, born 1938-06-10 (80): only CBP's band (18-85). Enrolled until 2018-11-30.
    ("10046", "CBP"): OUT,
    # 10072: male, born 1933-11-23 (85): only CBP. Seven segments, the last ending 2018-09-30.
    ("10072", "CBP"): OUT,
    # 10174: male, born 1954-04-13 (64). Last segment 2017-12-01 .. 2018-10-31.
    ("10174", "COL"): OUT, ("10174", "CBP"): OUT, ("10174", "EED"): OUT, ("10174", "GSD"): OUT,
    # 10111: female, born 1949-05-26 (69; too old for CCS). Last segment ends 2018-08-31.
    ("10111", "BCS"): OUT, ("10111", "COL"): OUT, ("10111", "CBP"): OUT, ("10111", "EED"): OUT,
    ("10111", "GSD"): OUT,
    # 10113: male, born 1944-06-08 (74). Segments 2016-01-01 .. 2017-10-31 and 2017-12-01 .. 2018-12-31
    # (medicare, long_term_institutional_flag = 1 on the second).
    # COL window 2017-01-01 .. 2018-12-31: one gap in 2017 (Nov 1-30, 30 days <= 45), none in 2018,
    # enrolled on 2018-12-31 -> eligible, product line medicare (the segment covering the anchor).
    # Excluded: long_term_institution (the flag during MY at 66+, plan-program.md 5) and
    # advanced_illness_frailty (measures.md 2.7, 74 >= 66): frailty in MY = W01.0XXA / W10.8XXA (Frailty
    # Diagnosis) on the 2018-10-14 ED claims and R53.1 (Frailty Symptom) on that day's ambulance claim;
    # advanced illness = G20 (Parkinson's) on the 2017-10-15 office visit (99214), onset in MY-1.
    # No hospice (no 81x / 82x bill type, hospice revenue code or hospice flag in 2018; the 2017-08-17
    # discharge status 50 is on an outpatient claim of 2017), no palliative care (Z51.5), no colorectal
    # cancer or colectomy, no housing-status observation -> only those two reasons.
    ("10113", "COL"): excluded("long_term_institution", "advanced_illness_frailty"),
    # CBP: hypertension needs two outpatient / telephone / virtual visits with I10 between 2017-01-01
    # and 2018-06-30. His I10 claims in that window are lab-only outpatient hospital claims (bill types
    # 131 / 141 with 36415, 80053 ...: 2017-01-17, 2017-03-25, 2018-01-14) and a pacemaker check (93288,
    # 2017-12-10): no visit code. The 99204 with I10 is 2016-11-01 (too early), the 99284 ED visit with
    # I10 is 2018-10-14 (after June 30, and an ED visit). -> not eligible.
    ("10113", "CBP"): OUT,
    # EED and GSD: diabetes by two outpatient visits on different dates with a Diabetes diagnosis in MY-1:
    # 2017-03-30 99214 (Office Visit, dx E11.9) and 2017-07-08 92014 (Ophthalmological Services, an
    # outpatient eye visit, dx E11.9). His other E11.x claims are lab-only outpatient hospital claims
    # (2017-01-17, 2017-06-03, 2018-01-14) or a nail debridement (11721, 2017-02-09): no visit code.
    # Enrolled all of 2018 -> eligible, medicare; excluded for the same two reasons as COL.
    ("10113", "EED"): excluded("long_term_institution", "advanced_illness_frailty"),
    ("10113", "GSD"): excluded("long_term_institution", "advanced_illness_frailty"),
}


@pytest.fixture(scope="module")
def plan_rows(tuva_sample_dir: Path, shared_dir: Path, tmp_path_factory) -> dict[tuple[str, str], dict]:
    from pipelines.resources import Settings
    from pipelines.runner import run_pipeline

    root = tmp_path_factory.mktemp("tuva_plan")
    db_path = root / "hmoqa.duckdb"
    run_pipeline(Settings(landing_dir=tuva_sample_dir, db_path=db_path, output_dir=root / "out",
                          valuesets_dir=shared_dir / "valuesets"), measurement_years=[MY])
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute("""
            select patient_key, measure_id, initial_population, denominator, denominator_exclusion, numerator,
                   exclusion_reason, product_line, stratum
            from measures.measure_result where program = 'plan' and measurement_year = ?""", [MY]).fetchall()
    found: dict[tuple[str, str], dict] = {}
    for person, measure, ip, den, exclusion, numerator, reasons, line, stratum in rows:
        assert (person, measure) not in found, f"two plan rows for {person} {measure}"
        found[(person, measure)] = {"initial_population": ip, "denominator": den, "exclusion": exclusion,
                                    "numerator": numerator, "reasons": set(filter(None, (reasons or "").split(","))),
                                    "product_line": line, "stratum": stratum}
    return found


def _actual(row: dict | None) -> dict | None:
    if row is None or not row["initial_population"]:
        return None
    return {"denominator": row["denominator"], "exclusion": row["reasons"] if row["exclusion"] else set(),
            "numerator": row["numerator"], "product_line": row["product_line"]}


def test_every_member_of_the_sample_gets_the_result_worked_out_by_hand(plan_rows):
    assert plan_rows, "the plan program wrote no rows for MY 2018"
    wrong = {key: (expected, _actual(plan_rows.get(key))) for key, expected in EXPECTED.items()
             if _actual(plan_rows.get(key)) != expected}
    assert wrong == {}, "\n".join(f"{k}: expected {e}, plan program {a}" for k, (e, a) in wrong.items())


def test_nobody_is_in_a_population_outside_the_rows_worked_out_by_hand(plan_rows):
    unexpected = sorted(key for key, row in plan_rows.items() if key not in EXPECTED and _actual(row) is not None)
    assert unexpected == []


def test_the_one_eligible_member_is_in_the_col_stratum_of_his_age(plan_rows):
    # 10113 is 74 on 2018-12-31: stratum 50-75 (measures.md 3.2).
    assert plan_rows[("10113", "COL")]["stratum"] == "50-75"
