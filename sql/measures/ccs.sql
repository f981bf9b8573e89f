-- CCS, Cervical Cancer Screening (CMS124), measures.md 3.3.
create or replace temp table measure_population as
with initial_population as (
    select s.patient_key
    from subject as s
    where s.age_at_end between 24 and 64
      and s.gender = 'female'
      and s.patient_key in (select patient_key from population_gate where measure_id = 'CCS')
),
-- Absence of cervix: exact comparison with the MP end, no lower bound.
absence_of_cervix as (
    select p.patient_key
    from clinical.procedure as p
    join subject as s on s.patient_key = p.patient_key
    where p.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.198.12.1014')
      and p.status = 'completed'
      and on_or_before_exact(p.end_lo, p.end_hi, s.mp_end)
    union
    select c.patient_key
    from clinical.condition as c
    join subject as s on s.patient_key = c.patient_key
    where c.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.111.12.1016')
      and on_or_before_exact(c.start_lo, c.start_hi, s.mp_end)
),
lab_test as (
    select patient_key, row_id, valueset_oid, latest_lo, latest_hi
    from lab_test_with_result(['2.16.840.1.113883.3.464.1003.108.12.1017',    -- Pap test
                               '2.16.840.1.113883.3.464.1003.110.12.1059'])   -- HPV test
),
cervical_cytology as (
    select t.patient_key, t.row_id, t.latest_lo::date as evidence_date
    from lab_test as t
    join subject as s using (patient_key)
    where t.valueset_oid = '2.16.840.1.113883.3.464.1003.108.12.1017'
      and during_day(t.latest_lo, t.latest_hi, (s.mp_start - interval 2 year)::date, s.mp_end_date)
),
hpv_test_at_30_or_older as (
    select t.patient_key, t.row_id, t.latest_lo::date
    from lab_test as t
    join subject as s using (patient_key)
    where t.valueset_oid = '2.16.840.1.113883.3.464.1003.110.12.1059'
      and during_day(t.latest_lo, t.latest_hi, (s.mp_start - interval 4 year)::date, s.mp_end_date)
      and age_on(s.birth_date, t.latest_lo::date) >= 30
),
numerator_evidence as (
    select * from (select * from cervical_cytology union all select * from hpv_test_at_30_or_older)
    qualify row_number() over (partition by patient_key order by evidence_date desc, row_id) = 1
)
select
    s.patient_key,
    true as in_initial_population,
    null::varchar as stratum,
    nullif(concat_ws(',',
        case when s.patient_key in (select patient_key from enrollment_exclusion where reason = 'death') then 'death' end,
        case when s.patient_key in (select patient_key from hospice_services) then 'hospice' end,
        case when s.patient_key in (select patient_key from absence_of_cervix) then 'absence_of_cervix' end,
        case when s.patient_key in (select patient_key from palliative_care) then 'palliative_care' end
    ), '') as exclusion_reason,
    n.patient_key is not null as meets_numerator,
    null::varchar as evaluation_error,
    n.row_id as evidence_row_id,
    n.evidence_date
from initial_population as s
left join numerator_evidence as n using (patient_key)
