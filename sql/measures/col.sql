-- COL, Colorectal Cancer Screening (CMS130), measures.md 3.2. Strata by age at MP end.
create or replace temp table measure_population as
with initial_population as (
    select s.patient_key, s.age_at_end
    from subject as s
    where s.age_at_end between 46 and 75
      and s.patient_key in (select patient_key from population_gate where measure_id = 'COL')
),
malignant_neoplasm as (
    select c.patient_key
    from clinical.condition as c
    join subject as s on s.patient_key = c.patient_key
    where c.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.108.12.1001')
      and c.start_hi::date <= s.mp_end_date
),
total_colectomy as (
    select p.patient_key
    from clinical.procedure as p
    join subject as s on s.patient_key = p.patient_key
    where p.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.198.12.1019')
      and p.status = 'completed'
      and p.end_hi::date <= s.mp_end_date
),
-- Lab tests (FOBT, sDNA-FIT): laboratory category, a value, latest(effective) in the window.
lab_test as (
    select patient_key, row_id, valueset_oid, latest_lo, latest_hi
    from lab_test_with_result(['2.16.840.1.113883.3.464.1003.198.12.1011',    -- FOBT
                               '2.16.840.1.113883.3.464.1003.108.12.1039'])   -- sDNA FIT
),
fecal_occult_blood_test as (
    select t.patient_key, t.row_id, t.latest_lo::date as evidence_date
    from lab_test as t
    join subject as s using (patient_key)
    where t.valueset_oid = '2.16.840.1.113883.3.464.1003.198.12.1011'
      and during_day(t.latest_lo, t.latest_hi, s.mp_start_date, s.mp_end_date)
),
stool_dna_fit as (
    select t.patient_key, t.row_id, t.latest_lo::date
    from lab_test as t
    join subject as s using (patient_key)
    where t.valueset_oid = '2.16.840.1.113883.3.464.1003.108.12.1039'
      and during_day(t.latest_lo, t.latest_hi, (s.mp_start - interval 2 year)::date, s.mp_end_date)
),
screening_procedure as (
    select p.patient_key, p.row_id, p.end_lo::date as evidence_date
    from code_match as m
    join clinical.procedure as p using (row_id)
    join subject as s on s.patient_key = p.patient_key
    where p.status = 'completed'
      and ((m.valueset_oid = '2.16.840.1.113883.3.464.1003.198.12.1010'      -- flexible sigmoidoscopy
            and ends_during_day(p.end_lo, p.end_hi, (s.mp_start - interval 4 year)::date, s.mp_end_date))
        or (m.valueset_oid = '2.16.840.1.113883.3.464.1003.108.12.1020'      -- colonoscopy
            and ends_during_day(p.end_lo, p.end_hi, (s.mp_start - interval 9 year)::date, s.mp_end_date)))
),
ct_colonography as (
    select o.patient_key, o.row_id, o.end_lo::date
    from clinical.observation as o
    join subject as s on s.patient_key = o.patient_key
    where o.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.108.12.1038')
      and o.status in ('final', 'amended', 'corrected')
      and ends_during_day(o.end_lo, o.end_hi, (s.mp_start - interval 4 year)::date, s.mp_end_date)
),
numerator_evidence as (
    select * from (
        select * from fecal_occult_blood_test
        union all select * from stool_dna_fit
        union all select * from screening_procedure
        union all select * from ct_colonography
    )
    qualify row_number() over (partition by patient_key order by evidence_date desc, row_id) = 1
)
select
    s.patient_key,
    true as in_initial_population,
    case when s.age_at_end between 46 and 49 then '46-49'
         when s.age_at_end between 50 and 75 then '50-75' end as stratum,
    nullif(concat_ws(',',
        case when s.patient_key in (select patient_key from enrollment_exclusion where reason = 'death') then 'death' end,
        case when s.patient_key in (select patient_key from hospice_services) then 'hospice' end,
        case when s.patient_key in (select patient_key from enrollment_exclusion where reason = 'long_term_institution')
             then 'long_term_institution' end,
        case when s.patient_key in (select patient_key from malignant_neoplasm) then 'colorectal_cancer' end,
        case when s.patient_key in (select patient_key from total_colectomy) then 'total_colectomy' end,
        case when aif.aif_66 then 'advanced_illness_frailty' end,
        case when s.patient_key in (select patient_key from nursing_home) then 'nursing_home' end,
        case when s.patient_key in (select patient_key from palliative_care) then 'palliative_care' end
    ), '') as exclusion_reason,
    n.patient_key is not null as meets_numerator,
    null::varchar as evaluation_error,
    n.row_id as evidence_row_id,
    n.evidence_date
from initial_population as s
left join advanced_illness_frailty as aif using (patient_key)
left join numerator_evidence as n using (patient_key)
