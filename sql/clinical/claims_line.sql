-- Medical claim lines that become clinical rows: valid lines (no reversal, claims_reversed_line) whose
-- CPT/HCPCS (claims_line_code) or revenue code some measure can match, and the CPT II result-code lines
-- (their values become observations).
-- The class comes from the claim's setting (claims_acute_claim).
create or replace temp table claims_line as
with revenue_code as (
    select revenue_center_code,
        (revenue_code_system, normalize_code(revenue_code_system, revenue_code))
            in (select (code_system, code_normalized) from claims_code_of_interest) as is_of_interest
    from (
        select revenue_center_code, lpad(revenue_center_code, 4, '0') as revenue_code,
            'https://www.nubc.org/CodeSystem/RevenueCodes' as revenue_code_system
        from (select distinct revenue_center_code from staging.medical_claim where revenue_center_code is not null)
    )
)
select
    m._source_file as source_file,
    m._source_row::varchar as source_row,
    m.claim_id,
    m.claim_line_number,
    m.person_id as patient_key,
    coalesce(m.claim_line_start_date, m.claim_start_date) as service_start,
    coalesce(m.claim_line_end_date, m.claim_line_start_date, m.claim_end_date) as service_end,
    m.hcpcs_code,
    c.line_code_system,
    coalesce(c.is_of_interest, false) as hcpcs_is_of_interest,
    coalesce(c.is_visit_code, false) as hcpcs_is_visit_code,
    lpad(m.revenue_center_code, 4, '0') as revenue_code,
    coalesce(r.is_of_interest, false) as revenue_is_of_interest,
    case when a.is_inpatient_stay then 'IMP' when a.is_emergency_visit then 'EMER' else 'AMB' end as class_code,
    list_filter([m.hcpcs_modifier_1, m.hcpcs_modifier_2, m.hcpcs_modifier_3,
                 m.hcpcs_modifier_4, m.hcpcs_modifier_5], x -> x is not null) as modifiers
from staging.medical_claim as m
anti join claims_reversed_line as v on v.claim_id = m.claim_id and v.claim_line_number = m.claim_line_number
left join claims_line_code as c on c.hcpcs_code = m.hcpcs_code
left join revenue_code as r on r.revenue_center_code = m.revenue_center_code
left join claims_acute_claim as a on a.claim_id = m.claim_id
where c.is_of_interest or r.is_of_interest or m.hcpcs_code in (select hcpcs_code from claims_cpt2_result)
