-- ICD-10-PCS procedure codes some measure can match (plan-program.md 1 "Procedure"): one row per claim,
-- code and procedure date (procedure_date_N, else the claim start), with the lineage of the lowest line.
-- A code no value set holds becomes no row. Valid lines only (claims_reversed_line).
create or replace temp table claims_icd10_procedure as
with line_procedure as (
    select m.claim_id, m.claim_line_number, m.person_id, m._source_file, m._source_row, m.claim_start_date,
        unnest([
            {'code': m.procedure_code_1, 'date': m.procedure_date_1}, {'code': m.procedure_code_2, 'date': m.procedure_date_2},
            {'code': m.procedure_code_3, 'date': m.procedure_date_3}, {'code': m.procedure_code_4, 'date': m.procedure_date_4},
            {'code': m.procedure_code_5, 'date': m.procedure_date_5}, {'code': m.procedure_code_6, 'date': m.procedure_date_6},
            {'code': m.procedure_code_7, 'date': m.procedure_date_7}, {'code': m.procedure_code_8, 'date': m.procedure_date_8},
            {'code': m.procedure_code_9, 'date': m.procedure_date_9}, {'code': m.procedure_code_10, 'date': m.procedure_date_10},
            {'code': m.procedure_code_11, 'date': m.procedure_date_11}, {'code': m.procedure_code_12, 'date': m.procedure_date_12},
            {'code': m.procedure_code_13, 'date': m.procedure_date_13}, {'code': m.procedure_code_14, 'date': m.procedure_date_14},
            {'code': m.procedure_code_15, 'date': m.procedure_date_15}, {'code': m.procedure_code_16, 'date': m.procedure_date_16},
            {'code': m.procedure_code_17, 'date': m.procedure_date_17}, {'code': m.procedure_code_18, 'date': m.procedure_date_18},
            {'code': m.procedure_code_19, 'date': m.procedure_date_19}, {'code': m.procedure_code_20, 'date': m.procedure_date_20},
            {'code': m.procedure_code_21, 'date': m.procedure_date_21}, {'code': m.procedure_code_22, 'date': m.procedure_date_22},
            {'code': m.procedure_code_23, 'date': m.procedure_date_23}, {'code': m.procedure_code_24, 'date': m.procedure_date_24},
            {'code': m.procedure_code_25, 'date': m.procedure_date_25}]) as procedure
    from staging.medical_claim as m
    anti join claims_reversed_line as r on r.claim_id = m.claim_id and r.claim_line_number = m.claim_line_number
    where coalesce(m.procedure_code_type, 'icd-10-pcs') = 'icd-10-pcs'
      -- most lines have no ICD-10-PCS code: skip them before unnesting 25 slots
      and coalesce(m.procedure_code_1, m.procedure_code_2, m.procedure_code_3, m.procedure_code_4, m.procedure_code_5, m.procedure_code_6,
                 m.procedure_code_7, m.procedure_code_8, m.procedure_code_9, m.procedure_code_10, m.procedure_code_11, m.procedure_code_12,
                 m.procedure_code_13, m.procedure_code_14, m.procedure_code_15, m.procedure_code_16, m.procedure_code_17, m.procedure_code_18,
                 m.procedure_code_19, m.procedure_code_20, m.procedure_code_21, m.procedure_code_22, m.procedure_code_23, m.procedure_code_24,
                 m.procedure_code_25) is not null
)
select
    person_id as patient_key,
    claim_id,
    procedure.code as procedure_code,
    coalesce(procedure.date, claim_start_date) as procedure_date,
    arg_min(_source_file, claim_line_number) as source_file,
    arg_min(_source_row, claim_line_number)::varchar as source_row
from line_procedure
where procedure.code is not null
  and ('http://www.cms.gov/Medicare/Coding/ICD10', normalize_code('http://www.cms.gov/Medicare/Coding/ICD10', procedure.code))
      in (select (code_system, code_normalized) from claims_code_of_interest)
group by all
