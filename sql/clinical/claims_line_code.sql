-- Each distinct CPT/HCPCS line code of the medical claims, looked up once (not once per line): its code
-- system, whether some measure can match it (claims_code_of_interest), and whether only qualifying-visit
-- value sets hold it (an encounter, not a procedure or observation). Read by claims_line and by the input
-- counts of the run's metadata.
create or replace temp table claims_line_code as
select l.hcpcs_code, l.line_code_system, i.code_system is not null as is_of_interest,
    coalesce(i.is_visit_code, false) as is_visit_code
from (
    select hcpcs_code,
        -- CPT I/II/III start with a digit, HCPCS Level II with a letter.
        case when regexp_matches(hcpcs_code, '^[0-9]') then 'http://www.ama-assn.org/go/cpt'
             else 'http://www.nlm.nih.gov/research/umls/hcpcs' end as line_code_system
    from (select distinct hcpcs_code from staging.medical_claim where hcpcs_code is not null)
) as l
left join claims_code_of_interest as i
    on i.code_system = l.line_code_system and i.code_normalized = normalize_code(l.line_code_system, l.hcpcs_code)
