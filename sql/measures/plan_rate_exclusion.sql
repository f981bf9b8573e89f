-- Exclusions by reason for one measurement year of the plan program: the comma-separated
-- exclusion_reason split, each eligible member counted once per reason it has.
insert into measures.plan_rate_exclusion (measurement_year, measure_id, product_line, exclusion_reason, members)
with excluded_member_reason as (
    select distinct
        measure_id,
        patient_key,
        coalesce(product_line, 'unknown') as product_line,
        trim(unnest(string_split(exclusion_reason, ','))) as exclusion_reason
    from measures.measure_result
    where program = $program
      and measurement_year = $year
      and initial_population
      and denominator_exclusion
      and exclusion_reason is not null
)
select
    $year as measurement_year,
    measure_id,
    coalesce(product_line, 'all') as product_line,
    exclusion_reason,
    count(*) as members
from excluded_member_reason
where exclusion_reason <> ''
group by grouping sets ((measure_id, product_line, exclusion_reason), (measure_id, exclusion_reason))
