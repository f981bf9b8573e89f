"""The plan program (plan-program.md), rule by rule, on tiny hand-written members: staging rows ->
claims mapping -> engine -> measures.measure_result, one member per rule, measurement year 2025."""

from __future__ import annotations

import json
from datetime import date as D
from pathlib import Path

import duckdb
import pytest

from pipelines.clinical.fhir import load_fhir
from pipelines.measures.engine import create_measure_tables, evaluate, set_year_subjects
from pipelines.measures.summary import plan_input_counts
from pipelines.terminology.valuesets import load_terminology
from tests.measures.helpers import ACTIVE, CATEGORY, ICD10CM, LOINC, UCUM, concept
from tests.measures.plan_members import EYE_NPI, HOSPICE_NPI, INTERNIST_NPI, Plan, result

WOMAN_55, MAN_58, WOMAN_70 = D(1970, 6, 1), D(1967, 2, 14), D(1955, 2, 2)
CHILD = D(2023, 3, 10)                                   # turns 2 on 2025-03-10


def build(plan: Plan) -> None:  # noqa: PLR0915 - one member per rule, read top to bottom
    m = plan.member
    # --- continuous enrollment (section 3) ---------------------------------------------------------------
    m("gap_45", WOMAN_55, segments=[(D(2023, 1, 1), D(2025, 3, 31)), (D(2025, 5, 16), D(2025, 12, 31))])
    m("gap_46", WOMAN_55, segments=[(D(2023, 1, 1), D(2025, 3, 31)), (D(2025, 5, 17), D(2025, 12, 31))])
    m("two_gaps", WOMAN_55, segments=[(D(2023, 1, 1), D(2025, 2, 28)), (D(2025, 3, 11), D(2025, 8, 31)),
                                      (D(2025, 9, 11), D(2025, 12, 31))])
    # 30 days in 2024 + 30 days in 2025: each part is its own year's one gap
    m("jan1_split", WOMAN_55, segments=[(D(2023, 1, 1), D(2024, 12, 1)), (D(2025, 1, 31), D(2025, 12, 31))])
    # 61 days in 2024 (breaks COL's MY-1) + 20 days in 2025 (fine for CCS, MY only)
    m("jan1_long_part", WOMAN_55, segments=[(D(2023, 1, 1), D(2024, 10, 31)), (D(2025, 1, 21), D(2025, 12, 31))])
    m("ends_before_anchor", WOMAN_55, segments=[(D(2023, 1, 1), D(2025, 12, 30))])
    m("overlap", WOMAN_55, segments=[(D(2023, 1, 1), D(2025, 6, 30)), (D(2025, 6, 1), D(2025, 12, 31))])
    m("touch", WOMAN_55, segments=[(D(2023, 1, 1), D(2024, 12, 31)), (D(2025, 1, 1), D(2025, 6, 30)),
                                   (D(2025, 7, 1), D(2025, 12, 31))])
    m("bcs_gap_oct_dec", WOMAN_55, segments=[(D(2023, 1, 1), D(2023, 10, 31)), (D(2023, 11, 11), D(2025, 12, 31))])
    m("bcs_from_oct_1", WOMAN_55, segments=[(D(2023, 10, 1), D(2025, 12, 31))])
    m("no_gap_at_window_start", WOMAN_55, segments=[(D(2025, 1, 1), D(2025, 12, 31))])   # 365-day gap in 2024
    m("cis_from_1st_birthday", CHILD, "male", segments=[(D(2024, 3, 10), D(2025, 12, 31))])
    m("cis_gap_46", CHILD, "male", segments=[(D(2024, 1, 1), D(2024, 3, 10)), (D(2024, 4, 26), D(2025, 12, 31))])
    m("cis_ends_before_2nd", CHILD, "male", segments=[(D(2024, 3, 10), D(2025, 3, 9))])
    m("cis_switch_on_2nd", CHILD, "male",
      segments=[(D(2024, 3, 10), D(2025, 3, 9), "commercial"), (D(2025, 3, 10), D(2025, 12, 31), "medicaid")])
    # --- product lines (section 4) -----------------------------------------------------------------------
    m("latest_wins", WOMAN_55, segments=[(D(2023, 1, 1), D(2025, 12, 31), "commercial"),
                                         (D(2025, 7, 1), D(2025, 12, 31), "medicaid")])
    m("tie_medicare", WOMAN_55, segments=[(D(2023, 1, 1), D(2024, 12, 31), "medicare"),
                                          (D(2025, 1, 1), D(2025, 12, 31), "commercial"),
                                          (D(2025, 1, 1), D(2025, 12, 31), "medicare")])
    m("tie_medicaid", WOMAN_55, segments=[(D(2023, 1, 1), D(2024, 12, 31), "commercial"),
                                          (D(2025, 1, 1), D(2025, 12, 31), "commercial"),
                                          (D(2025, 1, 1), D(2025, 12, 31), "medicaid")])
    # --- death and enrollment flags (sections 2 and 5) -------------------------------------------------
    m("death", WOMAN_55, death=D(2025, 8, 1))
    m("death_before_my", WOMAN_55, death=D(2022, 8, 1))
    m("hospice_flag", WOMAN_55, segments=[(D(2023, 1, 1), D(2025, 6, 30), "commercial", {}),
                                          (D(2025, 7, 1), D(2025, 12, 31), "commercial", {"hospice_flag": 1})])
    m("hospice_flag_2024", WOMAN_55, segments=[(D(2023, 1, 1), D(2024, 6, 30), "commercial", {}),
                                               (D(2024, 7, 1), D(2024, 12, 31), "commercial", {"hospice_flag": 1}),
                                               (D(2025, 1, 1), D(2025, 12, 31), "commercial", {})])
    m("snp_70", WOMAN_70, line="medicare", institutional_snp_flag=1)
    m("long_term_70", WOMAN_70, line="medicare", long_term_institutional_flag=1)
    m("snp_65", D(1960, 1, 20), "male", line="medicare", institutional_snp_flag=1)
    hospice = m("hospice_bill_type", WOMAN_55)
    plan.claim(hospice, D(2025, 9, 1), ("Q5001", {"revenue_center_code": "0100"}), dx=("C34.90",),
               end=D(2025, 9, 30), claim_type="institutional", bill_type_code="0811", pos=None, npi=HOSPICE_NPI)
    reversed_hospice = m("hospice_bill_type_reversed", WOMAN_55)
    plan.claim(reversed_hospice, D(2025, 9, 1), ("Q5001", {"revenue_center_code": "0100"}), dx=("C34.90",),
               end=D(2025, 9, 30), claim_type="institutional", bill_type_code="821", pos=None, npi=HOSPICE_NPI,
               reversed_lines=(1,))
    # --- screening claims (section 1) --------------------------------------------------------------------
    mammogram = m("mammogram", WOMAN_55)
    plan.claim(mammogram, D(2025, 3, 3), "77067", dx=("Z12.31",), pos="22")
    reversed_mammogram = m("reversed_mammogram", WOMAN_55)
    plan.claim(reversed_mammogram, D(2025, 3, 3), "77067", dx=("Z12.31",), pos="22", reversed_lines=(1,))
    lower_case = m("mammogram_lower_case", WOMAN_55)
    plan.claim(lower_case, D(2025, 3, 3), "g0202", dx=("z12.31",), pos="22")
    plan.claim("no_enrollment", D(2025, 4, 2), "77067", dx=("Z12.31",), pos="22")   # claims, no eligibility row
    outside = m("mammogram_in_gap", WOMAN_55, segments=[(D(2023, 1, 1), D(2025, 4, 30)), (D(2025, 5, 21), D(2025, 12, 31))])
    plan.claim(outside, D(2025, 5, 10), "77067", dx=("Z12.31",), pos="22")
    fit_2024 = m("fit_2024", MAN_58, "male")
    plan.claim(fit_2024, D(2024, 6, 6), "82274", dx=("Z12.12",), pos="81")
    sdna_2023 = m("sdna_2023", MAN_58, "male")
    plan.claim(sdna_2023, D(2023, 11, 6), "81528", dx=("Z12.11",), pos="81")
    pap = m("pap_2023", D(1990, 4, 4))
    plan.claim(pap, D(2023, 4, 20), "q0091", dx=("Z12.4",))
    # --- bilateral mastectomy from CPT + modifiers ----------------------------------------------------------
    both = m("mastectomy_50_slot_5", WOMAN_55)
    plan.claim(both, D(2024, 2, 2), ("19303", {"hcpcs_modifier_1": "59", "hcpcs_modifier_2": "GA",
                                              "hcpcs_modifier_3": "26", "hcpcs_modifier_4": "TC",
                                              "hcpcs_modifier_5": "50"}), dx=("C50.911",), pos="22")
    sides = m("mastectomy_rt_then_lt", WOMAN_55)
    plan.claim(sides, D(2023, 5, 5), ("19303", {"hcpcs_modifier_1": "RT"}), dx=("C50.911",), pos="22")
    plan.claim(sides, D(2024, 8, 8), ("19303", {"hcpcs_modifier_3": "lt"}), dx=("C50.912",), pos="22")
    right = m("mastectomy_right_only", WOMAN_55)
    plan.claim(right, D(2024, 5, 5), ("19303", {"hcpcs_modifier_1": "RT"}), dx=("C50.911",), pos="22")
    # --- hypertension (CBP population) and blood pressure ------------------------------------------------
    def hypertensive(person, visits=(D(2024, 3, 3), D(2025, 2, 2))):
        m(person, MAN_58, "male")
        for day in visits:
            plan.claim(person, day, "99213", dx=("I10",))
        return person

    hypertensive("htn_one_visit", visits=(D(2025, 2, 2),))
    hypertensive("htn_second_visit_july", visits=(D(2025, 2, 2), D(2025, 7, 1)))
    hypertensive("htn_two_visits_same_day", visits=(D(2025, 2, 2), D(2025, 2, 2)))
    controlled = hypertensive("bp_controlled")
    plan.claim(controlled, D(2025, 9, 9), "99213", ("3074F", {"paid_amount": 0.0}), ("3078F", {"paid_amount": 0.0}),
               dx=("I10",))
    ed_day = hypertensive("bp_ed_day_ignored")
    plan.claim(ed_day, D(2025, 9, 9), "99213", ("3075F", {"paid_amount": 0.0}), ("3079F", {"paid_amount": 0.0}),
               dx=("I10",))
    plan.claim(ed_day, D(2025, 11, 11), "99284", ("3077F", {"paid_amount": 0.0}), ("3080F", {"paid_amount": 0.0}),
               dx=("R07.9", "I10"), pos="23", npi=INTERNIST_NPI)
    inpatient_day = hypertensive("bp_pos_21_day_ignored")
    plan.claim(inpatient_day, D(2025, 9, 9), "99213", ("3075F", {"paid_amount": 0.0}),
               ("3080F", {"paid_amount": 0.0}), dx=("I10",))
    plan.claim(inpatient_day, D(2025, 11, 11), "99223", ("3074F", {"paid_amount": 0.0}),
               ("3078F", {"paid_amount": 0.0}), dx=("I50.9", "I10"), end=D(2025, 11, 13), pos="21", npi=INTERNIST_NPI)
    # --- diabetes (EED and GSD population), eye exams and HbA1c ----------------------------------------
    def diabetic(person, dx=("E11.9", "E11.9")):
        m(person, MAN_58, "male")
        for day, code in zip((D(2025, 2, 3), D(2025, 5, 6)), dx):
            plan.claim(person, day, "99213", dx=(code,))
        return person

    m("dm_one_visit", MAN_58, "male")
    plan.claim("dm_one_visit", D(2025, 2, 3), "99213", dx=("E11.9",))
    m("dm_2023_only", MAN_58, "male")
    plan.claim("dm_2023_only", D(2023, 2, 3), "99213", dx=("E11.9",))
    plan.claim("dm_2023_only", D(2023, 5, 6), "99213", dx=("E11.9",))
    m("dm_inpatient_stay", MAN_58, "male")
    plan.claim("dm_inpatient_stay", D(2024, 4, 1), (None, {"revenue_center_code": "0120"}), dx=("J18.9", "E11.9"),
               end=D(2024, 4, 5), claim_type="institutional", bill_type_code="111", pos=None,
               admission_date=D(2024, 4, 1), discharge_date=D(2024, 4, 5))
    m("dm_pos_21", MAN_58, "male")
    plan.claim("dm_pos_21", D(2025, 4, 1), "99223", dx=("I50.9", "E11.65"), end=D(2025, 4, 4), pos="21")
    m("dm_ed_and_office", MAN_58, "male")
    plan.claim("dm_ed_and_office", D(2025, 4, 1), "99284", dx=("e119",), pos="23")
    plan.claim("dm_ed_and_office", D(2025, 6, 1), "99213", dx=("E11.9",))
    eye = diabetic("eye_by_optometrist")
    plan.claim(eye, D(2025, 9, 9), "92014", dx=("E11.9",), npi=EYE_NPI)
    not_eye = diabetic("eye_by_internist")
    plan.claim(not_eye, D(2025, 9, 9), "92014", dx=("E11.9",), npi=INTERNIST_NPI)
    cpt2_eye = diabetic("eye_cptii_any_provider")
    plan.claim(cpt2_eye, D(2025, 10, 1), "99213", ("2023F", {"paid_amount": 0.0}), dx=("E11.9",), npi=INTERNIST_NPI)
    prior_year = diabetic("eye_2024_no_retinopathy")
    plan.claim(prior_year, D(2024, 9, 9), "92014", dx=("E11.9",), npi=EYE_NPI)
    prior_year_r = diabetic("eye_2024_with_retinopathy", dx=("E11.319", "E11.9"))
    plan.claim(prior_year_r, D(2024, 9, 9), "92014", dx=("E11.319",), npi=EYE_NPI)
    low_risk = diabetic("3072F_no_retinopathy")
    plan.claim(low_risk, D(2025, 10, 1), "99213", ("3072F", {"paid_amount": 0.0}), dx=("E11.9",))
    low_risk_r = diabetic("3072F_with_retinopathy", dx=("E11.319", "E11.319"))
    plan.claim(low_risk_r, D(2025, 10, 1), "99213", ("3072F", {"paid_amount": 0.0}), dx=("E11.319",))
    no_value = diabetic("hba1c_no_value")
    plan.claim(no_value, D(2025, 11, 2), "99213", "83036", dx=("E11.9",))
    below_7 = diabetic("hba1c_3044F")
    plan.claim(below_7, D(2025, 11, 2), "99213", "83036", ("3044F", {"paid_amount": 0.0}), dx=("E11.9",))
    most_recent = diabetic("hba1c_most_recent")
    plan.claim(most_recent, D(2025, 3, 2), "99213", "83036", ("3046F", {"paid_amount": 0.0}), dx=("E11.9",))
    plan.claim(most_recent, D(2025, 11, 2), "99213", "83036", ("3051F", {"paid_amount": 0.0}), dx=("E11.9",))
    lab_value = diabetic("hba1c_lab_7_1")
    plan.claim(lab_value, D(2025, 11, 2), "99213", "83036", dx=("E11.9",))
    plan.lab(lab_value, D(2025, 11, 2), "4548-4", "7.1")
    lab_high = diabetic("hba1c_lab_10_4")
    plan.lab(lab_high, D(2025, 6, 2), "4548-4", "10.4")
    lab_nine = diabetic("hba1c_lab_9_0")
    plan.lab(lab_nine, D(2025, 6, 2), "4548-4", "9.0")
    # --- frailty (DME claim) with advanced illness, 66+ --------------------------------------------------
    frail = m("frail_70", WOMAN_70, line="medicare")
    plan.claim(frail, D(2025, 3, 1), "E0135", dx=("R26.89",), pos="12")
    plan.claim(frail, D(2025, 4, 1), "99213", dx=("F03.90",))


def supplemental_fhir(plan: Plan, folder: Path) -> Path:
    """FHIR data for two members (ECDS-style supplemental data, keyed by person_id)."""
    plan.member("htn_fhir_condition", MAN_58, "male")                 # no hypertension claims at all
    plan.member("bp_fhir_reading", MAN_58, "male")
    for day in (D(2024, 3, 3), D(2025, 2, 2)):
        plan.claim("bp_fhir_reading", day, "99213", dx=("I10",))
    folder.mkdir(parents=True, exist_ok=True)
    hypertension = {"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/htn_fhir_condition"},
                    "clinicalStatus": ACTIVE, "code": concept(ICD10CM, "I10"), "onsetDateTime": "2024-01-10"}
    reading = {"resourceType": "Observation", "id": "o1", "status": "final",
               "subject": {"reference": "Patient/bp_fhir_reading"},
               "category": [concept(CATEGORY, "vital-signs")], "code": concept(LOINC, "85354-9"),
               "effectiveDateTime": "2025-10-10T10:00:00.000Z",
               "component": [{"code": concept(LOINC, code), "valueQuantity": {"value": value, "unit": "mm[Hg]",
                                                                                 "system": UCUM, "code": "mm[Hg]"}}
                             for code, value in (("8480-6", 122), ("8462-4", 76))]}
    for resource in (hypertension, reading):
        (folder / f"{resource['id']}.json").write_text(json.dumps(resource), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def con(shared_dir: Path, tmp_path_factory):
    con = duckdb.connect()
    for schema in ("staging", "clinical", "measures"):
        con.execute(f"create schema {schema}")
    create_measure_tables(con)
    load_terminology(con, shared_dir / "valuesets")
    plan = Plan()
    build(plan)
    load_fhir(con, supplemental_fhir(plan, tmp_path_factory.mktemp("fhir")))
    plan.load(con)
    plan.evaluate(con)
    yield con
    con.close()


def denominator(con, person: str, measure: str) -> bool:
    row = result(con, person, measure)
    return bool(row and row["denominator"])


def outcome(con, person: str, measure: str) -> tuple:
    row = result(con, person, measure)
    return row["denominator"], row["exclusion_reason"], row["numerator"]


# --- continuous enrollment -------------------------------------------------------------------------------

def test_one_gap_of_45_days_is_allowed_46_is_not(con):
    assert denominator(con, "gap_45", "CCS") and not denominator(con, "gap_46", "CCS")


def test_two_gaps_in_one_year_break_enrollment(con):
    assert not denominator(con, "two_gaps", "CCS")


def test_a_gap_crossing_jan_1_is_split_into_its_years(con):
    assert denominator(con, "jan1_split", "COL")          # 30 days in 2024, 30 in 2025
    assert not denominator(con, "jan1_long_part", "COL")  # 61 days in 2024
    assert denominator(con, "jan1_long_part", "CCS")      # MY only: 20 days


def test_the_anchor_date_must_be_enrolled(con):
    assert not denominator(con, "ends_before_anchor", "CCS")


def test_overlapping_and_touching_segments_merge(con):
    for person in ("overlap", "touch"):
        assert denominator(con, person, "BCS") and denominator(con, person, "COL"), person


def test_bcs_allows_no_gap_in_october_to_december_two_years_before(con):
    assert not denominator(con, "bcs_gap_oct_dec", "BCS")
    assert denominator(con, "bcs_gap_oct_dec", "COL")      # COL's window starts in 2024
    assert denominator(con, "bcs_from_oct_1", "BCS")


def test_a_gap_at_the_window_start_counts(con):
    assert denominator(con, "no_gap_at_window_start", "CCS")
    assert not denominator(con, "no_gap_at_window_start", "COL")   # all of 2024 uncovered


def test_cis_window_is_the_1st_through_the_2nd_birthday(con):
    assert denominator(con, "cis_from_1st_birthday", "CIS")
    assert not denominator(con, "cis_gap_46", "CIS")
    assert not denominator(con, "cis_ends_before_2nd", "CIS")
    row = result(con, "cis_switch_on_2nd", "CIS")
    assert row["denominator"] and row["product_line"] == "medicaid"   # the segment on the 2nd birthday


# --- product lines ---------------------------------------------------------------------------------------

def test_product_line_on_the_anchor_date(con):
    assert result(con, "latest_wins", "BCS")["product_line"] == "medicaid"
    assert result(con, "tie_medicare", "BCS")["product_line"] == "medicare"
    assert result(con, "tie_medicaid", "BCS")["product_line"] == "medicaid"
    assert result(con, "gap_45", "CCS")["product_line"] == "commercial"


def test_the_ecqm_program_on_the_same_members_keeps_its_rules_and_has_no_product_line(con):
    set_year_subjects(con, 2025, "ecqm")
    evaluate(con, ["BCS"], program="ecqm")
    rows = con.execute("select patient_key, initial_population, product_line from measures.measure_result "
                       "where program = 'ecqm' and measure_id = 'BCS'").fetchall()
    by_member = {r[0]: r[1:] for r in rows}
    # No qualifying encounter (ecqm), though continuously enrolled (plan).
    assert by_member["mammogram"] == (False, None) and denominator(con, "mammogram", "BCS")
    assert all(product_line is None for _, product_line in by_member.values())
    assert result(con, "mammogram", "BCS")["product_line"] == "commercial"     # plan rows untouched


# --- death and enrollment flags --------------------------------------------------------------------------

def test_death_in_my_is_an_exclusion(con):
    assert outcome(con, "death", "BCS") == (True, "death", False)
    assert outcome(con, "death_before_my", "BCS") == (True, None, False)


def test_hospice_flag_during_my_is_hospice(con):
    assert outcome(con, "hospice_flag", "CCS")[1] == "hospice"
    assert outcome(con, "hospice_flag_2024", "CCS")[1] is None


def test_hospice_bill_type_81x_claim_is_hospice(con):
    assert outcome(con, "hospice_bill_type", "BCS")[1] == "hospice"
    assert outcome(con, "hospice_bill_type_reversed", "BCS")[1] is None


def test_institutional_flags_exclude_from_66(con):
    assert outcome(con, "snp_70", "BCS")[1] == "long_term_institution"
    assert outcome(con, "long_term_70", "COL")[1] == "long_term_institution"
    assert outcome(con, "snp_65", "COL") == (True, None, False)


# --- screening claims --------------------------------------------------------------------------------------

def test_mammogram_claim_counts_reversed_one_does_not(con):
    row = result(con, "mammogram", "BCS")
    assert row["numerator"] and row["numerator_source_category"] == "administrative"
    assert row["numerator_code"] == "http://www.ama-assn.org/go/cpt|77067"
    assert not result(con, "reversed_mammogram", "BCS")["numerator"]
    assert result(con, "mammogram_lower_case", "BCS")["numerator"]


def test_service_outside_every_segment_still_counts(con):
    assert outcome(con, "mammogram_in_gap", "BCS") == (True, None, True)


def test_a_member_with_claims_and_no_enrollment_is_in_no_population(con):
    assert result(con, "no_enrollment", "BCS") is None


def test_screening_claims_count_as_tests_with_a_result_in_their_windows(con):
    assert not result(con, "fit_2024", "COL")["numerator"]       # FIT: MY only
    assert result(con, "sdna_2023", "COL")["numerator"]          # sDNA FIT: 3 years
    assert result(con, "pap_2023", "CCS")["numerator"]           # Pap: 3 years


def test_bilateral_mastectomy_from_cpt_modifiers(con):
    assert outcome(con, "mastectomy_50_slot_5", "BCS")[1] == "bilateral_mastectomy"
    assert outcome(con, "mastectomy_rt_then_lt", "BCS")[1] == "bilateral_mastectomy"
    assert outcome(con, "mastectomy_right_only", "BCS")[1] is None


# --- hypertension and blood pressure -----------------------------------------------------------------------

def test_hypertension_needs_two_visits_on_different_dates_by_june_30(con):
    assert denominator(con, "bp_controlled", "CBP")
    for person in ("htn_one_visit", "htn_second_visit_july", "htn_two_visits_same_day"):
        assert not denominator(con, person, "CBP"), person


def test_blood_pressure_cpt_ii_and_readings_on_ed_or_inpatient_days_ignored(con):
    assert result(con, "bp_controlled", "CBP")["numerator"]                     # 129/79
    assert result(con, "bp_ed_day_ignored", "CBP")["numerator"]                 # 135/85 counts, ED 140/90 not
    assert not result(con, "bp_pos_21_day_ignored", "CBP")["numerator"]         # 135/90 counts, POS 21 129/79 not


# --- diabetes, eye exams, HbA1c ------------------------------------------------------------------------------

def test_diabetes_from_claims(con):
    for person in ("dm_inpatient_stay", "dm_pos_21", "dm_ed_and_office", "hba1c_no_value"):
        assert denominator(con, person, "GSD") and denominator(con, person, "EED"), person
    for person in ("dm_one_visit", "dm_2023_only"):
        assert not denominator(con, person, "GSD"), person


def test_eye_exam_cpt_counts_only_from_an_eye_care_provider(con):
    assert result(con, "eye_by_optometrist", "EED")["numerator"]
    assert not result(con, "eye_by_internist", "EED")["numerator"]
    assert result(con, "eye_cptii_any_provider", "EED")["numerator"]           # $0 CPT II, any provider


def test_prior_year_exam_counts_only_without_retinopathy(con):
    assert result(con, "eye_2024_no_retinopathy", "EED")["numerator"]
    assert not result(con, "eye_2024_with_retinopathy", "EED")["numerator"]


def test_3072f_counts_only_without_retinopathy_in_my(con):
    assert result(con, "3072F_no_retinopathy", "EED")["numerator"]
    assert not result(con, "3072F_with_retinopathy", "EED")["numerator"]


def test_glycemic_status_from_cpt_ii_lab_values_and_tests_without_a_value(con):
    assert result(con, "hba1c_no_value", "GSD")["numerator"]          # 83036 alone: no result = poor control
    assert not result(con, "hba1c_3044F", "GSD")["numerator"]         # 6.9
    assert not result(con, "hba1c_most_recent", "GSD")["numerator"]   # 9.5 in March, 7.5 in November
    lab = result(con, "hba1c_lab_7_1", "GSD")
    assert not lab["numerator"]
    high = result(con, "hba1c_lab_10_4", "GSD")
    assert high["numerator"] and high["numerator_source_category"] == "supplemental"
    assert not result(con, "hba1c_lab_9_0", "GSD")["numerator"]       # 9.0 is not above 9
    assert result(con, "dm_inpatient_stay", "GSD")["numerator"]       # no assessment at all


def test_supplemental_fhir_condition_and_reading(con):
    assert denominator(con, "htn_fhir_condition", "CBP")             # a supplemental Condition meeting the ecqm rule
    row = result(con, "bp_fhir_reading", "CBP")
    assert row["numerator"] and row["numerator_source_category"] == "supplemental"
    assert row["numerator_source_kind"] == "fhir"


def test_frailty_device_claim_with_advanced_illness_excludes_at_66(con):
    assert outcome(con, "frail_70", "BCS")[1] == "advanced_illness_frailty"


def test_every_plan_member_has_one_row_per_measure_with_the_year(con):
    counts = con.execute("select measure_id, count(*), count(distinct patient_key), min(measurement_year), "
                         "max(measurement_year) from measures.measure_result where program = 'plan' "
                         "group by 1").fetchall()
    members = con.execute("select count(distinct person_id) from staging.eligibility").fetchone()[0]
    assert {c[0] for c in counts} == {"BCS", "COL", "CCS", "CBP", "EED", "GSD", "CIS"}
    assert all(c[1:] == (members, members, 2025, 2025) for c in counts)


def test_enrollment_input_counts_for_the_run_metadata(con):
    Plan.evaluate(con)
    counts = plan_input_counts(con)
    members = con.execute("select count(distinct person_id) from staging.eligibility").fetchone()[0]
    assert counts["plan_members"] == members
    # overlap 1, touch 2, cis_switch_on_2nd 1, tie_medicare 2, tie_medicaid 2, latest_wins 1, hospice_flag 1,
    # hospice_flag_2024 2
    assert counts["segments_merged_into_another"] == 12
    assert counts["claim_members_without_enrollment"] == 1          # no_enrollment
    assert counts["claim_lines_outside_enrollment"] == 1            # the mammogram in mammogram_in_gap's gap
