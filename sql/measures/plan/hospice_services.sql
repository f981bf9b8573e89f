-- The plan program's hospice (plan-program.md 1 table, 5), added to the shared hospice block: an
-- eligibility segment with hospice_flag during MY, and an institutional hospice claim (bill type 81x or
-- 82x) whose service period overlaps MY. Hospice revenue codes reach branch H2 through the code
-- supplement, discharge status 50/51 branch H1 through the claims mapping.
insert into hospice_services
with reversed_line as (
    select distinct claim_id, claim_line_number
    from staging.medical_claim
    where paid_amount < 0
),
hospice_flag_segment as (
    select g.patient_key
    from enrollment_segment as g
    join subject as s using (patient_key)
    where g.hospice_flag
      and g.segment_start <= s.mp_end_date and g.segment_end >= s.mp_start_date
),
hospice_bill_type_claim as (
    select m.person_id as patient_key
    from staging.medical_claim as m
    join subject as s on s.patient_key = m.person_id
    -- Bill types come with or without the leading zero.
    where regexp_matches(m.bill_type_code, '^0?8[12]')
      and m.paid_amount >= 0
      and coalesce(m.claim_line_start_date, m.claim_start_date) <= s.mp_end_date
      and coalesce(m.claim_line_end_date, m.claim_end_date, m.claim_start_date) >= s.mp_start_date
      and not exists (select 1 from reversed_line as r
                      where r.claim_id = m.claim_id and r.claim_line_number = m.claim_line_number)
)
select patient_key from hospice_flag_segment
where patient_key not in (select patient_key from hospice_services)
union
select patient_key from hospice_bill_type_claim
where patient_key not in (select patient_key from hospice_services)
