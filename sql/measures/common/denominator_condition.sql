-- The conditions that define the CBP, EED and GSD populations, by the ecqm criteria (measures.md 3.4-3.6).
-- The plan program accepts these criteria from supplemental data only (plan-program.md 2); its claims
-- rules add their own rows (plan/claims_hypertension.sql, plan/claims_diabetes.sql).
create or replace temp table denominator_condition as
with accepted_condition as (
    select c.patient_key, c.row_id, c.start_hi, c.end_lo, c.end_hi
    from clinical.condition as c
    where $program = 'ecqm' or c.source_kind <> 'claims'
),
essential_hypertension as (
    -- Prevalence overlaps, exactly, the first six months of the MP (end excluded).
    select c.patient_key
    from accepted_condition as c
    join subject as s on s.patient_key = c.patient_key
    where c.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.104.12.1011')
      and before_exact(c.start_hi, s.mp_start + interval 6 month)
      and on_or_after_exact(c.end_lo, c.end_hi, s.mp_start)
),
diabetes as (
    select c.patient_key
    from accepted_condition as c
    join subject as s on s.patient_key = c.patient_key
    where c.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.103.12.1001')
      and overlaps_day(c.start_hi, c.end_lo, s.mp_start_date, s.mp_end_date)
)
select distinct 'hypertension' as condition, patient_key from essential_hypertension
union all
select distinct 'diabetes', patient_key from diabetes
