-- Open care gaps of one measurement year (plan program): every member in a denominator, not
-- excluded, and not in the numerator; for GSD (inverse) in the numerator, i.e. poor control or no
-- test. PCP: scores.attribution of the year when that year has been attributed (plurality of visits
-- = attributed, assigned PCP = assigned), else the PCP assigned on the member's enrollment segment
-- covering Dec 31 of the year (else the latest segment of the year), else none.
insert into measures.care_gap
    (measurement_year, measure_id, person_id, product_line, stratum, inverse, gap_code, gap, close_by,
     pcp_npi, pcp_source, last_service_date, last_assessment_date)
with open_gap as (
    select
        measure_id,
        patient_key as person_id,
        coalesce(product_line, 'unknown') as product_line,
        stratum,
        list_contains($inverse_measures, measure_id) as inverse,
        numerator_date
    from measures.measure_result
    where program = $program
      and measurement_year = $year
      and initial_population
      and not denominator_exclusion
      and numerator = list_contains($inverse_measures, measure_id)
),
member_birth as (
    select 'CIS' as measure_id, patient_key as person_id, min(birth_date) as birth_date
    from clinical.patient
    where patient_key in (select person_id from open_gap where measure_id = 'CIS')
    group by patient_key
),
year_attributed as (
    select count(*) > 0 as present from scores.attribution where measurement_year = $year
),
attributed_pcp as (
    select person_id, pcp_npi,
           case attribution_method when 'plurality_of_visits' then 'attributed'
                                   when 'assigned_pcp' then 'assigned' end as pcp_source
    from scores.attribution
    where measurement_year = $year
      and pcp_npi is not null
      and person_id in (select person_id from open_gap)
),
enrollment_pcp as (
    select person_id,
           arg_max(pcp_npi, struct_pack(covers_year_end := enrollment_end_date >= $year_end,
                                        enrollment_end_date, enrollment_start_date, pcp_npi)) as pcp_npi,
           'assigned' as pcp_source
    from staging.eligibility
    where enrollment_start_date <= $year_end
      and enrollment_end_date >= $year_start
      and pcp_npi is not null
      and person_id in (select person_id from open_gap)
    group by person_id
),
member_pcp as (
    select person_id, pcp_npi, pcp_source from attributed_pcp where (select present from year_attributed)
    union all
    select person_id, pcp_npi, pcp_source from enrollment_pcp where not (select present from year_attributed)
),
-- The member's latest encounter (any type and source) on or before Dec 31 of the year; it is the
-- last relevant service when it falls in the measure's look-back (lookback_start below).
latest_encounter as (
    select patient_key as person_id, max(start_lo::date) as encounter_date
    from clinical.encounter
    where patient_key in (select person_id from open_gap)
      and start_lo::date <= $year_end
      and coalesce(status, 'finished') not in ('planned', 'cancelled', 'entered-in-error')
    group by patient_key
),
described_gap as (
    select
        g.*,
        case g.measure_id
            when 'BCS' then 'no_mammogram'
            when 'COL' then 'no_colorectal_screening'
            when 'CCS' then 'no_cervical_screening'
            when 'CBP' then 'blood_pressure_not_controlled'
            when 'EED' then 'no_eye_exam'
            when 'GSD' then case when g.numerator_date is null then 'no_glycemic_test'
                                 else 'glycemic_status_above_9_or_no_result' end
            when 'CIS' then 'immunizations_incomplete'
            else 'numerator_not_met' end as gap_code,
        case g.measure_id
            when 'BCS' then printf('no mammogram from Oct 1 %d through Dec 31 %d', $year - 2, $year)
            when 'COL' then printf('no colorectal cancer screening: FOBT in %d, stool DNA with FIT since %d, '
                                   || 'flexible sigmoidoscopy or CT colonography since %d, or colonoscopy since %d',
                                   $year, $year - 2, $year - 4, $year - 9)
            when 'CCS' then printf('no cervical cytology since Jan 1 %d and no HPV test at age 30 or older since Jan 1 %d',
                                   $year - 2, $year - 4)
            when 'CBP' then printf('blood pressure not shown controlled (below 140/90) on the most recent reading day of %d, '
                                   || 'or no reading outside inpatient and emergency care', $year)
            when 'EED' then printf('no retinal or dilated eye exam by an eye care professional in %d '
                                   || '(or a negative exam in %d when there is no retinopathy)', $year, $year - 1)
            when 'GSD' then case when g.numerator_date is null
                                 then printf('no HbA1c or GMI test in %d', $year)
                                 else printf('most recent HbA1c or GMI in %d (%s) is above 9%% or has no result',
                                             $year, strftime(g.numerator_date, '%Y-%m-%d')) end
            when 'CIS' then 'immunizations incomplete by the 2nd birthday (DTaP 4, IPV 3, MMR 1, Hib 3 or 4, '
                            || 'hepatitis B 3, VZV 1, PCV 4, hepatitis A 1, rotavirus 2 or 3, influenza 2)'
            else 'numerator not met' end as gap,
        case when g.measure_id = 'CIS' and b.birth_date is not null
             then (b.birth_date + interval 2 year)::date
             else $year_end end as close_by,
        case g.measure_id
            when 'BCS' then make_date($year - 2, 10, 1)
            when 'COL' then make_date($year - 9, 1, 1)
            when 'CCS' then make_date($year - 4, 1, 1)
            when 'EED' then make_date($year - 1, 1, 1)
            when 'CIS' then coalesce(b.birth_date, $year_start)
            else $year_start end as lookback_start
    from open_gap as g
    left join member_birth as b on b.measure_id = g.measure_id and b.person_id = g.person_id
)
select
    $year as measurement_year,
    d.measure_id,
    d.person_id,
    d.product_line,
    d.stratum,
    d.inverse,
    d.gap_code,
    d.gap,
    d.close_by,
    p.pcp_npi,
    coalesce(p.pcp_source, 'none') as pcp_source,
    case when e.encounter_date >= d.lookback_start then e.encounter_date end as last_service_date,
    case when d.inverse then d.numerator_date end as last_assessment_date
from described_gap as d
left join member_pcp as p using (person_id)
left join latest_encounter as e using (person_id)
