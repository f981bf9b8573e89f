-- Claim diagnoses some measure can match (ICD-10-CM, with or without the dot): one row per claim and
-- normalised code (plan-program.md 1 "Condition"), with the claim's service period and the lineage of its
-- lowest line. A diagnosis no value set holds becomes no row. Valid lines only (claims_reversed_line).
-- One branch per diagnosis slot, each skipping its empty rows (row-group statistics prune the slots a
-- plan never fills), instead of a list of 25 slots per line unnested and filtered; valid_line is not
-- materialised, so a branch reads only its slot's non-empty rows.
create or replace temp table claims_diagnosis as
with valid_line as not materialized (
    select m.claim_id, m.claim_line_number, m.person_id, m._source_file, m._source_row,
        m.claim_start_date, m.claim_end_date,
        m.diagnosis_code_1, m.diagnosis_code_2, m.diagnosis_code_3, m.diagnosis_code_4, m.diagnosis_code_5,
        m.diagnosis_code_6, m.diagnosis_code_7, m.diagnosis_code_8, m.diagnosis_code_9, m.diagnosis_code_10,
        m.diagnosis_code_11, m.diagnosis_code_12, m.diagnosis_code_13, m.diagnosis_code_14, m.diagnosis_code_15,
        m.diagnosis_code_16, m.diagnosis_code_17, m.diagnosis_code_18, m.diagnosis_code_19, m.diagnosis_code_20,
        m.diagnosis_code_21, m.diagnosis_code_22, m.diagnosis_code_23, m.diagnosis_code_24, m.diagnosis_code_25
    from staging.medical_claim as m
    anti join claims_reversed_line as r on r.claim_id = m.claim_id and r.claim_line_number = m.claim_line_number
    -- Diagnosis slots hold ICD-10-CM (plan-program.md 1) unless the type says ICD-9-CM; 'icd-10-pcs' there is a
    -- mislabel (the public Tuva sample's professional lines), a procedure code is never a diagnosis.
    where coalesce(m.diagnosis_code_type, 'icd-10-cm') <> 'icd-9-cm'
),
line_diagnosis(claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date,
               raw_diagnosis_code) as (
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_1
    from valid_line where diagnosis_code_1 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_2
    from valid_line where diagnosis_code_2 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_3
    from valid_line where diagnosis_code_3 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_4
    from valid_line where diagnosis_code_4 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_5
    from valid_line where diagnosis_code_5 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_6
    from valid_line where diagnosis_code_6 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_7
    from valid_line where diagnosis_code_7 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_8
    from valid_line where diagnosis_code_8 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_9
    from valid_line where diagnosis_code_9 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_10
    from valid_line where diagnosis_code_10 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_11
    from valid_line where diagnosis_code_11 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_12
    from valid_line where diagnosis_code_12 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_13
    from valid_line where diagnosis_code_13 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_14
    from valid_line where diagnosis_code_14 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_15
    from valid_line where diagnosis_code_15 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_16
    from valid_line where diagnosis_code_16 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_17
    from valid_line where diagnosis_code_17 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_18
    from valid_line where diagnosis_code_18 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_19
    from valid_line where diagnosis_code_19 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_20
    from valid_line where diagnosis_code_20 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_21
    from valid_line where diagnosis_code_21 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_22
    from valid_line where diagnosis_code_22 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_23
    from valid_line where diagnosis_code_23 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_24
    from valid_line where diagnosis_code_24 is not null
    union all
    select claim_id, claim_line_number, person_id, _source_file, _source_row, claim_start_date, claim_end_date, diagnosis_code_25
    from valid_line where diagnosis_code_25 is not null
),
normalised_diagnosis as (
    select *, normalize_code('http://hl7.org/fhir/sid/icd-10-cm', raw_diagnosis_code) as diagnosis_code
    from line_diagnosis
)
select
    person_id as patient_key,
    claim_id,
    diagnosis_code,
    arg_min(_source_file, claim_line_number) as source_file,
    arg_min(_source_row, claim_line_number)::varchar as source_row,
    min(claim_start_date) as start_date,
    max(claim_end_date) as end_date
from normalised_diagnosis
where ('http://hl7.org/fhir/sid/icd-10-cm', diagnosis_code)
    in (select (code_system, code_normalized) from claims_code_of_interest)
group by person_id, claim_id, diagnosis_code
