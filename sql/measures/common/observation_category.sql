-- Observation categories (observation-category code system) of the subjects' observations.
create or replace temp table observation_category as
select row_id, code as category
from clinical.coding
where element = 'category'
  and resource_type = 'Observation'
  and code_system = 'http://terminology.hl7.org/CodeSystem/observation-category'
  and patient_key in (select patient_key from subject)
