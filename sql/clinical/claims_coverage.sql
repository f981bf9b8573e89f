-- One coverage period per eligibility row; the product line (payer_type) is the coverage type, as
-- the PHVS source-of-payment code and as the contract's own value.
create or replace temp table claims_coverage as
select
    person_id as patient_key,
    'eligibility' as source_kind,
    _source_file as source_file,
    _source_row::varchar as source_row,
    person_id || '#' || enrollment_start_date as resource_id,
    'active' as status,
    payer as payor,
    day_start(enrollment_start_date) as start_lo,
    day_end(enrollment_start_date) as start_hi,
    day_start(enrollment_end_date) as end_lo,
    day_end(enrollment_end_date) as end_hi,
    list_filter([
        claim_coding('type', 'https://hmoqa.dev/CodeSystem/payer-type', payer_type),
        claim_coding('type', 'urn:oid:2.16.840.1.113883.3.221.5',
                     case payer_type when 'medicare' then '1' when 'medicaid' then '2' when 'commercial' then '5' end)
    ], c -> c.code is not null) as codings
from staging.eligibility
