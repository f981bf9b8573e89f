-- Counts (never member ids) of the medical-claim input the mapping met, for the clinical_model asset's
-- metadata (plan-program.md 1, and the plan program's "bad input"): reversals and the lines they take out,
-- line codes no measure can match (unknown to every loaded value set, the supplement and the direct codes),
-- and modifiers by slot. Exact duplicate lines never reach here: staging quarantines them. Reads the
-- mapping's temp tables (claims_reversed_line, claims_code_of_interest) of the same connection.
with line_code as (
    select hcpcs_code,
        i.code_system is not null or hcpcs_code in (select hcpcs_code from claims_cpt2_result) as is_of_interest
    from (
        select hcpcs_code,
            case when regexp_matches(hcpcs_code, '^[0-9]') then 'http://www.ama-assn.org/go/cpt'
                 else 'http://www.nlm.nih.gov/research/umls/hcpcs' end as line_code_system
        from (select distinct hcpcs_code from staging.medical_claim where hcpcs_code is not null)
    ) as l
    left join claims_code_of_interest as i
        on i.code_system = l.line_code_system and i.code_normalized = normalize_code(l.line_code_system, l.hcpcs_code)
),
line as (
    select m.paid_amount,
           m.hcpcs_modifier_1, m.hcpcs_modifier_2, m.hcpcs_modifier_3, m.hcpcs_modifier_4, m.hcpcs_modifier_5,
           r.claim_id is not null as is_reversed_key,
           m.hcpcs_code is not null and not c.is_of_interest as has_code_no_measure_matches
    from staging.medical_claim as m
    left join claims_reversed_line as r on r.claim_id = m.claim_id and r.claim_line_number = m.claim_line_number
    left join line_code as c on c.hcpcs_code = m.hcpcs_code
)
select
    count(*) as medical_claim_lines,
    count(*) filter (where paid_amount < 0) as reversal_lines,
    count(*) filter (where is_reversed_key) as lines_dropped_with_their_reversal,
    count(*) filter (where has_code_no_measure_matches) as line_codes_no_measure_can_match,
    count(*) filter (where hcpcs_modifier_1 is not null) as modifier_slot_1,
    count(*) filter (where hcpcs_modifier_2 is not null) as modifier_slot_2,
    count(*) filter (where hcpcs_modifier_3 is not null) as modifier_slot_3,
    count(*) filter (where hcpcs_modifier_4 is not null) as modifier_slot_4,
    count(*) filter (where hcpcs_modifier_5 is not null) as modifier_slot_5
from line
