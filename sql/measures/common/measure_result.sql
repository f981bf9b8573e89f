-- Turns a measure's criteria (temp table measure_population) into populations (measures.md 1.9):
-- DEN = IP; DENEX only within DEN; NUM only within DEN and not DENEX; evidence only for NUM.
insert into measures.measure_result by name
select
    $program as program,
    $measure_id as measure_id,
    $cms_id as cms_id,
    s.patient_key,
    s.mp_start as period_start,
    s.mp_end as period_end,
    case when p.in_initial_population then p.stratum end as stratum,
    p.in_initial_population as initial_population,
    p.in_initial_population as denominator,
    p.in_initial_population and p.exclusion_reason is not null as denominator_exclusion,
    false as denominator_exception,
    p.in_initial_population and p.exclusion_reason is null and p.meets_numerator as numerator,
    case when p.in_initial_population then p.exclusion_reason end as exclusion_reason,
    case when p.in_initial_population then p.evaluation_error end as evaluation_error,
    case when counted.numerator then l.resource_type end as numerator_resource_type,
    case when counted.numerator then p.evidence_row_id end as numerator_row_id,
    case when counted.numerator then l.source_kind end as numerator_source_kind,
    case when counted.numerator then l.source_file end as numerator_source_file,
    case when counted.numerator then l.source_row end as numerator_source_row,
    case when counted.numerator then p.evidence_date end as numerator_date,
    case when counted.numerator then p.evidence_code end as numerator_code
from subject as s
join measure_population as p using (patient_key)
cross join lateral (
    select p.in_initial_population and p.exclusion_reason is null and p.meets_numerator as numerator
) as counted
left join clinical.record_lineage as l on l.row_id = p.evidence_row_id
