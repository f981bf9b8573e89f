-- Has Hospice Services (measures.md 2.2): one row per patient with any of branches H1-H6.
create or replace temp table hospice_services as
with inpatient_discharged_to_hospice as (        -- H1
    select e.patient_key
    from clinical.encounter as e
    join subject as s on s.patient_key = e.patient_key
    where e.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.666.5.307')
      and e.status in ('finished', 'arrived', 'triaged', 'in-progress', 'onleave')
      and e.row_id in (select row_id from direct_code
                       where element = 'discharge_disposition' and code_system = 'http://snomed.info/sct'
                         and code_normalized in ('428361000124107', '428371000124100'))
      and ends_during_day(e.end_lo, e.end_hi, s.mp_start_date, s.mp_end_date)
),
hospice_encounter as (                           -- H2
    select e.patient_key
    from clinical.encounter as e
    join subject as s on s.patient_key = e.patient_key
    where e.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.1003')
      and e.status in ('finished', 'arrived', 'triaged', 'in-progress', 'onleave')
      and overlaps_day(e.start_hi, e.end_lo, s.mp_start_date, s.mp_end_date)
),
hospice_assessment as (                          -- H3: MDS item answered Yes
    select o.patient_key
    from direct_code as d
    join clinical.observation as o using (row_id)
    join subject as s on s.patient_key = o.patient_key
    where d.element = 'code' and d.code_system = 'http://loinc.org' and d.code_normalized = '45755-6'
      and o.status in ('final', 'amended', 'corrected')
      and o.row_id in (select row_id from observation_category where category = 'survey')
      and o.row_id in (select row_id from direct_code where element = 'value'
                       and code_system = 'http://snomed.info/sct' and code_normalized = '373066001')
      and overlaps_day(o.start_hi, o.end_lo, s.mp_start_date, s.mp_end_date)
),
hospice_order as (                               -- H4
    select r.patient_key
    from clinical.service_request as r
    join subject as s on s.patient_key = r.patient_key
    where r.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.526.3.1584')
      and r.status in ('active', 'completed') and r.intent = 'order'
      and during_day(r.start_lo, r.end_hi, s.mp_start_date, s.mp_end_date)
),
hospice_procedure as (                           -- H5
    select p.patient_key
    from clinical.procedure as p
    join subject as s on s.patient_key = p.patient_key
    where p.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.526.3.1584')
      and p.status = 'completed'
      and overlaps_day(p.start_hi, p.end_lo, s.mp_start_date, s.mp_end_date)
),
hospice_diagnosis as (                           -- H6
    select c.patient_key
    from clinical.condition as c
    join subject as s on s.patient_key = c.patient_key
    where c.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.1165')
      and overlaps_day(c.start_hi, c.end_lo, s.mp_start_date, s.mp_end_date)
)
select distinct patient_key from (
    select patient_key from inpatient_discharged_to_hospice
    union all select patient_key from hospice_encounter
    union all select patient_key from hospice_assessment
    union all select patient_key from hospice_order
    union all select patient_key from hospice_procedure
    union all select patient_key from hospice_diagnosis
)
