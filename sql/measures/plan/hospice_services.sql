-- The plan program's hospice (plan-program.md 1 table, 5), added to the shared hospice block: an
-- eligibility segment with hospice_flag during MY, and an institutional hospice claim (bill type 81x or
-- 82x, with or without the leading zero) whose service period overlaps MY; a reversed line (a negative
-- paid copy with the same claim and line number) is no evidence. Hospice revenue codes reach branch H2
-- through the code supplement, discharge status 50/51 branch H1 through the claims mapping.
insert into hospice_services
with hospice_flag_segment as (
    select g.patient_key
    from enrollment_segment as g
    join subject as s using (patient_key)
    where g.hospice_flag
      and g.segment_start <= s.mp_end_date and g.segment_end >= s.mp_start_date
),
hospice_bill_type_line as (
    select m.person_id as patient_key, m.claim_id, m.claim_line_number, m.paid_amount,
           coalesce(m.claim_line_start_date, m.claim_start_date) as service_start,
           coalesce(m.claim_line_end_date, m.claim_end_date, m.claim_start_date) as service_end
    from staging.medical_claim as m
    where m.bill_type_code like '81%' or m.bill_type_code like '82%'
       or m.bill_type_code like '081%' or m.bill_type_code like '082%'
),
hospice_bill_type_claim as (
    select h.patient_key
    from hospice_bill_type_line as h
    join subject as s using (patient_key)
    where h.paid_amount >= 0
      and h.service_start <= s.mp_end_date and h.service_end >= s.mp_start_date
      and not exists (select 1 from hospice_bill_type_line as r
                      where r.claim_id = h.claim_id and r.claim_line_number = h.claim_line_number
                        and r.paid_amount < 0)
)
select patient_key from hospice_flag_segment
where patient_key not in (select patient_key from hospice_services)
union
select patient_key from hospice_bill_type_claim
where patient_key not in (select patient_key from hospice_services)
