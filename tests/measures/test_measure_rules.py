"""Rules of measures.md that the CMS cases do not exercise, on hand-written cases."""

from pathlib import Path

from tests.measures.helpers import (
    ICD10CM, LOINC, SNOMED, UCUM, concept, condition, counts, evaluate_case, immunization,
    observation, office_visit, patient,
)


def test_bcs_date_only_mastectomy_on_the_mp_end_is_uncertain(engine_con, tmp_path: Path):
    base = [patient("1965-05-05"), office_visit()]
    on_boundary = condition(ICD10CM, "Z90.13", "2025-12-31")
    assert counts(evaluate_case(engine_con, tmp_path / "c", "BCS", base + [on_boundary])) == (1, 1, 0, 0)
    day_before = condition(ICD10CM, "Z90.13", "2025-12-30")
    row = evaluate_case(engine_con, tmp_path / "c", "BCS", base + [day_before])
    assert counts(row) == (1, 1, 1, 0) and row["exclusion_reason"] == "bilateral_mastectomy"


def test_bcs_undotted_icd10_and_right_plus_left_items(engine_con, tmp_path: Path):
    right = condition(ICD10CM, "Z9011", "2010-01-01T00:00:00.000Z")   # undotted, normalised like claims
    left_procedure = {"resourceType": "Procedure", "status": "completed",
                      "code": concept("http://www.cms.gov/Medicare/Coding/ICD10", "0HTU0ZZ"),
                      "performedPeriod": {"start": "2012-01-01T00:00:00Z", "end": "2012-01-01T01:00:00Z"}}
    row = evaluate_case(engine_con, tmp_path / "c", "BCS",
                        [patient("1965-05-05"), office_visit(), right, left_procedure])
    assert counts(row) == (1, 1, 1, 0)
    row = evaluate_case(engine_con, tmp_path / "c", "BCS", [patient("1965-05-05"), office_visit(), right])
    assert counts(row) == (1, 1, 0, 0)


def test_time_zone_offsets_are_converted_before_taking_the_date(engine_con, tmp_path: Path):
    # 22:00 at UTC-05:00 on 31 December is 03:00 UTC on 1 January: outside the MP.
    late = office_visit("2025-12-31T22:00:00-05:00", "2025-12-31T22:30:00-05:00")
    assert counts(evaluate_case(engine_con, tmp_path / "c", "BCS", [patient("1965-05-05"), late])) == (0, 0, 0, 0)
    early = office_visit("2026-01-01T01:00:00+05:00", "2026-01-01T01:30:00+05:00")
    assert counts(evaluate_case(engine_con, tmp_path / "c", "BCS", [patient("1965-05-05"), early])) == (1, 1, 0, 0)


def test_partial_birth_date_puts_the_patient_in_no_population(engine_con, tmp_path: Path):
    row = evaluate_case(engine_con, tmp_path / "c", "BCS", [patient("1965"), office_visit()])
    assert counts(row) == (0, 0, 0, 0)
    issue = engine_con.execute("select severity from clinical.load_issue where resource_type = 'Patient'").fetchone()
    assert issue == ("warning",)


def test_col_strata_and_refuted_conditions_still_count(engine_con, tmp_path: Path):
    row = evaluate_case(engine_con, tmp_path / "c", "COL", [patient("1977-06-01", "male"), office_visit()])
    assert counts(row) == (1, 1, 0, 0) and row["stratum"] == "46-49"
    refuted = condition(ICD10CM, "C18.0", "2020-01-01T00:00:00.000Z",
                        verificationStatus=concept("http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                                   "refuted"))
    row = evaluate_case(engine_con, tmp_path / "c", "COL", [patient("1960-06-01", "male"), office_visit(), refuted])
    assert counts(row) == (1, 1, 1, 0) and row["stratum"] == "50-75"
    assert row["exclusion_reason"] == "colorectal_cancer"


def bp_reading(day: str, systolic, diastolic, unit: str = "mm[Hg]", comparator: str | None = None,
               encounter: str | None = None) -> dict:
    def component(code, value):
        quantity = {"value": value, "code": unit, "system": UCUM}
        if comparator:
            quantity["comparator"] = comparator
        return {"code": concept(LOINC, code), **({"valueQuantity": quantity} if value is not None else {})}
    reading = observation(LOINC, "85354-9", f"{day}T09:00:00.000Z",
                          component=[component("8480-6", systolic), component("8462-4", diastolic)])
    if encounter:
        reading["encounter"] = {"reference": f"Encounter/{encounter}"}
    return reading


def cbp_base() -> list[dict]:
    return [patient("1960-01-01", "male"), office_visit(),
            condition(ICD10CM, "I10", "2020-01-01T00:00:00.000Z")]


def test_cbp_lowest_on_the_most_recent_day_with_missing_first(engine_con, tmp_path: Path):
    controlled = cbp_base() + [bp_reading("2025-05-01", 150, 95), bp_reading("2025-06-01", 138, 92),
                               bp_reading("2025-06-01", 145, 85)]
    row = evaluate_case(engine_con, tmp_path / "c", "CBP", controlled)
    assert counts(row) == (1, 1, 0, 1)             # lowest systolic 138 and diastolic 85, same day
    assert str(row["numerator_date"]) == "2025-06-01" and row["numerator_source_kind"] == "fhir"
    missing = cbp_base() + [bp_reading("2025-06-01", 120, 70), bp_reading("2025-06-01", None, 70)]
    assert counts(evaluate_case(engine_con, tmp_path / "c", "CBP", missing)) == (1, 1, 0, 0)
    earlier_lower = cbp_base() + [bp_reading("2025-05-01", 110, 70), bp_reading("2025-06-01", 150, 70)]
    assert counts(evaluate_case(engine_con, tmp_path / "c", "CBP", earlier_lower)) == (1, 1, 0, 0)


def test_cbp_units_comparators_and_unknown_encounters(engine_con, tmp_path: Path):
    mmhg = cbp_base() + [bp_reading("2025-06-01", 120, 70, unit="mmHg", encounter="not-loaded")]
    assert counts(evaluate_case(engine_con, tmp_path / "c", "CBP", mmhg)) == (1, 1, 0, 1)
    row = evaluate_case(engine_con, tmp_path / "c", "CBP", cbp_base() + [bp_reading("2025-06-01", 120, 70,
                                                                                      comparator="<")])
    assert counts(row) == (1, 1, 0, 0) and "comparator" in row["evaluation_error"]
    emergency = {"resourceType": "Encounter", "id": "er", "status": "finished",
                 "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "EMER"},
                 "type": [concept(SNOMED, "4525004")],
                 "period": {"start": "2025-06-01T08:00:00Z", "end": "2025-06-01T12:00:00Z"}}
    in_emergency = cbp_base() + [emergency, bp_reading("2025-06-01", 120, 70, encounter="er")]
    assert counts(evaluate_case(engine_con, tmp_path / "c", "CBP", in_emergency)) == (1, 1, 0, 0)


def hba1c(day: str, value=None, coded: bool = False) -> dict:
    resource = observation(LOINC, "4548-4", f"{day}T08:00:00.000Z", category="laboratory")
    if value is not None:
        resource["valueQuantity"] = {"value": value, "code": "%", "system": UCUM}
    if coded:
        resource["valueCodeableConcept"] = concept(SNOMED, "373066001")
    return resource


def gsd_base() -> list[dict]:
    return [patient("1970-01-01", "male"), office_visit(), condition(ICD10CM, "E11.9", "2015-01-01T00:00:00.000Z")]


def test_gsd_picks_the_lowest_result_of_the_most_recent_day(engine_con, tmp_path: Path):
    two_results = gsd_base() + [hba1c("2025-03-01", 12), hba1c("2025-09-01", 6.5), hba1c("2025-09-01", 10)]
    assert counts(evaluate_case(engine_con, tmp_path / "c", "GSD", two_results)) == (1, 1, 0, 0)
    result_less_first = gsd_base() + [hba1c("2025-09-01"), hba1c("2025-09-01", 10)]
    assert counts(evaluate_case(engine_con, tmp_path / "c", "GSD", result_less_first)) == (1, 1, 0, 1)
    boundary = gsd_base() + [hba1c("2025-09-01", 9.0)]
    assert counts(evaluate_case(engine_con, tmp_path / "c", "GSD", boundary)) == (1, 1, 0, 0)
    elevated = gsd_base() + [hba1c("2025-09-01", 9.1)]
    row = evaluate_case(engine_con, tmp_path / "c", "GSD", elevated)
    assert counts(row) == (1, 1, 0, 1) and row["numerator_code"] == "http://loinc.org|4548-4"
    coded = gsd_base() + [hba1c("2025-09-01", coded=True)]
    assert counts(evaluate_case(engine_con, tmp_path / "c", "GSD", coded)) == (1, 1, 0, 0)
    none_in_2025 = gsd_base() + [hba1c("2024-12-31", 6.0)]
    assert counts(evaluate_case(engine_con, tmp_path / "c", "GSD", none_in_2025)) == (1, 1, 0, 1)


def test_dementia_medication_reference_is_not_followed(engine_con, tmp_path: Path):
    frailty_device = {"resourceType": "DeviceRequest", "status": "active", "intent": "order",
                      "codeCodeableConcept": concept(SNOMED, "183240000"),
                      "authoredOn": "2025-03-01T00:00:00.000Z"}
    medication = {"resourceType": "MedicationRequest", "status": "active", "intent": "order",
                  "authoredOn": "2025-03-01T00:00:00.000Z",
                  "dispenseRequest": {"expectedSupplyDuration": {"value": 30, "code": "d"}}}
    by_code = {**medication, "medicationCodeableConcept": concept("http://www.nlm.nih.gov/research/umls/rxnorm", "312836")}
    by_reference = {**medication, "medicationReference": {"reference": "Medication/m1"}}
    base = [patient("1955-01-01", "male"), office_visit(), frailty_device]
    row = evaluate_case(engine_con, tmp_path / "c", "COL", base + [by_code])
    assert counts(row) == (1, 1, 1, 0) and row["exclusion_reason"] == "advanced_illness_frailty"
    assert counts(evaluate_case(engine_con, tmp_path / "c", "COL", base + [by_reference])) == (1, 1, 0, 0)


def test_nursing_home_ties_go_to_the_latest_update(engine_con, tmp_path: Path):
    def housing(value: str, updated: str) -> dict:
        return observation(LOINC, "71802-3", "2025-05-01T00:00:00.000Z", category="survey",
                           valueCodeableConcept=concept(SNOMED, value), meta={"lastUpdated": updated})
    base = [patient("1950-01-01", "male"), office_visit()]
    newer_nursing_home = [housing("160943002", "2025-05-01T00:00:00Z"), housing("160734000", "2025-05-02T00:00:00Z")]
    row = evaluate_case(engine_con, tmp_path / "c", "COL", base + newer_nursing_home)
    assert row["exclusion_reason"] == "nursing_home"
    newer_home = [housing("160943002", "2025-05-03T00:00:00Z"), housing("160734000", "2025-05-02T00:00:00Z")]
    assert counts(evaluate_case(engine_con, tmp_path / "c", "COL", base + newer_home)) == (1, 1, 0, 0)


# A child born 2023-03-01 with every antigen complete (CVX codes from the value sets of 3.7).
COMPLETE_SCHEDULE = {
    "20": ["2023-05-01", "2023-07-01", "2023-09-01", "2024-06-01"],       # DTaP x4
    "10": ["2023-05-01", "2023-07-01", "2023-09-01"],                     # IPV x3
    "03": ["2024-04-01"],                                                 # MMR
    "17": ["2023-05-01", "2023-07-01", "2023-09-01"],                     # Hib 3-dose schedule x3
    "08": ["2023-03-02", "2023-05-01", "2023-09-01"],                     # hepatitis B x3
    "21": ["2024-04-01"],                                                 # varicella
    "133": ["2023-05-01", "2023-07-01", "2023-09-01", "2024-04-01"],      # PCV x4
    "83": ["2024-04-01"],                                                 # hepatitis A
    "119": ["2023-05-01", "2023-07-01"],                                  # rotavirus 2-dose x2
    "88": ["2023-10-01", "2023-11-01"],                                   # influenza x2
}


def child(schedule: dict[str, list[str]]) -> list[dict]:
    visit = office_visit(code="99392")
    return [patient("2023-03-01"), visit] + [
        immunization(cvx, f"{day}T10:00:00.000Z") for cvx, days in schedule.items() for day in days]


def test_cis_complete_child_and_the_hib_four_dose_rule(engine_con, tmp_path: Path):
    row = evaluate_case(engine_con, tmp_path / "c", "CIS", child(COMPLETE_SCHEDULE))
    assert counts(row) == (1, 1, 0, 1)
    four_dose = {**COMPLETE_SCHEDULE, "17": ["2023-05-01", "2023-07-01"], "48": ["2023-09-01"]}
    assert counts(evaluate_case(engine_con, tmp_path / "c", "CIS", child(four_dose))) == (1, 1, 0, 0)
    four_dose["48"] = ["2023-09-01", "2024-04-01"]
    assert counts(evaluate_case(engine_con, tmp_path / "c", "CIS", child(four_dose))) == (1, 1, 0, 1)


def test_cis_same_day_doses_count_once_and_windows_apply(engine_con, tmp_path: Path):
    same_day = {**COMPLETE_SCHEDULE, "20": ["2023-05-01", "2023-07-01", "2023-09-01", "2023-09-01"]}
    assert counts(evaluate_case(engine_con, tmp_path / "c", "CIS", child(same_day))) == (1, 1, 0, 0)
    too_early_mmr = {**COMPLETE_SCHEDULE, "03": ["2024-02-28"]}            # before the first birthday
    assert counts(evaluate_case(engine_con, tmp_path / "c", "CIS", child(too_early_mmr))) == (1, 1, 0, 0)
    newborn = {k: v for k, v in COMPLETE_SCHEDULE.items()}
    newborn["08"] = ["2023-05-01", "2023-09-01"]
    newborn_procedure = {"resourceType": "Procedure", "status": "completed",
                         "code": concept("http://www.cms.gov/Medicare/Coding/ICD10", "3E0234Z"),
                         "performedDateTime": "2023-03-03T10:00:00.000Z"}
    assert counts(evaluate_case(engine_con, tmp_path / "c", "CIS", child(newborn))) == (1, 1, 0, 0)
    assert counts(evaluate_case(engine_con, tmp_path / "c", "CIS",
                                child(newborn) + [newborn_procedure])) == (1, 1, 0, 1)
