"""The claims mapping on tiny hand-written staging rows (each rule of plan-program.md section 1), and one
run of the whole pipeline on the public Tuva sample."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.clinical.claims import (ENCOUNTER_ONLY_FILES, claims_input_counts, load_claims, measure_direct_codes,
                                      visit_only_valuesets)
from pipelines.contract import SOURCES
from pipelines.staging.load import ensure_staging_tables

FRAILTY_SYMPTOM = "2.16.840.1.113883.3.464.1003.113.12.1075"
CPT = "http://www.ama-assn.org/go/cpt"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
# A hand-written value set holding the claim codes the fixture expects to become clinical rows. Codes in
# no loaded value set (36415, Z00.00, the NDC-only fill R3) must become none.
TEST_VALUESET = "test.valueset"
OFFICE_VISIT = "2.16.840.1.113883.3.464.1003.101.12.1001"   # a qualifying-visit value set: 99214 only there
TEST_VALUESET_CODES = [
    (CPT, c) for c in ("99213", "99283", "99223", "19303", "83036", "82270", "82274", "92014", "90707")
] + [(ICD10CM, "E11.9"), ("http://www.cms.gov/Medicare/Coding/ICD10", "0HTV0ZZ"),
     ("https://www.nubc.org/CodeSystem/RevenueCodes", "0120"),
     ("http://www.nlm.nih.gov/research/umls/rxnorm", "997223")]


def _insert(con, source: str, rows: list[dict]) -> None:
    ensure_staging_tables(con, SOURCES[source])
    for index, row in enumerate(rows, start=1):
        row = {"_source_file": f"{source}.csv", "_source_row": index, "_loaded_at": datetime(2026, 1, 1),
               **({"_service_month": date(2025, 1, 1)} if SOURCES[source].partitioned else {}), **row}
        names = ", ".join(row)
        con.execute(f"insert into staging.{source} ({names}) values ({', '.join('?' * len(row))})", list(row.values()))


def _line(claim_id, line, day, code=None, person="P1", paid=10.0, **extra) -> dict:
    return {"claim_id": claim_id, "claim_line_number": line, "claim_type": extra.pop("claim_type", "professional"),
            "person_id": person, "claim_start_date": extra.pop("claim_start_date", day),
            "claim_end_date": extra.pop("claim_end_date", day), "claim_line_start_date": day,
            "claim_line_end_date": day, "hcpcs_code": code, "paid_amount": paid, **extra}


D = date


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    for schema in ("staging", "clinical", "measures"):
        con.execute(f"create schema {schema}")
    _insert(con, "eligibility", [
        {"person_id": "P1", "gender": "female", "birth_date": D(1960, 5, 1), "enrollment_start_date": D(2024, 1, 1),
         "enrollment_end_date": D(2024, 12, 31), "payer_type": "commercial", "payer": "Acme"},
        {"person_id": "P1", "gender": "female", "birth_date": D(1960, 5, 1), "enrollment_start_date": D(2025, 1, 1),
         "enrollment_end_date": D(2025, 12, 31), "payer_type": "medicare", "payer": "Acme"},
        {"person_id": "P2", "gender": "male", "birth_date": D(1950, 1, 1), "enrollment_start_date": D(2025, 1, 1),
         "enrollment_end_date": D(2025, 12, 31), "payer_type": "medicaid"},
    ])
    _insert(con, "medical_claim", [
        _line("C1", 1, D(2025, 3, 10), "99213", diagnosis_code_1="E11.9", diagnosis_code_2="r54"),
        _line("C1", 2, D(2025, 3, 10), "3044F", paid=0.0, diagnosis_code_1="E11.9", diagnosis_code_2="r54"),
        _line("C1", 3, D(2025, 3, 10), "83036", diagnosis_code_1="E11.9", diagnosis_code_2="r54"),
        _line("C2", 1, D(2025, 4, 1), "83036"),
        _line("C3", 1, D(2025, 4, 2), "82270", paid=20.0),
        _line("C3", 1, D(2025, 4, 2), "82270", paid=-20.0),
        _line("C4", 1, D(2025, 5, 1), None, claim_type="institutional", bill_type_code="0111",
              revenue_center_code="120", admission_date=D(2025, 5, 1), discharge_date=D(2025, 5, 5),
              claim_end_date=D(2025, 5, 5), discharge_disposition_code="51",
              procedure_code_1="0HTV0ZZ", procedure_date_1=D(2025, 5, 2)),
        _line("C4", 2, D(2025, 5, 2), "3074F", claim_type="institutional", bill_type_code="0111",
              claim_start_date=D(2025, 5, 1), claim_end_date=D(2025, 5, 5)),
        _line("C4", 3, D(2025, 5, 2), "3078F", claim_type="institutional", bill_type_code="0111",
              claim_start_date=D(2025, 5, 1), claim_end_date=D(2025, 5, 5)),
        _line("C5", 1, D(2025, 6, 1), "99283", place_of_service_code="23"),
        _line("C6", 1, D(2025, 7, 1), "3075F", paid=0.0),
        _line("C6", 2, D(2025, 7, 1), "3079F", paid=0.0),
        _line("C6", 3, D(2025, 8, 1), "3077F", paid=0.0),
        _line("C7", 1, D(2025, 2, 1), "19303", hcpcs_modifier_2="RT"),
        _line("C8", 1, D(2025, 9, 1), "82274"),
        _line("C8", 2, D(2025, 9, 1), "92014"),
        _line("C9", 1, D(2025, 10, 1), "90707"),
        _line("C10", 1, D(2025, 1, 10), "99223", person="P2", place_of_service_code="21"),
        _line("C11", 1, D(2025, 3, 12), "36415", diagnosis_code_1="Z00.00"),
        _line("C12", 1, D(2025, 3, 13), "99211", diagnosis_code_1="Z00.00"),
        _line("C13", 1, D(2025, 3, 14), "99214"),
        _line("C14", 1, D(2025, 3, 15), "99213", diagnosis_code_type="icd-10-pcs", diagnosis_code_1="E11.9"),
        _line("C15", 1, D(2025, 3, 16), "99213", diagnosis_code_type="icd-9-cm", diagnosis_code_1="E11.9"),
    ])
    _insert(con, "pharmacy_claim", [
        {"claim_id": "R1", "claim_line_number": 1, "person_id": "P1", "dispensing_date": D(2025, 3, 1),
         "ndc_code": "00002143380", "rxnorm_code": "997223", "days_supply": 30, "quantity": 30.0, "paid_amount": 5.0},
        {"claim_id": "R2", "claim_line_number": 1, "person_id": "P1", "dispensing_date": D(2025, 4, 1),
         "ndc_code": "00002143380", "days_supply": 30, "paid_amount": 5.0},
        {"claim_id": "R2", "claim_line_number": 1, "person_id": "P1", "dispensing_date": D(2025, 4, 1),
         "ndc_code": "00002143380", "days_supply": 30, "paid_amount": -5.0},
        {"claim_id": "R3", "claim_line_number": 1, "person_id": "P1", "dispensing_date": D(2025, 5, 1),
         "ndc_code": "00002143380", "days_supply": 30, "paid_amount": 5.0},
    ])
    _insert(con, "lab_result", [
        {"lab_result_id": "L1", "person_id": "P1", "normalized_component_type": "loinc",
         "normalized_component_code": "4548-4", "result": "7.2", "normalized_units": "%",
         "collection_datetime": datetime(2025, 11, 1, 9, 30)},
        {"lab_result_id": "L2", "person_id": "P1", "source_component_type": "LOINC",
         "source_component_code": "57905-2", "result": "negative", "result_datetime": datetime(2025, 11, 2, 8)},
    ])
    _insert(con, "immunization", [
        {"immunization_id": "I1", "person_id": "P2", "normalized_code_type": "cvx", "normalized_code": "08",
         "status": "completed", "occurrence_date": D(2025, 1, 1)},
    ])
    con.execute("create table measures.valueset_code (valueset_oid varchar, code_system varchar, code varchar, "
                "code_normalized varchar)")
    con.execute("insert into measures.valueset_code values (?, 'http://hl7.org/fhir/sid/icd-10-cm', 'R54', 'R54')",
                [FRAILTY_SYMPTOM])
    con.execute("insert into measures.valueset_code values (?, ?, '99214', '99214'), (?, ?, '99213', '99213')",
                [OFFICE_VISIT, CPT, OFFICE_VISIT, CPT])
    for system, code in TEST_VALUESET_CODES:
        con.execute("insert into measures.valueset_code values (?, ?, ?, upper(replace(?, '.', '')))",
                    [TEST_VALUESET, system, code, code])
    # A FHIR row the claims mapping must leave alone.
    from pipelines.clinical.model import create_clinical_tables
    create_clinical_tables(con)
    con.execute("insert into clinical.patient (row_id, patient_key, source_kind, resource_id, gender) "
                "values (1, 'F1', 'fhir', 'F1', 'female')")
    load_claims(con)
    yield con
    con.close()


def rows(con, sql: str, params=None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def codes(con, row_id: int, element: str = "code") -> set[tuple]:
    return set(rows(con, "select code_system, code_normalized from clinical.coding where row_id = ? and element = ?",
                    [row_id, element]))


def one(con, table: str, resource_id: str, columns: str = "row_id") -> tuple:
    found = rows(con, f"select {columns} from clinical.{table} where resource_id = ?", [resource_id])
    assert len(found) == 1, (table, resource_id, found)
    return found[0]


def test_patients_and_coverage_from_eligibility(con):
    assert rows(con, "select patient_key, gender, birth_date from clinical.patient where source_kind = 'eligibility' "
                     "order by 1") == [("P1", "female", D(1960, 5, 1)), ("P2", "male", D(1950, 1, 1))]
    coverage = rows(con, "select row_id, start_lo, end_hi from clinical.coverage where patient_key = 'P1' order by 2")
    assert [(c[1], c[2]) for c in coverage] == [
        (datetime(2024, 1, 1), datetime(2024, 12, 31, 23, 59, 59, 999000)),
        (datetime(2025, 1, 1), datetime(2025, 12, 31, 23, 59, 59, 999000))]
    assert ("https://hmoqa.dev/CodeSystem/payer-type", "MEDICARE") in codes(con, coverage[1][0], "type")


def test_a_line_whose_code_a_value_set_holds_is_an_encounter_candidate_finished_on_its_dates(con):
    row_id, status, cls, start_lo, end_hi = one(con, "encounter", "C1#1", "row_id, status, class_code, start_lo, end_hi")
    assert (status, cls, start_lo, end_hi) == ("finished", "AMB", datetime(2025, 3, 10),
                                               datetime(2025, 3, 10, 23, 59, 59, 999000))
    assert codes(con, row_id) == {(CPT, "99213")}
    assert codes(con, one(con, "encounter", "C7#1")[0]) == {(CPT, "19303")}


def test_reversed_lines_are_dropped_both_and_zero_paid_lines_count(con):
    assert rows(con, "select count(*) from clinical.record_lineage where resource_id like 'C3#%'") == [(0,)]
    assert rows(con, "select count(*) from clinical.medication_dispense where resource_id = 'R2#1'") == [(0,)]
    assert one(con, "observation", "C1#2", "status") == ("final",)   # CPT II 3044F billed at $0


def test_input_counts_for_the_run_metadata(con):
    counts = claims_input_counts(con)
    assert counts["medical_claim_lines"] == 23
    assert counts["reversal_lines"] == 1                          # C3 line 1 at -20
    assert counts["lines_dropped_with_their_reversal"] == 2       # the reversal and the line it reverses
    assert counts["line_codes_no_measure_can_match"] == 1         # 36415 (C11); 99211 is CIS's direct code
    assert counts["modifier_slot_2"] == 1                         # C7's RT
    assert [counts[f"modifier_slot_{n}"] for n in (1, 3, 4, 5)] == [0, 0, 0, 0]


def test_inpatient_stay_from_admission_to_discharge_with_hospice_disposition(con):
    row_id, cls, start_lo, end_hi = one(con, "encounter", "C4#inpatient", "row_id, class_code, start_lo, end_hi")
    assert (cls, start_lo, end_hi) == ("IMP", datetime(2025, 5, 1), datetime(2025, 5, 5, 23, 59, 59, 999000))
    assert codes(con, row_id) == {("http://snomed.info/sct", "32485007")}
    assert ("http://snomed.info/sct", "428371000124100") in codes(con, row_id, "discharge_disposition")
    assert one(con, "encounter", "C4#1", "class_code") == ("IMP",)   # revenue code 0120 line
    # professional claim in place of service 21: the professional side of a stay
    assert one(con, "encounter", "C10#inpatient", "patient_key, class_code") == ("P2", "IMP")


def test_emergency_visit(con):
    row_id, cls = one(con, "encounter", "C5#emergency", "row_id, class_code")
    assert cls == "EMER" and codes(con, row_id) == {("http://snomed.info/sct", "4525004")}
    assert one(con, "encounter", "C5#1", "class_code") == ("EMER",)


def test_each_diagnosis_is_a_confirmed_active_condition_for_the_claim_period(con):
    found = rows(con, "select c.clinical_status, c.verification_status, c.start_lo, c.end_hi, g.code_normalized "
                      "from clinical.condition as c join clinical.coding as g using (row_id) "
                      "where c.resource_id like 'C1#%' and g.element = 'code' order by 5")
    assert found == [("active", "confirmed", datetime(2025, 3, 10), datetime(2025, 3, 10, 23, 59, 59, 999000), code)
                     for code in ("E119", "R54")]   # once per claim, normalised, not once per line
    category = rows(con, "select distinct g.code from clinical.condition join clinical.coding as g using (row_id) "
                         "where g.element = 'category'")
    assert category == [("encounter-diagnosis",)]


def test_diagnoses_are_icd10_cm_unless_typed_icd9_even_when_mislabelled_pcs(con):
    assert rows(con, "select resource_id from clinical.condition where resource_id like 'C14#%' or resource_id "
                     "like 'C15#%'") == [("C14#dx#E119",)]


def test_frailty_symptom_diagnosis_is_also_an_observation(con):
    found = rows(con, "select o.status, g.code_normalized from clinical.observation as o "
                      "join clinical.coding as g using (row_id) where o.resource_id like 'C1#dx#%#symptom'")
    assert found == [("final", "R54")]


def test_procedures_from_line_codes_and_icd10_pcs_with_laterality_modifier(con):
    row_id, status, start_lo = one(con, "procedure", "C7#1", "row_id, status, start_lo")
    assert (status, start_lo) == ("completed", datetime(2025, 2, 1))
    assert codes(con, row_id, "modifier") == {("https://hmoqa.dev/CodeSystem/claim-modifier", "RT")}
    assert codes(con, row_id, "body_site") == {("http://snomed.info/sct", "24028007")}
    pcs = rows(con, "select p.start_lo, g.code_system, g.code_normalized from clinical.procedure as p "
                    "join clinical.coding as g using (row_id) where p.resource_id like 'C4#pcs#%'")
    assert pcs == [(datetime(2025, 5, 2), "http://www.cms.gov/Medicare/Coding/ICD10", "0HTV0ZZ")]


def test_cpt2_hba1c_has_its_stand_in_value_and_suppresses_the_same_day_test_code(con):
    row_id, value_type, value, unit, cat = one(
        con, "observation", "C1#2", "row_id, value_type, value_quantity, value_unit, status")
    assert (value_type, value, unit, cat) == ("Quantity", 6.9, "%", "final")
    assert codes(con, row_id) == {(CPT, "3044F"), ("http://loinc.org", "4548-4")}
    assert codes(con, row_id, "category") == {("http://terminology.hl7.org/CodeSystem/observation-category",
                                                "LABORATORY")}
    assert rows(con, "select count(*) from clinical.observation where resource_id = 'C1#3'") == [(0,)]
    # 83036 alone: an assessment without a result
    assert one(con, "observation", "C2#1", "value_type, value_quantity, value_text") == (None, None, None)


def test_blood_pressure_day_needs_both_values_and_points_at_an_inpatient_stay(con):
    readings = rows(con, "select o.row_id, o.start_lo, o.encounter_id from clinical.observation as o "
                         "where o.resource_id like 'bp#%' order by 2")
    assert [(r[1], r[2]) for r in readings] == [(datetime(2025, 5, 2), "C4#inpatient"), (datetime(2025, 7, 1), None)]
    outpatient = readings[1][0]
    assert ("http://loinc.org", "85354-9") in codes(con, outpatient)
    assert rows(con, "select code_normalized, value_quantity, value_unit from clinical.observation_component "
                     "where row_id = ? order by 1", [outpatient]) == [("8462-4", 85.0, "mm[Hg]"),
                                                                      ("8480-6", 135.0, "mm[Hg]")]


def test_screening_test_known_from_a_claim_has_a_result_and_eye_exam_is_an_exam(con):
    fobt, value_type, text = one(con, "observation", "C8#1", "row_id, value_type, value_text")
    assert value_type == "String" and text is not None
    assert {c for _, c in codes(con, fobt, "category")} == {"LABORATORY"}
    eye = one(con, "observation", "C8#2")[0]
    assert {c for _, c in codes(con, eye, "category")} == {"EXAM"}


def test_claim_codes_no_measure_can_match_become_no_rows(con):
    # 36415 and Z00.00 are in no loaded value set; R3 is an NDC-only fill (no value set holds an NDC)
    assert rows(con, "select count(*) from clinical.record_lineage where resource_id like 'C11#%'") == [(0,)]
    assert rows(con, "select count(*) from clinical.condition where resource_id like '%#dx#Z0000'") == [(0,)]
    assert rows(con, "select count(*) from clinical.medication_dispense where resource_id = 'R3#1'") == [(0,)]
    assert rows(con, "select count(*) from clinical.medication_request where resource_id = 'R3#1'") == [(0,)]
    # a CPT II result code in no value set still becomes its valued observation, but no candidate rows
    assert rows(con, "select count(*) from clinical.record_lineage where resource_id = 'C6#1'") == [(0,)]


def test_a_code_only_visit_value_sets_hold_is_an_encounter_and_nothing_else(con):
    row_id = one(con, "encounter", "C13#1")[0]
    assert codes(con, row_id) == {(CPT, "99214")}
    assert rows(con, "select count(*) from clinical.record_lineage where resource_id = 'C13#1'") == [(1,)]
    # 99213 is also in a value set that is not a visit value set: all three candidates
    assert rows(con, "select resource_type from clinical.record_lineage where resource_id = 'C1#1' "
                     "order by 1") == [("Encounter",), ("Observation",), ("Procedure",)]


def test_visit_value_sets_are_matched_against_encounters_only_in_the_measure_sql():
    from pipelines.duck import SQL_DIR
    from pipelines.measures.catalog import OID_LITERAL

    visit = set(visit_only_valuesets())
    assert OFFICE_VISIT in visit and len(visit) >= 7
    named = set()
    for name in ENCOUNTER_ONLY_FILES:
        text = (SQL_DIR / "measures" / name).read_text()
        named |= set(OID_LITERAL.findall(text))
        # a file here either reads encounters or only lists the visit value sets (plan/outpatient_visit_code)
        assert "clinical.encounter" in text or "clinical." not in text, name
        for other in ("clinical.procedure", "clinical.observation", "clinical.immunization", "lab_test_with_result"):
            assert other not in text, (name, other)
    assert OFFICE_VISIT in named and visit <= named


def test_a_direct_code_of_a_measure_maps_without_a_value_set(con):
    row_id = one(con, "encounter", "C12#1")[0]   # CPT 99211 (CIS qualifying encounter, measures.md 3.7)
    assert codes(con, row_id) == {(CPT, "99211")}


def test_measure_direct_codes_cover_every_direct_code_comparison_in_the_measure_sql():
    import re

    from pipelines.duck import SQL_DIR

    direct = set(measure_direct_codes())
    compared = {pair for path in (SQL_DIR / "measures").rglob("*.sql") for pair in re.findall(
        r"element = 'code'\s+and (?:\w+\.)?code_system = '([^']+)'\s+and (?:\w+\.)?code_normalized = '([^']+)'",
        path.read_text())}
    assert len(compared) >= 5 and compared <= direct, compared - direct
    assert (CPT, "99211") in direct


def test_a_supplement_code_maps_when_the_supplement_is_loaded():
    from pipelines.terminology.supplements import create_supplement_table

    con = duckdb.connect()
    con.execute("create schema staging")
    con.execute("create schema measures")
    _insert(con, "medical_claim", [_line("M1", 1, D(2025, 6, 1), "77067")])   # screening mammography
    load_claims(con)
    assert rows(con, "select count(*) from clinical.observation") == [(0,)]
    create_supplement_table(con)
    con.execute("insert into measures.valueset_supplement (valueset_oid, code_system, code, supplement_version) "
                "values ('2.16.840.1.113883.3.464.1003.108.12.1018', ?, '77067', 'test')", [CPT])
    load_claims(con)
    assert rows(con, "select resource_id, value_text from clinical.observation") == [("M1#1", "performed (claim)")]


def test_lab_results_are_final_laboratory_observations(con):
    assert one(con, "observation", "L1", "source_kind, status, value_type, value_quantity, value_unit, start_lo") == (
        "lab", "final", "Quantity", 7.2, "%", datetime(2025, 11, 1))
    assert one(con, "observation", "L2", "value_type, value_text") == ("String", "negative")


def test_pharmacy_fill_is_a_dispense_and_an_active_order(con):
    dispense, d_end = one(con, "medication_dispense", "R1#1", "row_id, end_hi")
    assert d_end == datetime(2025, 3, 30, 23, 59, 59, 999000)
    assert codes(con, dispense) == {("http://hl7.org/fhir/sid/ndc", "00002143380"),
                                    ("http://www.nlm.nih.gov/research/umls/rxnorm", "997223")}
    assert one(con, "medication_request", "R1#1", "status, intent, start_lo, end_hi, days_supplied") == (
        "active", "order", datetime(2025, 3, 1), datetime(2025, 3, 30, 23, 59, 59, 999000), 30.0)


def test_immunizations_from_cvx_source_and_cpt_vaccine_lines(con):
    row_id, kind, status = one(con, "immunization", "I1", "row_id, source_kind, status")
    assert (kind, status) == ("immunization", "completed")
    assert codes(con, row_id) == {("http://hl7.org/fhir/sid/cvx", "08")}
    row_id, kind = one(con, "immunization", "C9#1", "row_id, source_kind")
    assert kind == "claims" and codes(con, row_id) == {(CPT, "90707")}


def test_lineage_on_every_row_and_reload_replaces_without_touching_fhir(con):
    assert rows(con, "select count(*) from clinical.record_lineage where source_kind <> 'fhir' "
                     "and (source_file is null or source_row is null)") == [(0,)]
    assert one(con, "encounter", "C1#3", "source_file, source_row") == ("medical_claim.csv", "3")
    before = rows(con, "select source_kind, count(*) from clinical.record_lineage group by 1 order by 1")
    codings_before = rows(con, "select count(*) from clinical.coding")
    load_claims(con)
    assert rows(con, "select source_kind, count(*) from clinical.record_lineage group by 1 order by 1") == before
    assert rows(con, "select count(*) from clinical.coding") == codings_before
    assert rows(con, "select patient_key from clinical.patient where source_kind = 'fhir'") == [("F1",)]
    assert rows(con, "select count(*) from (select row_id from clinical.record_lineage group by 1 "
                     "having count(*) > 1)") == [(0,)]


def test_tuva_sample_through_the_pipeline_fills_the_clinical_model_with_claims_lineage(tuva_sample_dir, shared_dir,
                                                                                       tmp_path):
    from pipelines.resources import Settings
    from pipelines.runner import run_pipeline

    db_path = tmp_path / "hmoqa.duckdb"
    # The published expansions, configured explicitly (unconfigured would mean the starter code list).
    run_pipeline(Settings(landing_dir=Path(tuva_sample_dir), db_path=db_path, output_dir=tmp_path / "out",
                          valuesets_dir=shared_dir / "valuesets"),
                 measurement_years=[2018])
    with duckdb.connect(str(db_path), read_only=True) as db:
        by_kind = dict(db.execute("select resource_type || '/' || source_kind, count(*) from clinical.record_lineage "
                                  "group by 1").fetchall())
        for key in ("Patient/eligibility", "Coverage/eligibility", "Encounter/claims", "Condition/claims",
                    "Procedure/claims", "Observation/claims"):
            assert by_kind.get(key, 0) > 0, (key, by_kind)
        # Tuva fills carry NDCs only and no value set holds an NDC (no crosswalk ships): no dispense rows
        assert db.execute("select count(*) from staging.pharmacy_claim").fetchone()[0] > 0
        assert by_kind.get("MedicationDispense/claims", 0) == 0
        members = db.execute("select count(distinct person_id) from staging.eligibility").fetchone()[0]
        assert by_kind["Patient/eligibility"] == members
        # every claims row points back at a staged medical-claim row
        unmatched = db.execute(
            "select count(*) from clinical.encounter as e where e.source_kind = 'claims' and not exists ("
            "select 1 from staging.medical_claim as m where m._source_file = e.source_file "
            "and m._source_row::varchar = e.source_row)").fetchone()[0]
        assert unmatched == 0
        results = db.execute("select measure_id, count(*) from measures.measure_result "
                             "where program = 'ecqm' and year(period_start) = 2018 group by 1").fetchall()
        assert {m for m, _ in results} == {"BCS", "COL", "CCS", "CBP", "EED", "GSD", "CIS"}
        assert all(n == members for _, n in results)


def test_a_missing_staging_table_maps_to_no_rows_and_the_rest_still_loads():
    con = duckdb.connect()
    con.execute("create schema staging")
    _insert(con, "immunization", [
        {"immunization_id": "I9", "person_id": "P9", "normalized_code_type": "cvx", "normalized_code": "08",
         "occurrence_date": D(2025, 2, 3)}])
    inserted = load_claims(con)
    assert inserted["claims_immunization"] == 1 and inserted["claims_encounter"] == 0
    assert rows(con, "select patient_key, status from clinical.immunization") == [("P9", "completed")]


def test_claims_alone_drive_cbp_readings_inpatient_exclusion_and_hospice_discharge(shared_dir):
    """End to end through the engine: an outpatient CPT II reading day (135/85) is controlled; a later
    reading during an inpatient stay (140/90) does not count; a discharge to hospice (51) excludes."""
    from pipelines.measures.engine import evaluate, set_year_subjects
    from pipelines.terminology.valuesets import create_valueset_tables, load_valuesets

    con = duckdb.connect()
    con.execute("create schema staging")
    create_valueset_tables(con)
    load_valuesets(con, shared_dir / "valuesets")
    _insert(con, "eligibility", [
        {"person_id": person, "gender": "female", "birth_date": D(1960, 5, 1), "enrollment_start_date": D(2025, 1, 1),
         "enrollment_end_date": D(2025, 12, 31), "payer_type": "commercial"} for person in ("P1", "P2")])
    stay = {"claim_type": "institutional", "bill_type_code": "111", "claim_start_date": D(2025, 10, 1),
            "claim_end_date": D(2025, 10, 3), "admission_date": D(2025, 10, 1), "discharge_date": D(2025, 10, 3)}
    _insert(con, "medical_claim", [
        _line("V1", 1, D(2025, 3, 1), "99213", diagnosis_code_1="I10"),
        _line("B1", 1, D(2025, 7, 1), "3075F", paid=0.0),
        _line("B1", 2, D(2025, 7, 1), "3079F", paid=0.0),
        _line("S1", 1, D(2025, 10, 2), "3077F", **stay),
        _line("S1", 2, D(2025, 10, 2), "3080F", **stay),
        _line("V2", 1, D(2025, 3, 1), "99213", person="P2", diagnosis_code_1="I10"),
        _line("H2", 1, D(2025, 11, 1), None, person="P2", revenue_center_code="0120",
              **{**stay, "claim_start_date": D(2025, 11, 1), "claim_end_date": D(2025, 11, 4),
                 "admission_date": D(2025, 11, 1), "discharge_date": D(2025, 11, 4),
                 "discharge_disposition_code": "51"}),
    ])
    load_claims(con)
    set_year_subjects(con, 2025)
    evaluate(con, ["CBP"])
    assert rows(con, "select patient_key, initial_population, denominator_exclusion, exclusion_reason, numerator, "
                     "numerator_source_kind, numerator_date from measures.measure_result order by 1") == [
        ("P1", True, False, None, True, "claims", D(2025, 7, 1)),
        ("P2", True, True, "hospice", False, None, None)]
