-- EED's and GSD's diabetes from claims (plan-program.md 2), in MY or the year before: (a) two
-- outpatient, emergency department, telephone or virtual visits on different dates, each on a claim
-- with a Diabetes diagnosis, or (b) one acute inpatient stay (the inpatient-stay rule of section 1,
-- professional place of service 21 included) with a Diabetes diagnosis, discharged in the window.
-- (A supplemental Condition meeting the ecqm criterion is already in denominator_condition.) Claims with
-- the diagnosis are found first (few), then their visit lines and stays (the claim id is the first part
-- of a claim record's resource_id).
insert into denominator_condition
with diabetes_window as (
    select patient_key, make_date(year(mp_end) - 1, 1, 1) as window_start, make_date(year(mp_end), 12, 31) as window_end
    from subject
),
-- The widest window of the run, to cut the claim tables before any join.
run_window as (
    select min(window_start)::timestamp as first_day, (max(window_end) + 1)::timestamp as after_last_day
    from diabetes_window
),
diabetes_claim as (
    select distinct c.patient_key, split_part(c.resource_id, '#', 1) as claim_id
    from clinical.condition as c
    where c.source_kind = 'claims'
      and c.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.103.12.1001')
      and c.end_lo >= (select first_day from run_window)
      and c.start_lo < (select after_last_day from run_window)
),
encounter_on_diabetes_claim as (
    select e.row_id, e.patient_key, e.resource_id, e.start_lo::date as start_date, e.end_lo::date as end_date
    from clinical.encounter as e
    join diabetes_claim as d
        on d.patient_key = e.patient_key and d.claim_id = split_part(e.resource_id, '#', 1)
    where e.source_kind = 'claims'
      and e.end_lo >= (select first_day from run_window)
      and e.start_lo < (select after_last_day from run_window)
),
visit as (
    select v.patient_key, v.start_date as visit_date
    from encounter_on_diabetes_claim as v
    join diabetes_window as w using (patient_key)
    where v.start_date between w.window_start and w.window_end
      and (v.resource_id like '%#emergency'
           or v.row_id in (select row_id from code_match
                           where valueset_oid in (select valueset_oid from outpatient_visit_code)))
),
two_visits as (
    select patient_key
    from visit
    group by patient_key
    having count(distinct visit_date) >= 2
),
one_inpatient_stay as (
    select distinct v.patient_key
    from encounter_on_diabetes_claim as v
    join diabetes_window as w using (patient_key)
    where v.resource_id like '%#inpatient'
      and v.end_date between w.window_start and w.window_end
)
select 'diabetes', patient_key from two_visits
union
select 'diabetes', patient_key from one_inpatient_stay
