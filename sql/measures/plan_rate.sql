-- Counts behind measures.plan_rate and measures.plan_rate_stratum for one measurement year of the
-- plan program, per measure x product line (and 'all') x stratum (null = every stratum). The rate
-- and its Wilson interval are added in pipelines/measures/rates.py (pipelines/stats/rates.py).
with plan_member_result as (
    select
        measure_id,
        coalesce(product_line, 'unknown') as product_line,
        stratum,
        initial_population,
        initial_population and denominator_exclusion as excluded,
        initial_population and not denominator_exclusion and numerator as in_numerator
    from measures.measure_result
    where program = $program
      and measurement_year = $year
      and initial_population
)
select
    measure_id,
    coalesce(product_line, 'all') as product_line,
    stratum,
    grouping(stratum) = 0 as by_stratum,
    count(*) as eligible_population,
    count(*) filter (where excluded) as exclusions,
    count(*) filter (where not excluded) as denominator,
    count(*) filter (where in_numerator) as numerator
from plan_member_result
group by grouping sets ((measure_id, product_line), (measure_id),
                        (measure_id, product_line, stratum), (measure_id, stratum))
having grouping(stratum) = 1 or stratum is not null
order by measure_id, product_line, stratum nulls first
