-- The plan program's code match: value-set codes UNION the administrative code supplement
-- (measures.valueset_supplement, plan-program.md 1). A supplement code that requires an eye care
-- provider (the CPT eye-exam codes) counts only on a claim line whose rendering provider has an
-- ophthalmology or optometry specialty in the provider roster; CPT II eye codes count from anyone.
insert into code_match
with supplement_code as (
    select s.valueset_oid, s.code_system, s.code as code_normalized, s.requires
    from measures.valueset_supplement as s
    where not exists (select 1 from measures.valueset_code as v
                      where v.valueset_oid = s.valueset_oid and v.code_system = s.code_system
                        and v.code_normalized = s.code)
),
supplement_match as (
    select c.row_id, m.valueset_oid, m.requires
    from clinical.coding as c
    join supplement_code as m using (code_system, code_normalized)
    where c.element = 'code'
),
eye_care_provider as (
    select npi
    from staging.provider
    where regexp_matches(lower(specialty), 'ophthalmolog|optometr')
       or taxonomy_code like '207W%'       -- ophthalmology
       or taxonomy_code like '152W%'       -- optometrist
),
eye_care_claim_row as (
    select l.row_id
    from clinical.record_lineage as l
    join staging.medical_claim as mc
        on mc._source_file = l.source_file and mc._source_row = try_cast(l.source_row as bigint)
    where l.row_id in (select row_id from supplement_match where requires = 'eye_care_provider')
      and l.source_kind = 'claims'
      and mc.rendering_npi in (select npi from eye_care_provider)
)
select row_id, valueset_oid
from supplement_match
where requires is null
   or (requires = 'eye_care_provider' and row_id in (select row_id from eye_care_claim_row))
