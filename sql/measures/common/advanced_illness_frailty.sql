-- Advanced illness and frailty exclusions (measures.md 2.4-2.7): one row per subject with the two
-- variants AIF-66 (BCS, COL, EED, GSD) and AIF-CBP (66-80 with illness, or 81+ with frailty only).
create or replace temp table advanced_illness_frailty as
with frailty_device_order as (                   -- F1
    select r.patient_key
    from clinical.device_request as r
    join subject as s on s.patient_key = r.patient_key
    where r.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.118.12.1300')
      and r.status in ('active', 'completed') and r.intent = 'order'
      and r.do_not_perform is distinct from true
      and during_day(r.start_lo, r.end_hi, s.mp_start_date, s.mp_end_date)
),
frailty_device_claim as (                       -- F1, plan program: a DME claim line (HCPCS supplement)
    select p.patient_key
    from clinical.procedure as p
    join subject as s on s.patient_key = p.patient_key
    where $program = 'plan'
      and p.source_kind = 'claims'
      and p.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.118.12.1300')
      and p.status = 'completed'
      and overlaps_day(p.start_hi, p.end_lo, s.mp_start_date, s.mp_end_date)
),
frailty_equipment_used as (                      -- F2: the answer is a frailty device
    select o.patient_key
    from direct_code as d
    join clinical.observation as o using (row_id)
    join subject as s on s.patient_key = o.patient_key
    where d.element = 'code' and d.code_system = 'http://loinc.org' and d.code_normalized = '98181-1'
      and o.status in ('final', 'amended', 'corrected')
      and o.row_id in (select row_id from observation_category where category = 'survey')
      and o.row_id in (select a.row_id from direct_code as a
                       join measures.valueset_code as v
                           on v.code_system = a.code_system and v.code_normalized = a.code_normalized
                       where a.element = 'value' and v.valueset_oid = '2.16.840.1.113883.3.464.1003.118.12.1300')
      and ends_during_day(o.end_lo, o.end_hi, s.mp_start_date, s.mp_end_date)
),
frailty_diagnosis as (                           -- F3
    select c.patient_key
    from clinical.condition as c
    join subject as s on s.patient_key = c.patient_key
    where c.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.113.12.1074')
      and overlaps_day(c.start_hi, c.end_lo, s.mp_start_date, s.mp_end_date)
),
frailty_encounter as (                           -- F4
    select e.patient_key
    from clinical.encounter as e
    join subject as s on s.patient_key = e.patient_key
    where e.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.101.12.1088')
      and e.status in ('finished', 'arrived', 'triaged', 'in-progress', 'onleave')
      and overlaps_day(e.start_hi, e.end_lo, s.mp_start_date, s.mp_end_date)
),
frailty_symptom as (                             -- F5: an Observation, not a Condition
    select o.patient_key
    from clinical.observation as o
    join subject as s on s.patient_key = o.patient_key
    where o.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.113.12.1075')
      and o.status in ('preliminary', 'final', 'amended', 'corrected')
      and overlaps_day(o.start_hi, o.end_lo, s.mp_start_date, s.mp_end_date)
),
frailty as (
    select patient_key from frailty_device_order
    union select patient_key from frailty_device_claim
    union select patient_key from frailty_equipment_used
    union select patient_key from frailty_diagnosis
    union select patient_key from frailty_encounter
    union select patient_key from frailty_symptom
),
advanced_illness as (                            -- 2.5: onset in the year before or during the MP
    select c.patient_key
    from clinical.condition as c
    join subject as s on s.patient_key = c.patient_key
    where c.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.110.12.1082')
      and starts_during_day(c.start_lo, c.start_hi, (s.mp_start - interval 1 year)::date, s.mp_end_date)
),
dementia_medication as (                         -- 2.6: request period overlaps the year before or the MP
    select r.patient_key
    from clinical.medication_request as r
    join subject as s on s.patient_key = r.patient_key
    where r.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.196.12.1510')
      and r.status = 'active' and r.intent = 'order'
      and overlaps_day(r.start_hi, r.end_lo, (s.mp_start - interval 1 year)::date, s.mp_end_date)
),
age_66_or_older as (
    select patient_key, age_at_end from subject where age_at_end >= 66
)
select
    a.patient_key,
    a.patient_key in (select patient_key from frailty)
        and (a.patient_key in (select patient_key from advanced_illness)
             or a.patient_key in (select patient_key from dementia_medication)) as aif_66,
    a.patient_key in (select patient_key from frailty)
        and (a.age_at_end >= 81
             or a.patient_key in (select patient_key from advanced_illness)
             or a.patient_key in (select patient_key from dementia_medication)) as aif_cbp
from age_66_or_older as a
