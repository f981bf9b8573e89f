-- Counts (never member ids) of the medical-claim input the mapping met, for the clinical_model asset's
-- metadata (plan-program.md 1, and the plan program's "bad input"): reversals and the lines they take out,
-- line codes no measure can match (unknown to every loaded value set, the supplement and the direct codes),
-- and modifiers by slot. Exact duplicate lines never reach here: staging quarantines them. Reads the
-- mapping's temp tables (claims_reversed_line, claims_line_code, claims_cpt2_result) of the same connection.
with line as (
    select m.paid_amount,
           m.hcpcs_modifier_1, m.hcpcs_modifier_2, m.hcpcs_modifier_3, m.hcpcs_modifier_4, m.hcpcs_modifier_5,
           r.claim_id is not null as is_reversed_key,
           m.hcpcs_code is not null and not (c.is_of_interest or m.hcpcs_code in (select hcpcs_code from claims_cpt2_result))
               as has_code_no_measure_matches
    from staging.medical_claim as m
    left join claims_reversed_line as r on r.claim_id = m.claim_id and r.claim_line_number = m.claim_line_number
    left join claims_line_code as c on c.hcpcs_code = m.hcpcs_code
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
