-- Encounters from medical claims (plan-program.md 1 "Encounter"). Every line with a code is an
-- encounter candidate on its service dates: the value-set match decides which lines are visits.
-- A claim meeting the inpatient-stay rule is also one stay from admission to discharge, and one meeting
-- the emergency rule one emergency visit; their lines carry the same class, so readings on them are
-- recognised as inpatient / emergency.
create or replace temp table claims_encounter as
with line_encounter as (
    select patient_key, source_file, source_row,
        claim_id || '#' || claim_line_number as resource_id,
        case when is_inpatient_stay then 'IMP' when is_emergency_visit then 'EMER' else 'AMB' end as class_code,
        service_start as start_date, service_end as end_date,
        list_filter([claim_coding('code', line_code_system, hcpcs_code),
                     claim_coding('code', 'https://www.nubc.org/CodeSystem/RevenueCodes', revenue_code)],
                    c -> c.code is not null) as codings
    from claims_line
    where hcpcs_code is not null or revenue_code is not null
),
claim_period as (
    select claim_id, patient_key,
        arg_min(source_file, claim_line_number) as source_file,
        arg_min(source_row, claim_line_number) as source_row,
        coalesce(min(admission_date), min(claim_start_date)) as admission_date,
        coalesce(max(discharge_date), max(claim_end_date)) as discharge_date,
        min(claim_start_date) as claim_start_date,
        max(claim_end_date) as claim_end_date,
        max(discharge_disposition_code) as discharge_disposition_code,
        bool_or(is_inpatient_stay) as is_inpatient_stay,
        bool_or(is_emergency_visit) as is_emergency_visit
    from claims_line
    group by claim_id, patient_key
),
inpatient_stay as (
    select patient_key, source_file, source_row, claim_id || '#inpatient' as resource_id, 'IMP' as class_code,
        admission_date as start_date, discharge_date as end_date,
        list_filter([
            claim_coding('code', 'http://snomed.info/sct', '32485007'),            -- hospital admission
            claim_coding('discharge_disposition', 'https://www.nubc.org/CodeSystem/PatDischargeStatus',
                         discharge_disposition_code),
            -- 50 hospice at home, 51 hospice in a medical facility: the SNOMED dispositions of measures.md 2.2
            claim_coding('discharge_disposition', 'http://snomed.info/sct',
                         case lpad(discharge_disposition_code, 2, '0')
                              when '50' then '428361000124107' when '51' then '428371000124100' end)
        ], c -> c.code is not null) as codings
    from claim_period
    where is_inpatient_stay
),
emergency_visit as (
    select patient_key, source_file, source_row, claim_id || '#emergency' as resource_id, 'EMER' as class_code,
        claim_start_date as start_date, claim_end_date as end_date,
        [claim_coding('code', 'http://snomed.info/sct', '4525004')] as codings   -- emergency department patient visit
    from claim_period
    where is_emergency_visit
),
claim_encounter as (
    select * from line_encounter
    union all by name select * from inpatient_stay
    union all by name select * from emergency_visit
)
select
    $first_row_id + row_number() over () - 1 as row_id,
    patient_key,
    'claims' as source_kind,
    source_file,
    source_row,
    resource_id,
    'finished' as status,
    class_code,
    'http://terminology.hl7.org/CodeSystem/v3-ActCode' as class_system,
    day_start(start_date) as start_lo,
    day_end(start_date) as start_hi,
    day_start(end_date) as end_lo,
    day_end(end_date) as end_hi,
    codings
from claim_encounter
