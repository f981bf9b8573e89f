-- Enrollment segments of the run's members: one row per eligibility row (plan-program.md 3-5), with the
-- product line (payer_type), the enrollment flags and the death date as the file gives them.
create or replace temp table enrollment_segment as
select
    e.person_id as patient_key,
    e.enrollment_start_date as segment_start,
    e.enrollment_end_date as segment_end,
    e.payer_type as product_line,
    coalesce(e.hospice_flag = 1, false) as hospice_flag,
    coalesce(e.institutional_snp_flag = 1, false) as institutional_snp_flag,
    coalesce(e.long_term_institutional_flag = 1, false) as long_term_institutional_flag,
    e.death_date
from staging.eligibility as e
where e.person_id in (select patient_key from subject)
