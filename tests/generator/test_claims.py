"""Medical claim lines: volume, real codes for every measure, institutional detail, reversals, networks."""

from __future__ import annotations

from tests.generator.support import (CLEAN_CLAIMS, CLEAN_ELIGIBILITY, CODE, column_set, coverage_days, scalar,
                                     valueset_codes)


def _codes(con, where: str = "true") -> set[str]:
    return column_set(con, f"select distinct {CODE} from {CLEAN_CLAIMS} where {where}")


def _diagnoses(con) -> set[str]:
    return column_set(con, "select distinct upper(replace(d, '.', '')) from (" + " union all ".join(
        f"select diagnosis_code_{i} d from {CLEAN_CLAIMS}" for i in range(1, 5)) + ") where d is not null")


def test_claim_lines_per_member_year_between_12_and_20(con, manifest):
    member_years = sum(coverage_days(con).values()) / 365.25
    assert abs(member_years - manifest["member_years"]) / member_years < 0.01
    lines = scalar(con, f"select count(*) from {CLEAN_CLAIMS}")
    assert 12 <= lines / member_years <= 20
    assert 12 <= manifest["medical_claim_lines_per_member_year"] <= 20


def test_claims_fall_inside_enrollment(con):
    outside = scalar(con, f"""
        select count(*) from {CLEAN_CLAIMS} c where not exists (
            select 1 from ({CLEAN_ELIGIBILITY}) e where e.person_id = c.person_id
            and cast(c.claim_start_date as date) between cast(e.enrollment_start_date as date)
                                                     and cast(e.enrollment_end_date as date))""")
    assert outside == 0


def test_screening_and_result_codes_of_every_measure_are_billed(con):
    codes = _codes(con)
    expected = {"77067", "45378", "82274", "81528", "74263", "88175", "87624", "92014", "92250", "83036",
                "3044F", "3051F", "3052F", "3046F", "3074F", "3075F", "3077F", "3078F", "3079F", "3080F",
                "3072F", "19303", "E0130", "G0438"}
    assert expected <= codes, expected - codes
    assert codes & {"2022F", "2024F", "2026F"}  # eye exam with retinopathy
    assert codes & {"2023F", "2025F", "2033F"}  # eye exam without retinopathy
    assert scalar(con, f"select count(*) from {CLEAN_CLAIMS} where {CODE} like '____F' and paid_amount != 0") == 0


def test_codes_come_from_the_measure_value_sets(con, shared_dir):
    codes = _codes(con)
    diagnoses = _diagnoses(con)
    for name in ("OfficeVisit", "PreventiveCareServicesEstablishedOfficeVisit,18andUp",
                 "PreventiveCare,EstablishedOfficeVisit,0to17", "TelephoneVisits", "VirtualEncounter",
                 "DTaPVaccineAdministered", "InactivatedPolioVaccine(IPV)Administered",
                 "Measles,MumpsandRubella(MMR)VaccineAdministered", "HepatitisBVaccineAdministered",
                 "VaricellaZosterVaccine(VZV)Administered", "PneumococcalConjugateVaccineAdministered",
                 "HepatitisAVaccineAdministered", "RotavirusVaccine(2doseschedule)Administered",
                 "ChildInfluenzaVaccineAdministered", "Colonoscopy"):
        assert codes & valueset_codes(shared_dir, name), name
    for name in ("EssentialHypertension", "Diabetes", "DiabeticRetinopathy", "AdvancedIllness",
                 "FrailtyDiagnosis", "FrailtySymptom", "Pregnancy"):
        assert diagnoses & valueset_codes(shared_dir, name), name
    assert {"9028", "90647"} & codes or {"90648", "90647"} <= codes  # both Hib products


def test_emergency_visits_have_pos_23_and_ed_revenue_codes(con):
    assert scalar(con, f"select count(*) from {CLEAN_CLAIMS} where {CODE} between '99281' and '99285' "
                       f"and place_of_service_code = '23'") > 0
    assert scalar(con, f"select count(*) from {CLEAN_CLAIMS} where claim_type = 'institutional' "
                       f"and revenue_center_code between '0450' and '0459'") > 0


def test_inpatient_stays_are_complete_and_include_readmissions_and_hospice_discharges(con):
    stays = f"""(select claim_id, person_id, cast(admission_date as date) a, cast(discharge_date as date) d,
                        any_value(drg_code) drg, any_value(discharge_disposition_code) disposition
                 from {CLEAN_CLAIMS} where bill_type_code = '111' group by all)"""
    assert scalar(con, f"select count(*) from {stays}") > 20
    assert scalar(con, f"select count(*) from {stays} where a is null or d is null or d < a or drg is null") == 0
    assert scalar(con, f"""select count(*) from {CLEAN_CLAIMS} where bill_type_code = '111'
                           and revenue_center_code between '0100' and '0219'""") > 0
    assert scalar(con, f"select count(*) from {stays} where disposition in ('50', '51')") > 0
    readmissions = scalar(con, f"""select count(*) from {stays} s1 join {stays} s2
                                   on s1.person_id = s2.person_id and s2.a > s1.d and s2.a <= s1.d + 30""")
    assert readmissions > 0


def test_hospice_frailty_mastectomy_and_modifiers(con):
    assert scalar(con, f"select count(*) from {CLEAN_CLAIMS} where revenue_center_code = '0651' "
                       f"and bill_type_code like '81_'") > 0
    assert scalar(con, f"select count(*) from {CLEAN_CLAIMS} where {CODE} like 'E0%'") > 0
    assert scalar(con, f"select count(*) from {CLEAN_CLAIMS} where {CODE} = '19303' "
                       f"and '50' in (hcpcs_modifier_1, hcpcs_modifier_2, hcpcs_modifier_3)") > 0
    assert scalar(con, f"select count(*) from {CLEAN_CLAIMS} where hcpcs_modifier_2 is not null") > 0
    assert scalar(con, f"select count(*) from {CLEAN_CLAIMS} where hcpcs_modifier_3 is not null") > 0


def test_some_codes_are_untidy_but_valid(con):
    assert scalar(con, f"select count(*) from {CLEAN_CLAIMS} where diagnosis_code_1 ~ '^[A-Z][0-9][0-9A-Z][0-9A-Z]+$' "
                       f"and length(diagnosis_code_1) > 3") > 0    # dot left out
    assert scalar(con, f"select count(*) from {CLEAN_CLAIMS} where diagnosis_code_1 != upper(diagnosis_code_1)") > 0


def test_reversals_repeat_an_earlier_line_with_negative_amounts(con, manifest):
    numbered = "(select *, row_number() over () as position from medical_claim where claim_id not like '%-B%')"
    reversals = scalar(con, f"select count(*) from {numbered} where paid_amount < 0")
    assert reversals == manifest["medical_claim_reversal_lines"] > 0
    matched = scalar(con, f"""select count(*) from {numbered} r join {numbered} o
                              on o.claim_id = r.claim_id and o.claim_line_number = r.claim_line_number
                              and o.paid_amount = -r.paid_amount and o.position < r.position
                              where r.paid_amount < 0""")
    assert matched == reversals


def test_network_flag_agrees_with_the_roster(con):
    disagreements = scalar(con, f"""
        select count(*) from {CLEAN_CLAIMS} c join provider p
          on p.npi = case when c.claim_type = 'institutional' then c.facility_npi else c.rendering_npi end
        where c.in_network_flag != (p.network_status = 'in_network')::int""")
    assert disagreements == 0
    assert scalar(con, f"select count(*) from {CLEAN_CLAIMS} where in_network_flag = 0") > 0
    unknown_npi = scalar(con, f"select count(*) from {CLEAN_CLAIMS} c left join provider p on p.npi = c.rendering_npi "
                              f"where p.npi is null")
    assert unknown_npi == 0


def test_eye_exams_by_cpt_are_rendered_by_eye_care_providers(con):
    specialties = column_set(con, f"""select distinct p.specialty from {CLEAN_CLAIMS} c
                                      join provider p on p.npi = c.rendering_npi
                                      where {CODE} in ('92004', '92014', '92250', '92134')""")
    assert specialties == {"ophthalmology", "optometry"}


def test_children_turning_two_have_vaccine_claims(con):
    vaccinated = scalar(con, f"""select count(distinct c.person_id) from {CLEAN_CLAIMS} c
                                 join ({CLEAN_ELIGIBILITY}) e on e.person_id = c.person_id
                                 where year(cast(e.birth_date as date)) = 2023 and {CODE} = '90700'""")
    assert vaccinated >= 10
