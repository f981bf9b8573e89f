-- Provider x measure counts for one measurement year: the members attributed to each PCP
-- (scores.attribution) who are in a measure's denominator and not excluded, and how many of them
-- are in its numerator. The funnel target is the plan rate over ALL members of the program,
-- attributed or not, so a panel is compared with the plan, not with the other panels only.
with member_result as (
    select r.measure_id,
           r.patient_key as person_id,
           r.initial_population,
           r.denominator and not r.denominator_exclusion and not r.denominator_exception as counted,
           r.denominator and (r.denominator_exclusion or r.denominator_exception) as excluded,
           r.numerator and r.denominator and not r.denominator_exclusion and not r.denominator_exception
               as met
    from measures.measure_result as r
    where r.program = $program
      and r.measurement_year = $year
),
plan_rate as (
    select measure_id,
           count(*) filter (where counted) as plan_denominator,
           count(*) filter (where met) as plan_numerator
    from member_result
    group by measure_id
),
attributed_result as (
    select m.measure_id, a.pcp_npi as provider_npi, m.initial_population, m.counted, m.excluded, m.met
    from member_result as m
    join scores.attribution as a
      on a.person_id = m.person_id
     and a.measurement_year = $year
    where a.pcp_npi is not null
)
select a.measure_id,
       a.provider_npi,
       count(*) filter (where a.initial_population) as initial_population,
       count(*) filter (where a.excluded) as exclusions,
       count(*) filter (where a.counted) as denominator,
       count(*) filter (where a.met) as numerator,
       any_value(p.plan_denominator) as plan_denominator,
       any_value(p.plan_numerator) as plan_numerator,
       any_value(p.plan_numerator / nullif(p.plan_denominator, 0)) as plan_rate
from attributed_result as a
join plan_rate as p using (measure_id)
group by a.measure_id, a.provider_npi
having count(*) filter (where a.initial_population) > 0
order by a.measure_id, a.provider_npi
