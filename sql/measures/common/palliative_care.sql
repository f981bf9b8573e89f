-- Has Palliative Care in the Measurement Period (measures.md 2.3): branches P1-P4, each overlapping
-- (day of) the MP.
create or replace temp table palliative_care as
with palliative_assessment as (                  -- P1: FACIT-Pal survey
    select o.patient_key
    from direct_code as d
    join clinical.observation as o using (row_id)
    join subject as s on s.patient_key = o.patient_key
    where d.element = 'code' and d.code_system = 'http://loinc.org' and d.code_normalized = '71007-9'
      and o.status in ('final', 'amended', 'corrected')
      and o.row_id in (select row_id from observation_category where category = 'survey')
      and overlaps_day(o.start_hi, o.end_lo, s.mp_start_date, s.mp_end_date)
),
palliative_diagnosis as (                        -- P2
    select c.patient_key
    from clinical.condition as c
    join subject as s on s.patient_key = c.patient_key
    where c.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.1167')
      and overlaps_day(c.start_hi, c.end_lo, s.mp_start_date, s.mp_end_date)
),
palliative_encounter as (                        -- P3
    select e.patient_key
    from clinical.encounter as e
    join subject as s on s.patient_key = e.patient_key
    where e.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.101.12.1090')
      and e.status in ('finished', 'arrived', 'triaged', 'in-progress', 'onleave')
      and overlaps_day(e.start_hi, e.end_lo, s.mp_start_date, s.mp_end_date)
),
palliative_intervention as (                     -- P4
    select p.patient_key
    from clinical.procedure as p
    join subject as s on s.patient_key = p.patient_key
    where p.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.198.12.1135')
      and p.status = 'completed'
      and overlaps_day(p.start_hi, p.end_lo, s.mp_start_date, s.mp_end_date)
)
select distinct patient_key from (
    select patient_key from palliative_assessment
    union all select patient_key from palliative_diagnosis
    union all select patient_key from palliative_encounter
    union all select patient_key from palliative_intervention
)
