-- Observation categories (observation-category code system).
create or replace temp table observation_category as
select row_id, code as category
from direct_code
where element = 'category'
  and code_system = 'http://terminology.hl7.org/CodeSystem/observation-category'
