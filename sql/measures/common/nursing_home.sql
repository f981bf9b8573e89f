-- Is Age 66 or Older Living Long Term in a Nursing Home (measures.md 2.8): the latest housing-status
-- assessment ending on or before the MP end says "lives in a nursing home". Ties on the end time
-- go to the latest meta.lastUpdated, then the highest resource id (measures.md 6.6).
create or replace temp table nursing_home as
with housing_status as (
    select o.patient_key, o.row_id, o.end_lo, o.end_hi, o.last_updated, o.resource_id
    from clinical.observation as o
    join subject as s using (patient_key)
    where o.status in ('final', 'amended', 'corrected')
      and o.row_id in (select row_id from clinical.coding where element = 'code'
                       and code_system = 'http://loinc.org' and code_normalized = '71802-3')
      and o.row_id in (select row_id from clinical.coding where element = 'category'
                       and code_system = 'http://terminology.hl7.org/CodeSystem/observation-category' and code = 'survey')
      and o.end_hi::date <= s.mp_end_date
),
last_housing_status as (
    select patient_key, row_id
    from housing_status
    qualify row_number() over (partition by patient_key
                               order by end_lo desc, end_hi desc, last_updated desc nulls last, resource_id desc) = 1
)
select l.patient_key
from last_housing_status as l
join subject as s using (patient_key)
where s.age_at_end >= 66
  and l.row_id in (select row_id from clinical.coding where element = 'value'
                   and code_system = 'http://snomed.info/sct' and code_normalized = '160734000')
