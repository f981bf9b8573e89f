-- The rolling rate of one measurement year as of each month end, per measure x product line, for
-- the plan program. Denominator: the year's denominator (eligible, not excluded), the same at every
-- month end. Numerator as of a month end:
--   higher-is-better measures: in the year's numerator with evidence dated on or before the month
--     end (measure_result keeps the measure's deciding evidence; a numerator without a date counts
--     from January);
--   GSD (inverse, numerator = poor control): in the year's numerator at every month end; a member
--     the year ends controlled counts as poorly controlled ("no test yet") until the date of their
--     most recent glycemic status assessment with a result in the year, which measure_result does
--     not carry for non-numerator members and is read from the clinical model below.
-- Months run from January to the month of the year's last data (latest encounter, numerator
-- evidence or GSD assessment in the year), December when the year has none; the last month's
-- numerator is the year's.
insert into measures.plan_rate_monthly
    (measurement_year, measure_id, product_line, month_end, denominator, numerator, rate, inverse)
with denominator_member as (
    select
        measure_id,
        patient_key,
        coalesce(product_line, 'unknown') as product_line,
        numerator,
        numerator_date
    from measures.measure_result
    where program = $program
      and measurement_year = $year
      and initial_population
      and not denominator_exclusion
),
controlled_glycemic_member as (
    select patient_key from denominator_member where measure_id = 'GSD' and not numerator
),
glycemic_status_assessment_code as (     -- HbA1c Laboratory Test, or GMI (LOINC 97506-0)
    select code_system, code_normalized
    from measures.valueset_code
    where valueset_oid = '2.16.840.1.113883.3.464.1003.198.12.1013'
    union
    select 'http://loinc.org', '97506-0'
),
latest_glycemic_assessment as (
    select 'GSD' as measure_id, o.patient_key, max(coalesce(o.end_lo, o.start_lo)::date) as assessment_date
    from clinical.observation as o
    join clinical.coding as c on c.row_id = o.row_id and c.element = 'code'
    where (c.code_system, c.code_normalized) in (select (code_system, code_normalized) from glycemic_status_assessment_code)
      and o.patient_key in (select patient_key from controlled_glycemic_member)
      and o.status in ('final', 'amended', 'corrected')
      and o.value_quantity is not null
      and coalesce(o.end_lo, o.start_lo)::date between $year_start and $year_end
    group by o.patient_key
),
member_numerator_window as (
    -- In the numerator as of month end M when numerator_from <= M and (numerator_until is null or
    -- M < numerator_until); never when numerator_from is null.
    select
        d.measure_id,
        d.product_line,
        case when list_contains($inverse_measures, d.measure_id) then $year_start
             when d.numerator then coalesce(d.numerator_date, $year_start) end as numerator_from,
        case when list_contains($inverse_measures, d.measure_id) and not d.numerator
             then coalesce(g.assessment_date, $year_start) end as numerator_until
    from denominator_member as d
    left join latest_glycemic_assessment as g using (measure_id, patient_key)
),
last_data_day as (
    select coalesce(max(day), $year_end) as day
    from (
        select max(start_lo::date) as day from clinical.encounter
        where start_lo::date between $year_start and $year_end
        union all
        select max(numerator_date) from denominator_member
        where numerator_date between $year_start and $year_end
        union all
        select max(assessment_date) from latest_glycemic_assessment
    )
),
month_end as (
    select last_day(month_start::date) as month_end
    from generate_series($year_start::timestamp, (select day from last_data_day)::timestamp, interval 1 month)
        as months(month_start)
),
monthly_count as (
    select
        w.measure_id,
        w.product_line,
        m.month_end,
        count(*) as denominator,
        count(*) filter (where w.numerator_from <= m.month_end
                           and (w.numerator_until is null or m.month_end < w.numerator_until)) as numerator
    from member_numerator_window as w
    cross join month_end as m
    group by all
)
select
    $year as measurement_year,
    measure_id,
    product_line,
    month_end,
    denominator,
    numerator,
    numerator / denominator as rate,
    list_contains($inverse_measures, measure_id) as inverse
from monthly_count
