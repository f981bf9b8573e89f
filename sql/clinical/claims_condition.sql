-- Conditions from claim diagnoses (plan-program.md 1 "Condition"): every diagnosis some measure can match,
-- once per claim (claims_diagnosis), prevalent for the claim's service period only; encounter diagnosis,
-- confirmed, active.
create or replace temp table claims_condition as
select
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
from claims_diagnosis
