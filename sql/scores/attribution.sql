-- One PCP per member enrolled at any time in the year: the plurality PCP of attribution_visit,
-- else the PCP assigned on enrollment (segment covering Dec 31, else the latest in the year),
-- else unattributed.
insert into scores.attribution
    (measurement_year, person_id, pcp_npi, attribution_method, attributed_visits, total_visits,
     pcps_seen, last_visit_date, lookback_start, lookback_end)
with enrollment_in_year as (
    select person_id, pcp_npi, enrollment_start_date, enrollment_end_date
    from staging.eligibility
    where enrollment_start_date <= $year_end
      and enrollment_end_date >= $year_start
),
assigned_pcp as (
    select person_id,
           arg_max(pcp_npi, struct_pack(covers_year_end := enrollment_end_date >= $year_end,
                                        enrollment_end_date, enrollment_start_date, pcp_npi)) as pcp_npi
    from enrollment_in_year
    where pcp_npi is not null
    group by person_id
),
enrolled_member as (
    select distinct person_id from enrollment_in_year
),
visit_summary as (
    select person_id,
           sum(visits)::integer as total_visits,
           count(*)::integer as pcps_seen,
           max(case when attributed then provider_npi end) as plurality_npi,
           max(case when attributed then visits end)::integer as attributed_visits,
           max(case when attributed then last_visit_date end) as last_visit_date
    from scores.attribution_visit
    where measurement_year = $year
    group by person_id
)
select
    $year as measurement_year,
    m.person_id,
    coalesce(v.plurality_npi, a.pcp_npi) as pcp_npi,
    case when v.plurality_npi is not null then 'plurality_of_visits'
         when a.pcp_npi is not null then 'assigned_pcp'
         else 'unattributed' end as attribution_method,
    coalesce(v.attributed_visits, 0) as attributed_visits,
    coalesce(v.total_visits, 0) as total_visits,
    coalesce(v.pcps_seen, 0) as pcps_seen,
    v.last_visit_date,
    $lookback_start as lookback_start,
    $year_end as lookback_end
from enrolled_member as m
left join visit_summary as v using (person_id)
left join assigned_pcp as a using (person_id)
