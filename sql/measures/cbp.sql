-- CBP, Controlling High Blood Pressure (CMS165), measures.md 3.4.
create or replace temp table measure_population as
with initial_population as (
    select s.patient_key
    from subject as s
    where s.age_at_end between 18 and 85
      and s.patient_key in (select patient_key from denominator_condition where condition = 'hypertension')
      and s.patient_key in (select patient_key from population_gate where measure_id = 'CBP')
),
pregnancy_or_renal_diagnosis as (
    select c.patient_key
    from clinical.condition as c
    join subject as s on s.patient_key = c.patient_key
    where c.row_id in (
        select row_id from code_match
        where valueset_oid in ('2.16.840.1.113883.3.526.3.378',              -- Pregnancy
                               '2.16.840.1.113883.3.526.3.353',              -- ESRD
                               '2.16.840.1.113883.3.464.1003.109.12.1029',   -- kidney transplant recipient
                               '2.16.840.1.113883.3.526.3.1002'))             -- CKD stage 5
      and c.patient_key in (select patient_key from initial_population)
      and on_or_before_exact(c.start_lo, c.start_hi, s.mp_end)
      and on_or_after_exact(c.end_lo, c.end_hi, s.mp_start)
),
end_stage_renal_disease_procedure as (
    select p.patient_key
    from clinical.procedure as p
    join subject as s on s.patient_key = p.patient_key
    where p.row_id in (
        select row_id from code_match
        where valueset_oid in ('2.16.840.1.113883.3.464.1003.109.12.1012',   -- kidney transplant
                               '2.16.840.1.113883.3.464.1003.109.12.1013'))   -- dialysis services
      and p.status = 'completed'
      and on_or_before_exact(p.end_lo, p.end_hi, s.mp_end)
),
end_stage_renal_disease_encounter as (
    select e.patient_key
    from clinical.encounter as e
    join subject as s on s.patient_key = e.patient_key
    where e.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.109.12.1014')
      and e.status in ('finished', 'arrived', 'triaged', 'in-progress', 'onleave')
      and on_or_before_exact(e.start_lo, e.start_hi, s.mp_end)
),
-- Qualifying readings: BP panels (LOINC 85354-9, measures.md 6.1) not taken in an acute or
-- emergency encounter; the encounter is looked up by id with no status filter.
blood_pressure_reading as (
    select o.patient_key, o.row_id,
           latest_of(o.start_lo, o.end_lo, o.end_lo)::date as reading_date
    from direct_code as d
    join clinical.observation as o using (row_id)
    join subject as s on s.patient_key = o.patient_key
    where d.element = 'code' and d.code_system = 'http://loinc.org' and d.code_normalized = '85354-9'
      and o.patient_key in (select patient_key from initial_population)
      and o.status in ('final', 'amended', 'corrected')
      and during_day(latest_of(o.start_lo, o.end_lo, o.end_lo), latest_of(o.start_hi, o.end_hi, o.end_lo),
                     s.mp_start_date, s.mp_end_date)
      and not exists (
          select 1 from clinical.encounter as e
          where e.patient_key = o.patient_key and e.resource_id = o.encounter_id
            and e.class_code in ('EMER', 'IMP', 'ACUTE', 'NONAC', 'PRENC', 'SS'))
),
most_recent_reading as (
    select * from blood_pressure_reading
    qualify reading_date = max(reading_date) over (partition by patient_key)
),
-- One value per reading and component; a component that is absent, not a number, or not in
-- mm[Hg] is missing. A comparator or a non-UCUM system is an evaluation error (measures.md 6.7).
reading_value as (
    select
        r.patient_key, r.row_id, r.reading_date,
        min(c.value_quantity) filter (where c.code_system = 'http://loinc.org' and c.code_normalized = '8480-6'
                                      and c.value_unit in ('mm[Hg]', 'mmHg') and c.value_comparator is null)
            as systolic,
        min(c.value_quantity) filter (where c.code_system = 'http://loinc.org' and c.code_normalized = '8462-4'
                                      and c.value_unit in ('mm[Hg]', 'mmHg') and c.value_comparator is null)
            as diastolic,
        coalesce(bool_or(c.value_comparator is not null
                         or coalesce(c.value_unit_system, 'http://unitsofmeasure.org') <> 'http://unitsofmeasure.org'),
                 false) as has_unusable_quantity
    from most_recent_reading as r
    left join clinical.observation_component as c using (row_id)
    group by r.patient_key, r.row_id, r.reading_date
),
-- Lowest on the most recent day, missing values first: one missing value makes the minimum missing.
lowest_on_most_recent_day as (
    select
        patient_key,
        case when bool_and(systolic is not null) then min(systolic) end as lowest_systolic,
        case when bool_and(diastolic is not null) then min(diastolic) end as lowest_diastolic,
        bool_or(has_unusable_quantity) as has_unusable_quantity,
        min(row_id) as row_id,
        max(reading_date) as reading_date
    from reading_value
    group by patient_key
),
numerator_evidence as (
    select patient_key, row_id, reading_date as evidence_date,
           lowest_systolic < 140 and lowest_diastolic < 90 as controlled, has_unusable_quantity
    from lowest_on_most_recent_day
)
select
    s.patient_key,
    true as in_initial_population,
    null::varchar as stratum,
    nullif(concat_ws(',',
        case when s.patient_key in (select patient_key from enrollment_exclusion where reason = 'death') then 'death' end,
        case when s.patient_key in (select patient_key from hospice_services) then 'hospice' end,
        case when s.patient_key in (select patient_key from enrollment_exclusion where reason = 'long_term_institution')
             then 'long_term_institution' end,
        case when s.patient_key in (select patient_key from pregnancy_or_renal_diagnosis) then 'pregnancy_or_renal_diagnosis' end,
        case when s.patient_key in (select patient_key from end_stage_renal_disease_procedure) then 'esrd_procedure' end,
        case when s.patient_key in (select patient_key from end_stage_renal_disease_encounter) then 'esrd_encounter' end,
        case when aif.aif_cbp then 'advanced_illness_frailty' end,
        case when s.patient_key in (select patient_key from nursing_home) then 'nursing_home' end,
        case when s.patient_key in (select patient_key from palliative_care) then 'palliative_care' end
    ), '') as exclusion_reason,
    coalesce(n.controlled, false) as meets_numerator,
    case when n.has_unusable_quantity
         then 'blood pressure with a comparator or a non-UCUM unit on the most recent day' end as evaluation_error,
    n.row_id as evidence_row_id,
    n.evidence_date
from initial_population as s
left join advanced_illness_frailty as aif using (patient_key)
left join numerator_evidence as n using (patient_key)
