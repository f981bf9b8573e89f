-- Primary-care E&M visits with in-network PCPs over the 24 months ending Dec 31 of the year, per
-- member x PCP, ranked: most visits, then the most recent visit, then the lowest NPI.
insert into scores.attribution_visit
    (measurement_year, person_id, provider_npi, visits, last_visit_date, visit_rank, attributed)
with enrolled_member as (
    select distinct person_id
    from staging.eligibility
    where enrollment_start_date <= $year_end
      and enrollment_end_date >= $year_start
),
in_network_pcp as (
    select distinct npi
    from staging.provider
    where primary_care_flag = 1
      and network_status = 'in_network'
),
-- A visit is a member x PCP x date: two E&M lines on one day are one visit.
qualifying_visit as (
    select distinct c.person_id, c.rendering_npi as provider_npi, c.service_date
    from scores.claim_line_net as c
    join in_network_pcp as p on p.npi = c.rendering_npi
    where c.service_month between $lookback_start and $year_end
      and c.service_date between $lookback_start and $year_end
      and list_contains($visit_codes, c.hcpcs_code)
),
visits_per_pcp as (
    select person_id, provider_npi, count(*) as visits, max(service_date) as last_visit_date
    from qualifying_visit
    group by person_id, provider_npi
),
-- Enrolled members are kept after counting, on 5x fewer rows than the visits.
enrolled_visits_per_pcp as (
    select v.*
    from visits_per_pcp as v
    semi join enrolled_member as m using (person_id)
)
select
    $year as measurement_year,
    person_id,
    provider_npi,
    visits,
    last_visit_date,
    row_number() over (partition by person_id
                       order by visits desc, last_visit_date desc, provider_npi) as visit_rank,
    visit_rank = 1 as attributed
from enrolled_visits_per_pcp
