-- GSD, Diabetes: Glycemic Status Assessment > 9% (CMS122), measures.md 3.6. Inverse measure: the
-- numerator is poor control (no assessment, no result, or > 9 %).
create or replace temp table measure_population as
with initial_population as (
    select s.patient_key
    from subject as s
    where s.age_at_end between 18 and 75
      and s.patient_key in (select patient_key from population_gate where measure_id = 'GSD')
      and s.patient_key in (select patient_key from denominator_condition where condition = 'diabetes')
),
glycemic_status_assessment_code as (     -- HbA1c Laboratory Test, or GMI (LOINC 97506-0)
    select row_id from code_match where valueset_oid = '2.16.840.1.113883.3.464.1003.198.12.1013'
    union
    select row_id from direct_code
    where element = 'code' and code_system = 'http://loinc.org' and code_normalized = '97506-0'
),
glycemic_status_assessment as (
    select o.patient_key, o.row_id, o.value_type, o.value_quantity, o.value_unit, o.value_unit_system,
           o.value_comparator,
           latest_of(o.start_lo, o.end_lo, o.end_lo)::date as assessment_date
    from glycemic_status_assessment_code as a
    join clinical.observation as o using (row_id)
    join subject as s on s.patient_key = o.patient_key
    where o.patient_key in (select patient_key from initial_population)
      and o.status in ('final', 'amended', 'corrected')
      and o.row_id in (select row_id from observation_category where category = 'laboratory')
      and during_day(latest_of(o.start_lo, o.end_lo, o.end_lo), latest_of(o.start_hi, o.end_hi, o.end_lo),
                     s.mp_start_date, s.mp_end_date)
),
-- The most recent day's assessment with the lowest quantity; results that are not quantities
-- sort first (measures.md 6.2), and among those one without any value first.
most_recent_assessment as (
    select *,
        case when value_type = 'Quantity' and value_quantity is not null then value_quantity end as result_quantity
    from glycemic_status_assessment
    qualify row_number() over (
        partition by patient_key
        order by assessment_date desc,
                 case when value_type = 'Quantity' and value_quantity is not null then value_quantity end asc nulls first,
                 case when value_type is null or value_type = 'Quantity' then 0 else 1 end,
                 row_id) = 1
),
numerator_evidence as (
    select patient_key, row_id, assessment_date as evidence_date,
           result_quantity is null and (value_type is null or value_type = 'Quantity') as has_no_result,
           result_quantity > 9 and value_unit = '%' and value_comparator is null
               and coalesce(value_unit_system, 'http://unitsofmeasure.org') = 'http://unitsofmeasure.org'
               as is_elevated,
           result_quantity is not null and (value_comparator is not null
               or coalesce(value_unit_system, 'http://unitsofmeasure.org') <> 'http://unitsofmeasure.org')
               as has_unusable_quantity
    from most_recent_assessment
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
        case when s.patient_key in (select patient_key from nursing_home) then 'nursing_home' end,
        case when aif.aif_66 then 'advanced_illness_frailty' end,
        case when s.patient_key in (select patient_key from palliative_care) then 'palliative_care' end
    ), '') as exclusion_reason,
    n.patient_key is null or n.has_no_result or coalesce(n.is_elevated, false) as meets_numerator,
    case when n.has_unusable_quantity
         then 'glycemic result with a comparator or a non-UCUM unit' end as evaluation_error,
    n.row_id as evidence_row_id,
    n.evidence_date
from initial_population as s
left join advanced_illness_frailty as aif using (patient_key)
left join numerator_evidence as n using (patient_key)
