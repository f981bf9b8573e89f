-- Populations from the criteria (measures.md 1.9), for every subject and measure of the run:
-- DEN = IP; DENEX only within DEN; NUM only within DEN and not DENEX; evidence only for NUM, with its
-- lineage and code looked up once for the whole run. product_line: the plan program's line on the
-- measure's anchor date, the 2nd birthday for CIS and Dec 31 MY for the others (null in an ecqm run,
-- whose plan_product_line is empty).
insert into measures.measure_result by name
with measure_in_run as (
    select unnest($measure_ids) as measure_id, unnest($cms_ids) as cms_id
),
counted as (
    select p.*, p.exclusion_reason is null and p.meets_numerator as numerator
    from all_measure_population as p
),
evidence_row as (
    select distinct evidence_row_id as row_id from counted where numerator and evidence_row_id is not null
),
evidence_lineage as (
    select row_id, resource_type, source_kind, source_file, source_row
    from clinical.record_lineage
    where row_id in (select row_id from evidence_row)
),
evidence_code as (
    select row_id, min(code_system || '|' || code) as code
    from clinical.coding
    where element = 'code' and row_id in (select row_id from evidence_row)
    group by row_id
)
select
    $program as program,
    m.measure_id,
    m.cms_id,
    s.patient_key,
    s.mp_start as period_start,
    s.mp_end as period_end,
    p.stratum,
    coalesce(p.in_initial_population, false) as initial_population,
    coalesce(p.in_initial_population, false) as denominator,
    coalesce(p.exclusion_reason is not null, false) as denominator_exclusion,
    false as denominator_exception,
    coalesce(p.numerator, false) as numerator,
    p.exclusion_reason,
    p.evaluation_error,
    case when p.numerator then l.resource_type end as numerator_resource_type,
    case when p.numerator then p.evidence_row_id end as numerator_row_id,
    case when p.numerator then l.source_kind end as numerator_source_kind,
    case when p.numerator then l.source_file end as numerator_source_file,
    case when p.numerator then l.source_row end as numerator_source_row,
    case when p.numerator then p.evidence_date end as numerator_date,
    case when p.numerator then c.code end as numerator_code,
    year(s.mp_end)::integer as measurement_year,
    pl.product_line,
    case when p.numerator and l.source_kind is not null then
        case l.source_kind when 'claims' then 'administrative'
                           when 'abstraction' then 'medical_record'
                           when 'medical_record' then 'medical_record'
                           else 'supplemental' end
    end as numerator_source_category
from subject as s
cross join measure_in_run as m
left join counted as p on p.measure_id = m.measure_id and p.patient_key = s.patient_key
left join evidence_lineage as l on l.row_id = p.evidence_row_id
left join evidence_code as c on c.row_id = p.evidence_row_id
left join plan_product_line as pl
    on pl.patient_key = s.patient_key
   and pl.anchor = case when m.measure_id = 'CIS' then 'second_birthday' else 'year_end' end
