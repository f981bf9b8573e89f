-- One patient per member of the eligibility file: birth date and gender from the member's latest
-- enrollment row (the FHIR administrative-gender codes are the contract's values).
create or replace temp table claims_patient as
select
    person_id as patient_key,
    'eligibility' as source_kind,
    arg_max(_source_file, (enrollment_end_date, _source_row)) as source_file,
    arg_max(_source_row, (enrollment_end_date, _source_row))::varchar as source_row,
    person_id as resource_id,
    arg_max(gender, (enrollment_end_date, _source_row)) as gender,
    arg_max(birth_date, (enrollment_end_date, _source_row)) as birth_date,
    'day' as birth_date_precision,
    null::varchar as race_code,
    null::varchar as ethnicity_code,
    []::struct(element varchar, code_system varchar, code varchar)[] as codings
from staging.eligibility
group by person_id
