-- Every coded record of the subjects whose designated code (element 'code') is in a loaded value set.
create or replace temp table code_match as
select c.row_id, c.patient_key, c.resource_type, v.valueset_oid, c.code_system, c.code
from clinical.coding as c
join measures.valueset_code as v
    on v.code_system = c.code_system and v.code_normalized = c.code_normalized
where c.element = 'code'
  and c.patient_key in (select patient_key from subject)
