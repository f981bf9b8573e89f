-- Immunizations from the immunization source (CVX, or the code type it names), with its own status
-- (completed when empty), on the occurrence date.
create or replace temp table claims_immunization as
with immunization_record as (
    select _source_file as source_file, _source_row::varchar as source_row, immunization_id as resource_id,
        person_id as patient_key,
        coalesce(status, 'completed') as status, occurrence_date,
        coalesce(normalized_code_type, lower(source_code_type)) as code_type,
        case when normalized_code_type is not null then normalized_code else source_code end as vaccine_code
    from staging.immunization
),
coded_record as (
    select source_file, source_row, resource_id, patient_key, status, occurrence_date,
        case code_type when 'cvx' then 'http://hl7.org/fhir/sid/cvx'
                       when 'cpt' then 'http://www.ama-assn.org/go/cpt'
                       when 'hcpcs' then 'http://www.nlm.nih.gov/research/umls/hcpcs'
                       when 'ndc' then 'http://hl7.org/fhir/sid/ndc'
                       when 'snomed-ct' then 'http://snomed.info/sct' end as code_system,
        vaccine_code
    from immunization_record
)
select
    patient_key,
    'immunization' as source_kind,
    source_file,
    source_row,
    resource_id,
    status,
    day_start(occurrence_date) as start_lo,
    day_end(occurrence_date) as start_hi,
    day_start(occurrence_date) as end_lo,
    day_end(occurrence_date) as end_hi,
    list_filter([claim_coding('code', code_system, vaccine_code)], c -> c.code is not null) as codings
from coded_record
