-- Medical claim lines net of reversals, for every count or sum over claims. A line with a negative
-- paid_amount reverses the line with the same claim_id and claim_line_number: both are dropped, so
-- a reversed visit neither counts as a visit nor adds to paid. service_month is the month of
-- service_date by the ingest's definition of _service_month (first of line start, claim start):
-- a window on it is pushed into the scan, which skips other months' rows before any join.
-- NOT IN (both keys are not null) is planned as a join built on the few reversal lines; the
-- equivalent ANTI JOIN was often built on the millions of claim lines instead.
create or replace view scores.claim_line_net as
select
    c.claim_id,
    c.claim_line_number,
    c.claim_type,
    c.person_id,
    coalesce(c.claim_line_start_date, c.claim_start_date) as service_date,
    c._service_month as service_month,
    c.claim_start_date,
    c.claim_end_date,
    c.admission_date,
    c.discharge_date,
    c.admit_type_code,
    c.discharge_disposition_code,
    c.place_of_service_code,
    c.bill_type_code,
    c.drg_code,
    c.revenue_center_code,
    c.hcpcs_code,
    c.diagnosis_code_1,
    c.rendering_npi,
    c.billing_npi,
    c.facility_npi,
    c.in_network_flag,
    c.paid_amount,
    c.allowed_amount
from staging.medical_claim as c
where (c.claim_id, c.claim_line_number) not in (
    select claim_id, claim_line_number
    from staging.medical_claim
    where paid_amount < 0
)
