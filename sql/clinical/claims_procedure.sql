-- Procedures from medical claims (plan-program.md 1 "Procedure"): every line code some measure can match
-- on the line's service dates (claims_line) and every such ICD-10-PCS code on its procedure_date_N, else
-- the claim start (claims_icd10_procedure), completed; the value-set match decides which are procedures.
-- Line modifiers stay reachable: each as a 'modifier' coding, and laterality (RT, LT, 50 in any slot)
-- also as a SNOMED body-site coding.
create or replace temp table claims_procedure as
with line_procedure as (
    select patient_key, source_file, source_row,
        claim_id || '#' || claim_line_number as resource_id,
        service_start as start_date, service_end as end_date,
        [claim_coding('code', line_code_system, hcpcs_code)]
        || list_transform(modifiers, m -> claim_coding('modifier', 'https://hmoqa.dev/CodeSystem/claim-modifier', m))
        || list_filter(list_transform(modifiers, m -> claim_coding('body_site', 'http://snomed.info/sct',
               case upper(m) when 'RT' then '24028007'      -- right
                             when 'LT' then '7771000'       -- left
                             when '50' then '51440002' end)),  -- right and left
           c -> c.code is not null) as codings
    from claims_line
    where hcpcs_is_of_interest and not hcpcs_is_visit_code
),
claim_procedure as (
    select * from line_procedure
    union all by name
    select patient_key, source_file, source_row,
        claim_id || '#pcs#' || procedure_code || '#' || procedure_date as resource_id,
        procedure_date as start_date, procedure_date as end_date,
        [claim_coding('code', 'http://www.cms.gov/Medicare/Coding/ICD10', procedure_code)] as codings
    from claims_icd10_procedure
)
select
    patient_key,
    'claims' as source_kind,
    source_file,
    source_row,
    resource_id,
    'completed' as status,
    day_start(start_date) as start_lo,
    day_end(start_date) as start_hi,
    day_start(end_date) as end_lo,
    day_end(end_date) as end_hi,
    codings
from claim_procedure
