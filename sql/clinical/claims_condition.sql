-- Conditions from claim diagnoses (plan-program.md 1 "Condition"): every ICD-10-CM diagnosis on a claim,
-- once per claim, prevalent for the claim's service period only; encounter diagnosis, confirmed, active.
create or replace temp table claims_condition as
with claim_diagnosis as (
    select patient_key, claim_id, normalize_code('http://hl7.org/fhir/sid/icd-10-cm', diagnosis_code) as diagnosis_code,
        arg_min(source_file, claim_line_number) as source_file,
        arg_min(source_row, claim_line_number) as source_row,
        min(claim_start_date) as start_date,
        max(claim_end_date) as end_date
    from (select patient_key, claim_id, claim_line_number, source_file, source_row,
                 claim_start_date, claim_end_date, unnest(diagnosis_codes) as diagnosis_code
          from claims_line
          where diagnoses_are_icd10)
    group by patient_key, claim_id, normalize_code('http://hl7.org/fhir/sid/icd-10-cm', diagnosis_code)
)
select
    $first_row_id + row_number() over () - 1 as row_id,
    patient_key,
    'claims' as source_kind,
    source_file,
    source_row,
    claim_id || '#dx#' || diagnosis_code as resource_id,
    'active' as clinical_status,
    'confirmed' as verification_status,
    day_start(start_date) as onset_lo,
    day_end(start_date) as onset_hi,
    day_start(end_date) as abatement_lo,
    day_end(end_date) as abatement_hi,
    day_start(start_date) as start_lo,
    day_end(start_date) as start_hi,
    day_start(end_date) as end_lo,
    day_end(end_date) as end_hi,
    [claim_coding('code', 'http://hl7.org/fhir/sid/icd-10-cm', diagnosis_code),
     claim_coding('category', 'http://terminology.hl7.org/CodeSystem/condition-category', 'encounter-diagnosis')]
        as codings
from claim_diagnosis
