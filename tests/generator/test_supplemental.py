"""Pharmacy claims, lab results and registry immunizations."""

from __future__ import annotations

from tests.generator.support import CLEAN_ELIGIBILITY, column_set, scalar, valueset_codes


def test_pharmacy_claims_have_11_digit_ndcs_and_rxnorm_for_dementia_drugs(con, shared_dir):
    clean = "(select * from pharmacy_claim where claim_id not like '%-B%')"
    assert scalar(con, f"select count(*) from {clean} where not regexp_full_match(ndc_code, '^[0-9]{{11}}$')") == 0
    rxnorm = column_set(con, f"select distinct rxnorm_code from {clean} where rxnorm_code is not null")
    dementia = valueset_codes(shared_dir, "DementiaMedications")
    assert rxnorm & dementia
    assert scalar(con, f"select count(*) from {clean} where days_supply <= 0 or quantity <= 0") == 0
    # Dispensing happens inside enrollment.
    assert scalar(con, f"""select count(*) from {clean} c where not exists (
        select 1 from ({CLEAN_ELIGIBILITY}) e where e.person_id = c.person_id and cast(c.dispensing_date as date)
        between cast(e.enrollment_start_date as date) and cast(e.enrollment_end_date as date))""") == 0


def test_lab_results_carry_hba1c_values_some_above_nine(con):
    clean = "(select * from lab_result where lab_result_id not like '%-B%')"
    a1c = f"{clean} where normalized_component_code = '4548-4'"
    assert scalar(con, f"select count(*) from {a1c} and try_cast(result as double) is null") == 0
    assert scalar(con, f"select count(*) from {a1c} and cast(result as double) > 9") > 0
    assert scalar(con, f"select count(*) from {a1c} and cast(result as double) < 7") > 0
    assert scalar(con, f"select count(*) from {clean} where normalized_component_code = '2093-3'") > 0
    assert scalar(con, f"select count(*) from {clean} where try_cast(result_datetime as timestamp) is null") == 0


def test_registry_immunizations_are_cvx_coded_doses_for_young_children(con, shared_dir):
    clean = "(select * from immunization where immunization_id not like '%-B%')"
    codes = column_set(con, f"select distinct normalized_code from {clean}")
    for name in ("DTaPVaccine", "Measles,MumpsandRubella(MMR)Vaccine", "HepatitisBVaccine"):
        assert codes & valueset_codes(shared_dir, name), name
    assert column_set(con, f"select distinct normalized_code_type from {clean}") == {"cvx"}
    assert column_set(con, f"select distinct status from {clean}") == {"completed"}
    oldest = scalar(con, f"""select max(date_diff('day', cast(e.birth_date as date), cast(i.occurrence_date as date)))
                             from {clean} i join ({CLEAN_ELIGIBILITY}) e using (person_id)""")
    assert oldest <= 2 * 366 + 31
