-- The eye-care-provider rule of the code supplement (plan-program.md 1): a supplement code with
-- requires = 'eye_care_provider' (the CPT eye-exam codes) counts only on a claim line whose rendering
-- provider has an ophthalmology or optometry specialty (or taxonomy) in the provider roster. The line is
-- found through the record's lineage (file and row of staging.medical_claim). CPT II eye codes carry
-- no requirement and count from any provider.
delete from code_match
where requires = 'eye_care_provider'
  and row_id not in (
    with eye_care_provider as (
        select npi
        from staging.provider
        where regexp_matches(lower(specialty), 'ophthalmolog|optometr')
           or taxonomy_code like '207W%'       -- ophthalmology
           or taxonomy_code like '152W%'       -- optometrist
    )
    select l.row_id
    from clinical.record_lineage as l
    join staging.medical_claim as mc
        on mc._source_file = l.source_file and mc._source_row = try_cast(l.source_row as bigint)
    where l.row_id in (select row_id from code_match where requires = 'eye_care_provider')
      and l.source_kind = 'claims'
      and mc.rendering_npi in (select npi from eye_care_provider))
