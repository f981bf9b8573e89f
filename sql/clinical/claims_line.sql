-- Medical claim lines that are evidence: a line with a negative paid amount reverses the line with the
-- same claim_id and claim_line_number, and both are dropped (plan-program.md 1); zero paid counts.
-- Claim-level settings (inpatient stay, emergency visit) are worked out once here for every line.
create or replace temp table claims_line as
with reversed_line as (
    select distinct claim_id, claim_line_number
    from staging.medical_claim
    where paid_amount < 0
),
valid_line as (
    select m.*,
        -- Revenue codes come with 3 or 4 digits, bill types with or without the leading zero.
        lpad(m.revenue_center_code, 4, '0') as revenue_code,
        case when length(m.bill_type_code) = 4 and m.bill_type_code like '0%'
             then substr(m.bill_type_code, 2) else m.bill_type_code end as bill_type
    from staging.medical_claim as m
    where not exists (select 1 from reversed_line as r
                      where r.claim_id = m.claim_id and r.claim_line_number = m.claim_line_number)
),
claim_setting as (
    select claim_id,
        bool_or((claim_type = 'institutional' and (bill_type like '11%' or bill_type like '12%'))
                or revenue_code between '0100' and '0219'
                or place_of_service_code = '21') as is_inpatient_stay,
        bool_or(place_of_service_code = '23'
                or revenue_code between '0450' and '0459' or revenue_code = '0981') as is_emergency_visit
    from valid_line
    group by claim_id
)
select
    v._source_file as source_file,
    v._source_row::varchar as source_row,
    v.claim_id,
    v.claim_line_number,
    v.claim_type,
    v.person_id as patient_key,
    v.claim_start_date,
    v.claim_end_date,
    coalesce(v.claim_line_start_date, v.claim_start_date) as service_start,
    coalesce(v.claim_line_end_date, v.claim_line_start_date, v.claim_end_date) as service_end,
    v.admission_date,
    v.discharge_date,
    v.discharge_disposition_code,
    v.place_of_service_code,
    v.bill_type,
    v.revenue_code,
    v.hcpcs_code,
    -- CPT I/II/III start with a digit, HCPCS Level II with a letter.
    case when v.hcpcs_code is null then null
         when regexp_matches(v.hcpcs_code, '^[0-9]') then 'http://www.ama-assn.org/go/cpt'
         else 'http://www.nlm.nih.gov/research/umls/hcpcs' end as line_code_system,
    list_filter([v.hcpcs_modifier_1, v.hcpcs_modifier_2, v.hcpcs_modifier_3,
                 v.hcpcs_modifier_4, v.hcpcs_modifier_5], x -> x is not null) as modifiers,
    list_filter([v.diagnosis_code_1, v.diagnosis_code_2, v.diagnosis_code_3, v.diagnosis_code_4,
                 v.diagnosis_code_5, v.diagnosis_code_6, v.diagnosis_code_7, v.diagnosis_code_8,
                 v.diagnosis_code_9, v.diagnosis_code_10, v.diagnosis_code_11, v.diagnosis_code_12,
                 v.diagnosis_code_13, v.diagnosis_code_14, v.diagnosis_code_15, v.diagnosis_code_16,
                 v.diagnosis_code_17, v.diagnosis_code_18, v.diagnosis_code_19, v.diagnosis_code_20,
                 v.diagnosis_code_21, v.diagnosis_code_22, v.diagnosis_code_23, v.diagnosis_code_24,
                 v.diagnosis_code_25], x -> x is not null) as diagnosis_codes,
    coalesce(v.diagnosis_code_type, 'icd-10-cm') = 'icd-10-cm' as diagnoses_are_icd10,
    list_filter([
        {'code': v.procedure_code_1, 'date': v.procedure_date_1}, {'code': v.procedure_code_2, 'date': v.procedure_date_2},
        {'code': v.procedure_code_3, 'date': v.procedure_date_3}, {'code': v.procedure_code_4, 'date': v.procedure_date_4},
        {'code': v.procedure_code_5, 'date': v.procedure_date_5}, {'code': v.procedure_code_6, 'date': v.procedure_date_6},
        {'code': v.procedure_code_7, 'date': v.procedure_date_7}, {'code': v.procedure_code_8, 'date': v.procedure_date_8},
        {'code': v.procedure_code_9, 'date': v.procedure_date_9}, {'code': v.procedure_code_10, 'date': v.procedure_date_10},
        {'code': v.procedure_code_11, 'date': v.procedure_date_11}, {'code': v.procedure_code_12, 'date': v.procedure_date_12},
        {'code': v.procedure_code_13, 'date': v.procedure_date_13}, {'code': v.procedure_code_14, 'date': v.procedure_date_14},
        {'code': v.procedure_code_15, 'date': v.procedure_date_15}, {'code': v.procedure_code_16, 'date': v.procedure_date_16},
        {'code': v.procedure_code_17, 'date': v.procedure_date_17}, {'code': v.procedure_code_18, 'date': v.procedure_date_18},
        {'code': v.procedure_code_19, 'date': v.procedure_date_19}, {'code': v.procedure_code_20, 'date': v.procedure_date_20},
        {'code': v.procedure_code_21, 'date': v.procedure_date_21}, {'code': v.procedure_code_22, 'date': v.procedure_date_22},
        {'code': v.procedure_code_23, 'date': v.procedure_date_23}, {'code': v.procedure_code_24, 'date': v.procedure_date_24},
        {'code': v.procedure_code_25, 'date': v.procedure_date_25}], x -> x.code is not null) as icd10_procedures,
    coalesce(v.procedure_code_type, 'icd-10-pcs') = 'icd-10-pcs' as procedures_are_icd10,
    s.is_inpatient_stay,
    s.is_emergency_visit
from valid_line as v
join claim_setting as s using (claim_id)
