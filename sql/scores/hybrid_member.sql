-- The eligible population of each hybrid measure x product line for one measurement year, with
-- what the administrative data and the medical record say about each member. One row per
-- measure x member. `administrative_met` and `record_met` are in the performance orientation
-- (true = the care was given / the condition is controlled), so that for the inverse GSD the
-- record can close a gap exactly as for the other measures: a chart HbA1c <= 9.0% dated on or
-- after the administrative evidence takes the member out of "poor control".
with eligible as (
    select r.measure_id,
           coalesce(r.product_line, 'unknown') as product_line,
           r.patient_key as person_id,
           r.denominator_exclusion or r.denominator_exception as administrative_exclusion,
           case when r.measure_id in (select unnest($inverse_measures))
                then not r.numerator else r.numerator end as administrative_met,
           r.numerator_date as administrative_evidence_date
    from measures.measure_result as r
    where r.program = $program
      and r.measurement_year = $year
      and r.measure_id in (select unnest($hybrid_measures))
      and r.initial_population
),
finding as (
    select f.person_id, f.measure_id, f.finding_type, f.code_system, f.code, f.result_value, f.service_date
    from staging.medical_record_abstraction as f
    where f.person_id in (select person_id from eligible)
      and f.service_date <= $year_end
),
record_exclusion as (
    select distinct measure_id, person_id
    from finding
    where finding_type = 'exclusion'
),
-- CBP: the chart's most recent day in the year with both a systolic and a diastolic reading; the
-- lowest of each that day; controlled when below 140 / 90.
blood_pressure_day as (
    select person_id, service_date,
           min(result_value) filter (where code = '8480-6') as systolic,
           min(result_value) filter (where code = '8462-4') as diastolic
    from finding
    where measure_id = 'CBP' and finding_type = 'result_value' and service_date >= $year_start
    group by person_id, service_date
    having systolic is not null and diastolic is not null
),
blood_pressure_controlled as (
    select 'CBP' as measure_id, person_id
    from blood_pressure_day
    qualify row_number() over (partition by person_id order by service_date desc) = 1
        and systolic < 140 and diastolic < 90
),
-- CCS: a cytology report in the year or the two before, or an HPV test in the year or the four before.
cervical_screening_documented as (
    select distinct 'CCS' as measure_id, person_id
    from finding
    where measure_id = 'CCS' and finding_type = 'numerator_event'
      and service_date >= case when code in ('87624', '87625', 'G0476') then $year_start - interval 4 year
                               else $year_start - interval 2 year end
),
-- CIS: every one of the ten antigens documented (CVX in the measure's immunization value sets) by the
-- second birthday; the abstractor records one finding per antigen whose series the chart completes.
antigen_valueset(antigen, valueset_oid) as (
    values ('dtap', '2.16.840.1.113883.3.464.1003.196.12.1214'),
           ('polio', '2.16.840.1.113883.3.464.1003.196.12.1219'),
           ('mmr', '2.16.840.1.113883.3.464.1003.196.12.1224'),
           ('hib', '2.16.840.1.113883.3.464.1003.110.12.1083'),
           ('hib', '2.16.840.1.113883.3.464.1003.110.12.1085'),
           ('hepatitis_b', '2.16.840.1.113883.3.464.1003.196.12.1216'),
           ('varicella', '2.16.840.1.113883.3.464.1003.196.12.1170'),
           ('pneumococcal', '2.16.840.1.113883.3.464.1003.196.12.1221'),
           ('hepatitis_a', '2.16.840.1.113883.3.464.1003.196.12.1215'),
           ('rotavirus', '2.16.840.1.113883.3.464.1003.196.12.1223'),
           ('influenza', '2.16.840.1.113883.3.464.1003.196.12.1218'),
           ('influenza', '2.16.840.1.113883.3.464.1003.110.12.1087')
),
antigen_code as (
    select distinct a.antigen, v.code_normalized as code
    from antigen_valueset as a
    join measures.valueset_code as v using (valueset_oid)
    where lower(v.code_system) like '%cvx%'
    union
    select 'rotavirus', '119'
),
child_birth as (
    select person_id, max(birth_date) as birth_date
    from staging.eligibility
    where person_id in (select person_id from eligible where measure_id = 'CIS')
    group by person_id
),
immunizations_documented as (
    select 'CIS' as measure_id, f.person_id
    from finding as f
    join antigen_code as a on a.code = upper(trim(f.code))
    join child_birth as b using (person_id)
    where f.measure_id = 'CIS' and f.finding_type = 'numerator_event' and f.code_system = 'CVX'
      and f.service_date <= b.birth_date + interval 2 year
    group by f.person_id
    having count(distinct a.antigen) = (select count(distinct antigen) from antigen_valueset)
),
-- EED: a retinal or dilated eye exam documented in the year.
eye_exam_documented as (
    select distinct 'EED' as measure_id, person_id
    from finding
    where measure_id = 'EED' and finding_type = 'numerator_event' and service_date >= $year_start
),
-- GSD: the chart's most recent HbA1c in the year (lowest that day) is 9.0% or less and is not
-- older than the assessment the administrative data used.
chart_glycemic_result as (
    select person_id, service_date, min(result_value) as result_value
    from finding
    where measure_id = 'GSD' and finding_type = 'result_value' and result_value is not null
      and service_date >= $year_start
    group by person_id, service_date
    qualify row_number() over (partition by person_id order by service_date desc) = 1
),
glycemic_control_documented as (
    select 'GSD' as measure_id, c.person_id
    from chart_glycemic_result as c
    join eligible as e on e.measure_id = 'GSD' and e.person_id = c.person_id
    where c.result_value <= 9.0
      and (e.administrative_evidence_date is null or c.service_date >= e.administrative_evidence_date)
),
record_met as (
    select measure_id, person_id from blood_pressure_controlled
    union select measure_id, person_id from cervical_screening_documented
    union select measure_id, person_id from immunizations_documented
    union select measure_id, person_id from eye_exam_documented
    union select measure_id, person_id from glycemic_control_documented
)
select e.measure_id,
       e.product_line,
       e.person_id,
       e.administrative_exclusion,
       x.person_id is not null as record_exclusion,
       e.administrative_met and not e.administrative_exclusion as administrative_met,
       m.person_id is not null as record_met
from eligible as e
left join record_exclusion as x using (measure_id, person_id)
left join record_met as m using (measure_id, person_id)
order by e.measure_id, e.product_line, e.person_id
