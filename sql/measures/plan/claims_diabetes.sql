-- EED's and GSD's diabetes from claims (plan-program.md 2), in MY or the year before: (a) two
-- outpatient, emergency department, telephone or virtual visits on different dates, each on a claim
-- with a Diabetes diagnosis, or (b) one acute inpatient stay (the inpatient-stay rule of section 1,
-- professional place of service 21 included) with a Diabetes diagnosis, discharged in the window.
-- (A supplemental Condition meeting the ecqm criterion is already in denominator_condition.)
insert into denominator_condition
with outpatient_visit_code(valueset_oid) as (
    values ('2.16.840.1.113883.3.464.1003.101.12.1001'),   -- Office Visit
           ('2.16.840.1.113883.3.526.3.1240'),             -- Annual Wellness Visit
           ('2.16.840.1.113883.3.464.1003.101.12.1025'),   -- Preventive Care, established, 18+
           ('2.16.840.1.113883.3.464.1003.101.12.1023'),   -- Preventive Care, initial, 18+
           ('2.16.840.1.113883.3.464.1003.101.12.1024'),   -- Preventive Care, established, 0-17
           ('2.16.840.1.113883.3.464.1003.101.12.1022'),   -- Preventive Care, initial, 0-17
           ('2.16.840.1.113883.3.464.1003.101.12.1016'),   -- Home Healthcare Services
           ('2.16.840.1.113883.3.526.3.1285'),             -- Ophthalmological Services
           ('2.16.840.1.113883.3.464.1003.101.12.1080'),   -- Telephone Visits
           ('2.16.840.1.113883.3.464.1003.101.12.1089')    -- Virtual Encounter
),
diabetes_window as (
    select patient_key, make_date(year(mp_end) - 1, 1, 1) as window_start, make_date(year(mp_end), 12, 31) as window_end
    from subject
),
visit as (
    select e.patient_key, split_part(e.resource_id, '#', 1) as claim_id, e.start_lo::date as visit_date
    from clinical.encounter as e
    join diabetes_window as w on w.patient_key = e.patient_key
    where e.source_kind = 'claims'
      and (e.row_id in (select row_id from code_match where valueset_oid in (select valueset_oid from outpatient_visit_code))
           or e.resource_id like '%#emergency')
      and e.start_lo::date between w.window_start and w.window_end
),
inpatient_stay as (
    select e.patient_key, split_part(e.resource_id, '#', 1) as claim_id
    from clinical.encounter as e
    join diabetes_window as w on w.patient_key = e.patient_key
    where e.source_kind = 'claims'
      and e.resource_id like '%#inpatient'
      and e.end_lo::date between w.window_start and w.window_end
),
diabetes_diagnosis as (
    select distinct c.patient_key, split_part(c.resource_id, '#', 1) as claim_id
    from clinical.condition as c
    where c.source_kind = 'claims'
      and c.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.103.12.1001')
),
two_visits as (
    select v.patient_key
    from visit as v
    join diabetes_diagnosis as d using (patient_key, claim_id)
    group by v.patient_key
    having count(distinct v.visit_date) >= 2
),
one_inpatient_stay as (
    select distinct i.patient_key
    from inpatient_stay as i
    join diabetes_diagnosis as d using (patient_key, claim_id)
)
select 'diabetes', patient_key from two_visits
union
select 'diabetes', patient_key from one_inpatient_stay
