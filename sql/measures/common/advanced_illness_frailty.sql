-- Advanced illness and frailty exclusions (measures.md 2.4-2.7): one row per subject with the two
-- variants AIF-66 (BCS, COL, EED, GSD) and AIF-CBP (66-80 with illness, or 81+ with frailty only).
create or replace temp table advanced_illness_frailty as
with frailty_device_order as (                   -- F1
    select r.patient_key
    from clinical.device_request as r
    join subject as s using (patient_key)
    where r.status in ('active', 'completed') and r.intent = 'order'
      and r.do_not_perform is distinct from true
      and r.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.118.12.1300')
      and during_day(r.start_lo, r.end_hi, s.mp_start_date, s.mp_end_date)
),
frailty_equipment_used as (                      -- F2
    select o.patient_key
    from clinical.observation as o
    join subject as s using (patient_key)
    where o.status in ('final', 'amended', 'corrected')
      and o.row_id in (select row_id from clinical.coding where element = 'code'
                       and code_system = 'http://loinc.org' and code_normalized = '98181-1')
      and o.row_id in (select row_id from clinical.coding where element = 'category'
                       and code_system = 'http://terminology.hl7.org/CodeSystem/observation-category' and code = 'survey')
      and o.row_id in (select c.row_id from clinical.coding as c
                       join measures.valueset_code as v
                           on v.code_system = c.code_system and v.code_normalized = c.code_normalized
                       where c.element = 'value' and v.valueset_oid = '2.16.840.1.113883.3.464.1003.118.12.1300')
      and ends_during_day(o.end_lo, o.end_hi, s.mp_start_date, s.mp_end_date)
),
frailty_diagnosis as (                           -- F3
    select c.patient_key
    from clinical.condition as c
    join subject as s using (patient_key)
    where c.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.113.12.1074')
      and overlaps_day(c.start_hi, c.end_lo, s.mp_start_date, s.mp_end_date)
),
frailty_encounter as (                           -- F4
    select e.patient_key
    from clinical.encounter as e
    join subject as s using (patient_key)
    where e.status in ('finished', 'arrived', 'triaged', 'in-progress', 'onleave')
      and e.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.101.12.1088')
      and overlaps_day(e.start_hi, e.end_lo, s.mp_start_date, s.mp_end_date)
),
frailty_symptom as (                             -- F5: an Observation, not a Condition
    select o.patient_key
    from clinical.observation as o
    join subject as s using (patient_key)
    where o.status in ('preliminary', 'final', 'amended', 'corrected')
      and o.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.113.12.1075')
      and overlaps_day(o.start_hi, o.end_lo, s.mp_start_date, s.mp_end_date)
),
frailty as (
    select patient_key from frailty_device_order
    union select patient_key from frailty_equipment_used
    union select patient_key from frailty_diagnosis
    union select patient_key from frailty_encounter
    union select patient_key from frailty_symptom
),
advanced_illness as (                            -- 2.5: onset in the year before or during the MP
    select c.patient_key
    from clinical.condition as c
    join subject as s using (patient_key)
    where c.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.110.12.1082')
      and starts_during_day(c.start_lo, c.start_hi, (s.mp_start - interval 1 year)::date, s.mp_end_date)
),
dementia_medication as (                         -- 2.6: request period overlaps the year before or the MP
    select m.patient_key
    from clinical.medication_request as m
    join subject as s using (patient_key)
    where m.status = 'active' and m.intent = 'order'
      and m.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.196.12.1510')
      and overlaps_day(m.start_hi, m.end_lo, (s.mp_start - interval 1 year)::date, s.mp_end_date)
)
select
    s.patient_key,
    s.age_at_end >= 66
        and s.patient_key in (select patient_key from frailty)
        and (s.patient_key in (select patient_key from advanced_illness)
             or s.patient_key in (select patient_key from dementia_medication)) as aif_66,
    (s.age_at_end between 66 and 80
        and s.patient_key in (select patient_key from frailty)
        and (s.patient_key in (select patient_key from advanced_illness)
             or s.patient_key in (select patient_key from dementia_medication)))
    or (s.age_at_end >= 81 and s.patient_key in (select patient_key from frailty)) as aif_cbp
from subject as s
