-- Every coded record whose designated code (element 'code') is in a loaded value set: the one big
-- join of the run. Criteria start from here (filtered by OID) and reach their record by row_id.
create or replace temp table code_match as
select c.row_id, v.valueset_oid
from clinical.coding as c
join measures.valueset_code as v
    on v.code_system = c.code_system and v.code_normalized = c.code_normalized
where c.element = 'code'
