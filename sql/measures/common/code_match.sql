-- Every coded record whose designated code (element 'code') is in a loaded value set: the one big
-- join of the run. Criteria start from here (filtered by OID) and reach their record by row_id.
-- The plan program matches the administrative code supplement too (plan-program.md 1), in the same
-- pass; `requires` carries a supplement code's condition, which plan/eye_care_provider_rule.sql checks.
create or replace temp table code_match as
with program_code as (
    select valueset_oid, code_system, code_normalized, null::varchar as requires
    from measures.valueset_code
    union all
    select s.valueset_oid, s.code_system, s.code, s.requires
    from measures.valueset_supplement as s
    where $program = 'plan'
      and not exists (select 1 from measures.valueset_code as v
                      where v.valueset_oid = s.valueset_oid and v.code_system = s.code_system
                        and v.code_normalized = s.code)
)
select c.row_id, v.valueset_oid, v.requires
from clinical.coding as c
join program_code as v
    on v.code_system = c.code_system and v.code_normalized = c.code_normalized
where c.element = 'code'
