-- Encounters from medical claims (plan-program.md 1 "Encounter"). A line whose CPT/HCPCS or revenue code
-- some measure can match is an encounter candidate on its service dates (claims_line): the value-set
-- match decides which lines are visits. A claim meeting the inpatient-stay rule is also one stay from
-- admission to discharge, and one meeting the emergency rule one emergency visit (claims_acute_claim);
-- their lines carry the same class, so readings on them are recognised as inpatient / emergency.
create or replace temp table claims_encounter as
with line_encounter as (
    select patient_key, source_file, source_row,
        claim_id || '#' || claim_line_number as resource_id,
        class_code,
        service_start as start_date, service_end as end_date,
        list_filter([claim_coding('code', line_code_system, hcpcs_code),
                     claim_coding('code', 'https://www.nubc.org/CodeSystem/RevenueCodes', revenue_code)],
                    c -> c.code is not null) as codings
    from claims_line
    where hcpcs_is_of_interest or revenue_is_of_interest
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
    from claims_acute_claim
    where is_inpatient_stay
),
emergency_visit as (
    select patient_key, source_file, source_row, claim_id || '#emergency' as resource_id, 'EMER' as class_code,
        claim_start_date as start_date, claim_end_date as end_date,
        [claim_coding('code', 'http://snomed.info/sct', '4525004')] as codings   -- emergency department patient visit
    from claims_acute_claim
    where is_emergency_visit
),
claim_encounter as (
    select * from line_encounter
    union all by name select * from inpatient_stay
    union all by name select * from emergency_visit
)
select
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
