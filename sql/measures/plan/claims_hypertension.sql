-- CBP's hypertension from claims (plan-program.md 2): at least two outpatient, telephone or virtual
-- visits on different dates of service, between Jan 1 of the year before MY and Jun 30 of MY, each on a
-- claim with an Essential Hypertension diagnosis. (A supplemental Condition meeting the ecqm criterion
-- is already in denominator_condition.) Claims with the diagnosis are found first (few), then their
-- visit lines (the claim id is the first part of a claim record's resource_id).
insert into denominator_condition
with visit_window as (
    select patient_key, make_date(year(mp_end) - 1, 1, 1) as window_start, make_date(year(mp_end), 6, 30) as window_end
    from subject
),
-- The widest window of the run, to cut the claim tables before any join.
run_window as (
    select min(window_start)::timestamp as first_day, (max(window_end) + 1)::timestamp as after_last_day
    from visit_window
),
hypertension_claim as (
    select distinct c.patient_key, split_part(c.resource_id, '#', 1) as claim_id
    from clinical.condition as c
    where c.source_kind = 'claims'
      and c.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.104.12.1011')
      and c.end_lo >= (select first_day from run_window)
      and c.start_lo < (select after_last_day from run_window)
),
claim_line_on_hypertension_claim as (
    select e.row_id, e.patient_key, e.start_lo::date as visit_date
    from clinical.encounter as e
    join hypertension_claim as h
        on h.patient_key = e.patient_key and h.claim_id = split_part(e.resource_id, '#', 1)
    where e.source_kind = 'claims'
      and e.start_lo >= (select first_day from run_window)
      and e.start_lo < (select after_last_day from run_window)
),
outpatient_visit as (
    select v.patient_key, v.visit_date
    from claim_line_on_hypertension_claim as v
    join visit_window as w using (patient_key)
    where v.visit_date between w.window_start and w.window_end
      and v.row_id in (select row_id from code_match
                       where valueset_oid in (select valueset_oid from outpatient_visit_code))
)
select 'hypertension', patient_key
from outpatient_visit
group by patient_key
having count(distinct visit_date) >= 2
