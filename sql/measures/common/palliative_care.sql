-- Has Palliative Care in the Measurement Period (measures.md 2.3): branches P1-P4, each overlapping
-- (day of) the MP.
create or replace temp table palliative_care as
with palliative_assessment as (                  -- P1: FACIT-Pal survey
    select o.patient_key
    from clinical.observation as o
    join subject as s using (patient_key)
    where o.status in ('final', 'amended', 'corrected')
      and o.row_id in (select row_id from clinical.coding where element = 'code'
                       and code_system = 'http://loinc.org' and code_normalized = '71007-9')
      and o.row_id in (select row_id from clinical.coding where element = 'category'
                       and code_system = 'http://terminology.hl7.org/CodeSystem/observation-category' and code = 'survey')
      and overlaps_day(o.start_hi, o.end_lo, s.mp_start_date, s.mp_end_date)
),
palliative_diagnosis as (                        -- P2
    select c.patient_key
    from clinical.condition as c
    join subject as s using (patient_key)
    where c.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.1167')
      and overlaps_day(c.start_hi, c.end_lo, s.mp_start_date, s.mp_end_date)
),
palliative_encounter as (                        -- P3
    select e.patient_key
    from clinical.encounter as e
    join subject as s using (patient_key)
    where e.status in ('finished', 'arrived', 'triaged', 'in-progress', 'onleave')
      and e.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.101.12.1090')
      and overlaps_day(e.start_hi, e.end_lo, s.mp_start_date, s.mp_end_date)
),
palliative_intervention as (                     -- P4
    select p.patient_key
    from clinical.procedure as p
    join subject as s using (patient_key)
    where p.status = 'completed'
      and p.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.198.12.1135')
      and overlaps_day(p.start_hi, p.end_lo, s.mp_start_date, s.mp_end_date)
)
select distinct patient_key from (
    select patient_key from palliative_assessment
    union all select patient_key from palliative_diagnosis
    union all select patient_key from palliative_encounter
    union all select patient_key from palliative_intervention
)
