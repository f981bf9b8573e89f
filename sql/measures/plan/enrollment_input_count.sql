-- Counts (never member ids) of the enrollment input a plan run met, for the asset's metadata: how
-- segments merged, members with claims but no enrollment (no plan rows), and claim lines dated outside
-- every enrollment segment (still evidence, plan-program.md 1). Reads the run's temp tables.
create or replace temp table enrollment_input_count as
with member_claim_line as (
    select person_id as patient_key, coalesce(claim_line_start_date, claim_start_date) as service_date
    from staging.medical_claim
),
line_outside_enrollment as (
    select count(*) as lines
    from member_claim_line as l
    where l.patient_key in (select patient_key from subject)
      and not exists (select 1 from enrollment_coverage as c
                      where c.patient_key = l.patient_key and l.service_date between c.coverage_start and c.coverage_end)
)
select
    (select count(*) from subject) as plan_members,
    (select count(*) from enrollment_segment) as enrollment_segments,
    (select count(*) from enrollment_segment where segment_end < segment_start) as segments_ending_before_start,
    (select count(*) from enrollment_segment where segment_end >= segment_start)
        - (select count(*) from enrollment_coverage) as segments_merged_into_another,
    (select count(distinct patient_key) from member_claim_line
     where patient_key not in (select patient_key from subject)) as claim_members_without_enrollment,
    (select lines from line_outside_enrollment) as claim_lines_outside_enrollment,
    (select count(*) from (select distinct patient_key from continuous_enrollment)) as members_continuously_enrolled_for_a_measure
