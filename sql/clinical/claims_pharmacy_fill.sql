-- Pharmacy fills that are evidence: a negative paid amount reverses the fill with the same claim_id
-- and claim_line_number, and both are dropped. Only fills whose NDC or RxNorm code some measure can match
-- (claims_code_of_interest) become rows. Shared by the dispense and request models.
create or replace temp table claims_pharmacy_fill as
with reversed_fill as (
    select distinct claim_id, claim_line_number
    from staging.pharmacy_claim
    where paid_amount < 0
)
select
    p._source_file as source_file,
    p._source_row::varchar as source_row,
    p.claim_id || '#' || p.claim_line_number as resource_id,
    p.person_id as patient_key,
    p.dispensing_date,
    p.days_supply,
    p.quantity,
    -- The supply runs from the fill day through fill day + days supply - 1.
    p.dispensing_date + (greatest(coalesce(p.days_supply, 1), 1) - 1)::integer as supply_end_date,
    list_filter([claim_coding('code', 'http://hl7.org/fhir/sid/ndc', p.ndc_code),
                 claim_coding('code', 'http://www.nlm.nih.gov/research/umls/rxnorm', p.rxnorm_code)],
                c -> c.code is not null) as codings
from staging.pharmacy_claim as p
anti join reversed_fill as r on r.claim_id = p.claim_id and r.claim_line_number = p.claim_line_number
where ('http://hl7.org/fhir/sid/ndc', normalize_code('http://hl7.org/fhir/sid/ndc', p.ndc_code))
          in (select (code_system, code_normalized) from claims_code_of_interest)
   or ('http://www.nlm.nih.gov/research/umls/rxnorm', normalize_code('http://www.nlm.nih.gov/research/umls/rxnorm', p.rxnorm_code))
          in (select (code_system, code_normalized) from claims_code_of_interest)
