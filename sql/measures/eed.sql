-- EED, Diabetes: Eye Exam (CMS131), measures.md 3.5.
create or replace temp table measure_population as
with initial_population as (
    select s.patient_key
    from subject as s
    where s.age_at_end between 18 and 75
      and s.patient_key in (select patient_key from population_gate where measure_id = 'EED')
      and s.patient_key in (select patient_key from denominator_condition where condition = 'diabetes')
),
diabetic_retinopathy as (
    select c.patient_key
    from clinical.condition as c
    join subject as s on s.patient_key = c.patient_key
    where c.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.526.3.327')
      and overlaps_day(c.start_hi, c.end_lo, s.mp_start_date, s.mp_end_date)
),
-- Plan program: CPT II 3072F stands for an exam without retinopathy in the year before MY; it counts
-- only when retinopathy is not present in MY (plan-program.md 1, settled details).
low_risk_without_retinopathy_code as (
    select d.row_id
    from direct_code as d
    where $program = 'plan'
      and d.element = 'code' and d.code_system = 'http://www.ama-assn.org/go/cpt' and d.code_normalized = '3072F'
),
-- With retinopathy the exam must be in the MP; without, in the MP or the year before.
retinal_exam as (
    select o.patient_key, o.row_id, o.end_lo::date as evidence_date
    from clinical.observation as o
    join subject as s on s.patient_key = o.patient_key
    where o.row_id in (select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.115.12.1088')
      and o.status in ('final', 'amended', 'corrected')
      and o.row_id in (select row_id from observation_category where category = 'exam')
      and not (o.row_id in (select row_id from low_risk_without_retinopathy_code)
               and o.patient_key in (select patient_key from diabetic_retinopathy))
      and during_day(o.start_lo, o.end_hi,
                     case when o.patient_key in (select patient_key from diabetic_retinopathy) then s.mp_start_date
                          else (s.mp_start - interval 1 year)::date end,
                     s.mp_end_date)
),
numerator_evidence as (
    select * from retinal_exam
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
