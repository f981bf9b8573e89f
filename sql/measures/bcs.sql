-- BCS, Breast Cancer Screening (CMS125), measures.md 3.1.
create or replace temp table measure_population as
with initial_population as (
    select s.patient_key
    from subject as s
    where s.age_at_end between 52 and 74
      and s.gender = 'female'
      and s.patient_key in (select patient_key from population_gate where measure_id = 'BCS')
),
-- Mastectomy evidence: exact comparison with the MP end, no lower bound.
mastectomy_diagnosis as (
    select c.patient_key, m.valueset_oid, c.row_id
    from code_match as m
    join clinical.condition as c using (row_id)
    join subject as s on s.patient_key = c.patient_key
    where m.valueset_oid in ('2.16.840.1.113883.3.464.1003.198.12.1070',   -- status post right
                             '2.16.840.1.113883.3.464.1003.198.12.1069',   -- status post left
                             '2.16.840.1.113883.3.464.1003.198.12.1071',   -- unspecified laterality
                             '2.16.840.1.113883.3.464.1003.198.12.1068')   -- history of bilateral
      and on_or_before_exact(c.start_lo, c.start_hi, s.mp_end)
),
mastectomy_procedure as (
    select p.patient_key, m.valueset_oid
    from code_match as m
    join clinical.procedure as p using (row_id)
    join subject as s on s.patient_key = p.patient_key
    where m.valueset_oid in ('2.16.840.1.113883.3.464.1003.198.12.1134',   -- unilateral right
                             '2.16.840.1.113883.3.464.1003.198.12.1133',   -- unilateral left
                             '2.16.840.1.113883.3.464.1003.198.12.1005')   -- bilateral
      and p.status = 'completed'
      and on_or_before_exact(p.end_lo, p.end_hi, s.mp_end)
),
-- Plan program: a CPT mastectomy (administrative supplement, unspecified laterality) takes its side from
-- the body site its claim line's modifiers give: RT right, LT left, 50 both (plan-program.md 1).
mastectomy_claim_procedure as (
    select p.patient_key, b.code_normalized as body_site
    from code_match as m
    join clinical.procedure as p using (row_id)
    join direct_code as b on b.row_id = p.row_id
    join subject as s on s.patient_key = p.patient_key
    where $program = 'plan'
      and m.valueset_oid = '2.16.840.1.113883.3.464.1003.198.12.1071'
      and b.element = 'body_site' and b.code_system = 'http://snomed.info/sct'
      and p.status = 'completed'
      and on_or_before_exact(p.end_lo, p.end_hi, s.mp_end)
),
mastectomy_side as (
    select patient_key, 'right' as side from mastectomy_diagnosis
    where valueset_oid = '2.16.840.1.113883.3.464.1003.198.12.1070'
       or (valueset_oid = '2.16.840.1.113883.3.464.1003.198.12.1071'
           and row_id in (select row_id from direct_code where element = 'body_site'
                          and code_system = 'http://snomed.info/sct' and code_normalized = '24028007'))
    union all
    select patient_key, 'left' from mastectomy_diagnosis
    where valueset_oid = '2.16.840.1.113883.3.464.1003.198.12.1069'
       or (valueset_oid = '2.16.840.1.113883.3.464.1003.198.12.1071'
           and row_id in (select row_id from direct_code where element = 'body_site'
                          and code_system = 'http://snomed.info/sct' and code_normalized = '7771000'))
    union all
    select patient_key, 'right' from mastectomy_procedure
    where valueset_oid = '2.16.840.1.113883.3.464.1003.198.12.1134'
    union all
    select patient_key, 'left' from mastectomy_procedure
    where valueset_oid = '2.16.840.1.113883.3.464.1003.198.12.1133'
    union all
    select patient_key, 'both' from mastectomy_diagnosis
    where valueset_oid = '2.16.840.1.113883.3.464.1003.198.12.1068'
    union all
    select patient_key, 'both' from mastectomy_procedure
    where valueset_oid = '2.16.840.1.113883.3.464.1003.198.12.1005'
    union all
    select patient_key, case body_site when '24028007' then 'right' when '7771000' then 'left'
                                       when '51440002' then 'both' end
    from mastectomy_claim_procedure
),
bilateral_mastectomy as (
    select patient_key
    from mastectomy_side
    group by patient_key
    having bool_or(side = 'both') or (bool_or(side = 'right') and bool_or(side = 'left'))
),
-- Mammography: ends during [October 1 two years before the MP year, MP end], any category.
mammography as (
    select o.patient_key, o.row_id, o.end_lo::date as evidence_date
    from clinical.observation as o
    join subject as s on s.patient_key = o.patient_key
    where o.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.108.12.1018')
      and o.status in ('final', 'amended', 'corrected')
      and ends_during_day(o.end_lo, o.end_hi, make_date(year(s.mp_start)::integer - 2, 10, 1), s.mp_end_date)
),
numerator_evidence as (
    select * from mammography
    qualify row_number() over (partition by patient_key order by evidence_date desc, row_id) = 1
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
        case when s.patient_key in (select patient_key from bilateral_mastectomy) then 'bilateral_mastectomy' end,
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
