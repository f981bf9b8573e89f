-- CBP's hypertension from claims (plan-program.md 2): at least two outpatient, telephone or virtual
-- visits on different dates of service, between Jan 1 of the year before MY and Jun 30 of MY, each on a
-- claim with an Essential Hypertension diagnosis. (A supplemental Condition meeting the ecqm criterion
-- is already in denominator_condition.)
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
outpatient_visit as (
    select e.patient_key, split_part(e.resource_id, '#', 1) as claim_id, e.start_lo::date as visit_date
    from clinical.encounter as e
    join subject as s on s.patient_key = e.patient_key
    where e.source_kind = 'claims'
      and e.row_id in (select row_id from code_match where valueset_oid in (select valueset_oid from outpatient_visit_code))
      and e.start_lo::date between make_date(year(s.mp_end) - 1, 1, 1) and make_date(year(s.mp_end), 6, 30)
),
hypertension_diagnosis as (
    select distinct c.patient_key, split_part(c.resource_id, '#', 1) as claim_id
    from clinical.condition as c
    where c.source_kind = 'claims'
      and c.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.104.12.1011')
      and c.patient_key in (select patient_key from outpatient_visit)
)
select 'hypertension', v.patient_key
from outpatient_visit as v
join hypertension_diagnosis as d using (patient_key, claim_id)
group by v.patient_key
having count(distinct v.visit_date) >= 2
