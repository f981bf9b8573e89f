-- CIS, Childhood Immunization Status (CMS117), measures.md 3.7: all ten antigens by the second
-- birthday. Doses are counted as distinct calendar dates inside each antigen's window.
create or replace temp table measure_population as
with initial_population as (
    select s.patient_key
    from subject as s
    where s.age_at_end = 2
      and s.patient_key in (select patient_key from population_gate where measure_id = 'CIS')
),
child_window as (
    select patient_key, birth_date,
           (birth_date + interval 7 day)::date as newborn_end,
           (birth_date + interval 42 day)::date as from_42_days,
           (birth_date + interval 180 day)::date as from_180_days,
           (birth_date + interval 1 year)::date as first_birthday,
           (birth_date + interval 2 year)::date as second_birthday
    from subject
    where patient_key in (select patient_key from initial_population)
),
vaccine_evidence(antigen, resource_type, evidence_key, dose_schedule, window_start) as (
    values
    ('dtap', 'Immunization', '2.16.840.1.113883.3.464.1003.196.12.1214', null, '42 days'),
    ('dtap', 'Procedure', '2.16.840.1.113883.3.464.1003.110.12.1022', null, '42 days'),
    ('polio', 'Immunization', '2.16.840.1.113883.3.464.1003.196.12.1219', null, '42 days'),
    ('polio', 'Procedure', '2.16.840.1.113883.3.464.1003.110.12.1045', null, '42 days'),
    ('mmr', 'Immunization', '2.16.840.1.113883.3.464.1003.196.12.1224', null, '1 year'),
    ('mmr', 'Procedure', '2.16.840.1.113883.3.464.1003.110.12.1031', null, '1 year'),
    ('hib', 'Immunization', '2.16.840.1.113883.3.464.1003.110.12.1083', '3 dose', '42 days'),
    ('hib', 'Procedure', '2.16.840.1.113883.3.464.1003.110.12.1084', '3 dose', '42 days'),
    ('hib', 'Immunization', '2.16.840.1.113883.3.464.1003.110.12.1085', '4 dose', '42 days'),
    ('hib', 'Procedure', '2.16.840.1.113883.3.464.1003.110.12.1086', '4 dose', '42 days'),
    ('hepatitis_b', 'Immunization', '2.16.840.1.113883.3.464.1003.196.12.1216', null, 'birth'),
    ('hepatitis_b', 'Procedure', '2.16.840.1.113883.3.464.1003.110.12.1042', null, 'birth'),
    ('varicella', 'Immunization', '2.16.840.1.113883.3.464.1003.196.12.1170', null, '1 year'),
    ('varicella', 'Procedure', '2.16.840.1.113883.3.464.1003.110.12.1040', null, '1 year'),
    ('pneumococcal', 'Immunization', '2.16.840.1.113883.3.464.1003.196.12.1221', null, '42 days'),
    ('pneumococcal', 'Procedure', '2.16.840.1.113883.3.464.1003.110.12.1046', null, '42 days'),
    ('hepatitis_a', 'Immunization', '2.16.840.1.113883.3.464.1003.196.12.1215', null, '1 year'),
    ('hepatitis_a', 'Procedure', '2.16.840.1.113883.3.464.1003.110.12.1041', null, '1 year'),
    ('rotavirus', 'Immunization', 'cvx:119', '2 dose', '42 days'),
    ('rotavirus', 'Procedure', '2.16.840.1.113883.3.464.1003.110.12.1048', '2 dose', '42 days'),
    ('rotavirus', 'Immunization', '2.16.840.1.113883.3.464.1003.196.12.1223', '3 dose', '42 days'),
    ('rotavirus', 'Procedure', '2.16.840.1.113883.3.464.1003.110.12.1047', '3 dose', '42 days'),
    -- Influenza windows differ by source, as written in the measure (measures.md 6.10).
    ('influenza', 'Immunization', '2.16.840.1.113883.3.464.1003.196.12.1218', null, '42 days'),
    ('influenza', 'Procedure', '2.16.840.1.113883.3.464.1003.110.12.1044', null, '180 days'),
    ('laiv', 'Immunization', '2.16.840.1.113883.3.464.1003.110.12.1087', null, 'second birthday'),
    ('laiv', 'Procedure', '2.16.840.1.113883.3.464.1003.110.12.1088', null, 'second birthday')
),
vaccination as (
    select i.patient_key, i.row_id, 'Immunization' as resource_type, m.valueset_oid as evidence_key,
           earliest_of(i.start_lo, i.end_lo, i.start_lo)::date as dose_date
    from code_match as m
    join clinical.immunization as i using (row_id)
    where i.status = 'completed'
      and m.valueset_oid in (select evidence_key from vaccine_evidence)
    union all
    select i.patient_key, i.row_id, 'Immunization', 'cvx:119',
           earliest_of(i.start_lo, i.end_lo, i.start_lo)::date
    from direct_code as d
    join clinical.immunization as i using (row_id)
    where i.status = 'completed' and d.element = 'code'
      and d.code_system = 'http://hl7.org/fhir/sid/cvx' and d.code_normalized = '119'
    union all
    select p.patient_key, p.row_id, 'Procedure', m.valueset_oid,
           earliest_of(p.start_lo, p.end_lo, p.start_lo)::date
    from code_match as m
    join clinical.procedure as p using (row_id)
    where p.status = 'completed'
      and m.valueset_oid in (select evidence_key from vaccine_evidence)
),
antigen_dose as (
    select v.patient_key, e.antigen, e.dose_schedule, v.dose_date, v.row_id
    from vaccination as v
    join vaccine_evidence as e on e.resource_type = v.resource_type and e.evidence_key = v.evidence_key
    join child_window as w using (patient_key)
    where v.dose_date <= w.second_birthday
      and v.dose_date >= case e.window_start
                             when 'birth' then w.birth_date
                             when '42 days' then w.from_42_days
                             when '180 days' then w.from_180_days
                             when '1 year' then w.first_birthday
                             when 'second birthday' then w.second_birthday end
),
antigen_dose_dates as (
    select patient_key, antigen,
           count(distinct dose_date) as dose_dates,
           bool_or(dose_schedule = '4 dose') as has_four_dose_schedule,
           bool_or(dose_schedule = '3 dose') as has_three_dose_schedule
    from antigen_dose
    group by patient_key, antigen
),
hepatitis_b_newborn_dose as (
    select p.patient_key, min(earliest_of(p.start_lo, p.end_lo, p.start_lo)::date) as newborn_date
    from direct_code as d
    join clinical.procedure as p using (row_id)
    join child_window as w on w.patient_key = p.patient_key
    where p.status = 'completed' and d.element = 'code'
      and d.code_system = 'http://www.cms.gov/Medicare/Coding/ICD10' and d.code_normalized = '3E0234Z'
      and earliest_of(p.start_lo, p.end_lo, p.start_lo)::date between w.birth_date and w.newborn_end
    group by p.patient_key
),
hepatitis_b_newborn_route as (
    select n.patient_key
    from hepatitis_b_newborn_dose as n
    join antigen_dose as d on d.patient_key = n.patient_key and d.antigen = 'hepatitis_b'
    where d.dose_date >= n.newborn_date + 1
    group by n.patient_key
    having count(distinct d.dose_date) >= 2
),
vaccine_requirement_met as (
    select patient_key, antigen
    from antigen_dose_dates
    where dose_dates >= case antigen
                            when 'dtap' then 4
                            when 'polio' then 3
                            when 'mmr' then 1
                            when 'hib' then case when has_four_dose_schedule then 4 else 3 end
                            when 'hepatitis_b' then 3
                            when 'varicella' then 1
                            when 'pneumococcal' then 4
                            when 'hepatitis_a' then 1
                            when 'rotavirus' then case when has_three_dose_schedule then 3 else 2 end
                            when 'influenza' then 2
                        end
    union
    select patient_key, 'hepatitis_b' from hepatitis_b_newborn_route
    union
    select f.patient_key, 'influenza'
    from antigen_dose_dates as f
    join antigen_dose_dates as l on l.patient_key = f.patient_key and l.antigen = 'laiv'
    where f.antigen = 'influenza' and f.dose_dates >= 1
),
-- Conditions standing in for a vaccine: onset within the first two years.
condition_evidence(antigen, evidence_key) as (
    values
    ('dtap', '2.16.840.1.113883.3.464.1003.199.12.1031'),   -- anaphylactic reaction to DTaP vaccine
    ('dtap', '2.16.840.1.113883.3.464.1003.1164'),          -- encephalitis due to DTP vaccine
    ('polio', 'snomed:471321000124106'),
    ('mmr', 'snomed:471331000124109'),
    ('measles', '2.16.840.1.113883.3.464.1003.110.12.1053'),
    ('mumps', '2.16.840.1.113883.3.464.1003.110.12.1032'),
    ('rubella', '2.16.840.1.113883.3.464.1003.110.12.1037'),
    ('hib', 'snomed:433621000124101'),
    ('hepatitis_b', 'snomed:428321000124101'),
    ('hepatitis_b', '2.16.840.1.113883.3.464.1003.110.12.1025'),
    ('varicella', '2.16.840.1.113883.3.464.1003.110.12.1039'),
    ('varicella', 'snomed:471341000124104'),
    ('pneumococcal', 'snomed:471141000124102'),
    ('hepatitis_a', '2.16.840.1.113883.3.464.1003.110.12.1024'),
    ('hepatitis_a', 'snomed:471311000124103'),
    ('rotavirus', 'snomed:428331000124103'),
    ('influenza', 'snomed:471361000124100')
),
condition_code as (
    select row_id, valueset_oid as evidence_key from code_match
    where valueset_oid in (select evidence_key from condition_evidence)
       or valueset_oid in ('2.16.840.1.113883.3.464.1003.120.12.1007', '2.16.840.1.113883.3.464.1003.120.12.1001',
                           '2.16.840.1.113883.3.464.1003.120.12.1003', '2.16.840.1.113883.3.464.1003.108.12.1009',
                           '2.16.840.1.113883.3.464.1003.199.12.1056')
    union all
    select row_id, 'snomed:' || code_normalized from direct_code
    where element = 'code' and code_system = 'http://snomed.info/sct'
),
condition_key as (
    select c.patient_key, k.evidence_key
    from condition_code as k
    join clinical.condition as c using (row_id)
    join child_window as w on w.patient_key = c.patient_key
    where starts_during_day(c.start_lo, c.start_hi, w.birth_date, w.second_birthday)
),
condition_antigen as (
    select distinct k.patient_key, e.antigen
    from condition_key as k
    join condition_evidence as e using (evidence_key)
),
antigen_met as (
    select patient_key, antigen from vaccine_requirement_met
    union
    select patient_key, antigen from condition_antigen
    where antigen not in ('measles', 'mumps', 'rubella')
    union
    select patient_key, 'mmr' from condition_antigen
    where antigen in ('measles', 'mumps', 'rubella')
    group by patient_key
    having count(distinct antigen) = 3
),
all_antigens_met as (
    select patient_key
    from antigen_met
    where antigen in ('dtap', 'polio', 'mmr', 'hib', 'hepatitis_b', 'varicella', 'pneumococcal',
                      'hepatitis_a', 'rotavirus', 'influenza')
    group by patient_key
    having count(distinct antigen) = 10
),
immunocompromising_condition as (
    select k.patient_key
    from condition_key as k
    where k.evidence_key in ('2.16.840.1.113883.3.464.1003.120.12.1007',   -- severe combined immunodeficiency
                             '2.16.840.1.113883.3.464.1003.120.12.1001',   -- disorders of the immune system
                             '2.16.840.1.113883.3.464.1003.120.12.1003',   -- HIV
                             '2.16.840.1.113883.3.464.1003.108.12.1009',   -- lymphatic / haematopoietic cancer
                             '2.16.840.1.113883.3.464.1003.199.12.1056')   -- intussusception
),
numerator_evidence as (
    select d.patient_key, d.row_id, d.dose_date as evidence_date
    from antigen_dose as d
    where d.patient_key in (select patient_key from all_antigens_met)
    qualify row_number() over (partition by d.patient_key order by d.dose_date desc, d.row_id) = 1
)
select
    s.patient_key,
    true as in_initial_population,
    null::varchar as stratum,
    nullif(concat_ws(',',
        case when s.patient_key in (select patient_key from enrollment_exclusion where reason = 'death') then 'death' end,
        case when s.patient_key in (select patient_key from hospice_services) then 'hospice' end,
        case when s.patient_key in (select patient_key from immunocompromising_condition)
             then 'immunocompromising_condition' end
    ), '') as exclusion_reason,
    s.patient_key in (select patient_key from all_antigens_met) as meets_numerator,
    null::varchar as evaluation_error,
    n.row_id as evidence_row_id,
    n.evidence_date
from initial_population as s
left join numerator_evidence as n using (patient_key)
