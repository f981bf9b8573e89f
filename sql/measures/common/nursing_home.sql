-- Is Age 66 or Older Living Long Term in a Nursing Home (measures.md 2.8): the latest housing-status
-- assessment ending on or before the MP end says "lives in a nursing home". Ties on the end time
-- go to the latest meta.lastUpdated, then the highest resource id (measures.md 6.6).
create or replace temp table nursing_home as
with housing_status as (
    select o.patient_key, o.row_id, o.end_lo, o.end_hi, o.last_updated, o.resource_id
    from direct_code as d
    join clinical.observation as o using (row_id)
    join subject as s on s.patient_key = o.patient_key
    where d.element = 'code' and d.code_system = 'http://loinc.org' and d.code_normalized = '71802-3'
      and s.age_at_end >= 66
      and o.status in ('final', 'amended', 'corrected')
      and o.row_id in (select row_id from observation_category where category = 'survey')
      and o.end_hi::date <= s.mp_end_date
),
last_housing_status as (
    select patient_key, row_id
    from housing_status
    qualify row_number() over (partition by patient_key
                               order by end_lo desc, end_hi desc, last_updated desc nulls last, resource_id desc) = 1
)
select patient_key
from last_housing_status
where row_id in (select row_id from direct_code where element = 'value'
                 and code_system = 'http://snomed.info/sct' and code_normalized = '160734000')
