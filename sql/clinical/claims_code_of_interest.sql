-- The codes a measure can match: every code of a loaded value set, of the administrative code supplement
-- (the plan program matches both), and the measures' direct codes ($direct_code_systems / $direct_codes,
-- read from sql/measures by the loader). A claim code outside this list can never be reached by a measure,
-- so the claims mapping makes no clinical row for it. A code held only by qualifying-visit value sets
-- ($visit_valueset_oids: matched against encounters only) is a visit: an encounter candidate, never a
-- procedure or observation candidate.
create or replace temp table claims_code_of_interest as
with valueset_member as (
    select valueset_oid, code_system, code_normalized from measures.valueset_code
    union all
    select valueset_oid, code_system, code from measures.valueset_supplement
    union all
    select null, code_system, normalize_code(code_system, code)
    from (select unnest($direct_code_systems) as code_system, unnest($direct_codes) as code)
)
select
    code_system,
    code_normalized,
    bool_and(coalesce(list_contains($visit_valueset_oids, valueset_oid), false)) as is_visit_code
from valueset_member
where code_normalized is not null
group by code_system, code_normalized
