-- Qualifying encounters (measures.md 2.1, 3.3, 3.5, 3.7): a performed encounter of a listed type
-- whose period lies during (day of) the MP. One row per patient and list that qualifies.
create or replace temp table qualifying_encounter as
with encounter_list(list, type_key) as (
    values
    -- adult (AdultOutpatientEncounters): BCS, COL, CBP, GSD
    ('adult', '2.16.840.1.113883.3.464.1003.101.12.1001'),   -- Office Visit
    ('adult', '2.16.840.1.113883.3.526.3.1240'),             -- Annual Wellness Visit
    ('adult', '2.16.840.1.113883.3.464.1003.101.12.1025'),   -- Preventive established 18+
    ('adult', '2.16.840.1.113883.3.464.1003.101.12.1023'),   -- Preventive initial 18+
    ('adult', '2.16.840.1.113883.3.464.1003.101.12.1016'),   -- Home Healthcare Services
    ('adult', '2.16.840.1.113883.3.464.1003.101.12.1089'),   -- Virtual Encounter
    ('adult', '2.16.840.1.113883.3.464.1003.101.12.1080'),   -- Telephone Visits
    -- CCS: no Annual Wellness Visit
    ('ccs', '2.16.840.1.113883.3.464.1003.101.12.1001'),
    ('ccs', '2.16.840.1.113883.3.464.1003.101.12.1025'),
    ('ccs', '2.16.840.1.113883.3.464.1003.101.12.1023'),
    ('ccs', '2.16.840.1.113883.3.464.1003.101.12.1016'),
    ('ccs', '2.16.840.1.113883.3.464.1003.101.12.1080'),
    ('ccs', '2.16.840.1.113883.3.464.1003.101.12.1089'),
    -- EED: Ophthalmological Services, no Virtual Encounter
    ('eed', '2.16.840.1.113883.3.464.1003.101.12.1001'),
    ('eed', '2.16.840.1.113883.3.526.3.1240'),
    ('eed', '2.16.840.1.113883.3.464.1003.101.12.1025'),
    ('eed', '2.16.840.1.113883.3.464.1003.101.12.1023'),
    ('eed', '2.16.840.1.113883.3.464.1003.101.12.1016'),
    ('eed', '2.16.840.1.113883.3.526.3.1285'),
    ('eed', '2.16.840.1.113883.3.464.1003.101.12.1080'),
    -- CIS: paediatric preventive visits and the direct code CPT 99211
    ('cis', '2.16.840.1.113883.3.464.1003.101.12.1001'),
    ('cis', '2.16.840.1.113883.3.464.1003.101.12.1016'),
    ('cis', '2.16.840.1.113883.3.464.1003.101.12.1024'),
    ('cis', '2.16.840.1.113883.3.464.1003.101.12.1022'),
    ('cis', '2.16.840.1.113883.3.464.1003.101.12.1089'),
    ('cis', '2.16.840.1.113883.3.464.1003.101.12.1080'),
    ('cis', 'cpt:99211')
),
encounter_type as (
    select m.row_id, m.valueset_oid as type_key
    from code_match as m
    where m.valueset_oid in (select type_key from encounter_list)
    union all
    select d.row_id, 'cpt:99211'
    from direct_code as d
    where d.element = 'code' and d.code_system = 'http://www.ama-assn.org/go/cpt' and d.code_normalized = '99211'
),
performed_encounter_in_period as (
    select distinct e.patient_key, t.type_key
    from encounter_type as t
    join clinical.encounter as e using (row_id)
    join subject as s on s.patient_key = e.patient_key
    where e.status in ('finished', 'arrived', 'triaged', 'in-progress', 'onleave')
      and during_day(e.start_lo, e.end_hi, s.mp_start_date, s.mp_end_date)
)
select distinct p.patient_key, l.list
from performed_encounter_in_period as p
join encounter_list as l using (type_key)
