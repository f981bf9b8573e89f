-- What admits a subject to a measure's initial population besides age, sex and the condition rule.
-- The ecqm program: a qualifying encounter of the measure's list (measures.md 2.1, 3.3, 3.5, 3.7).
-- The plan program builds the same table from continuous enrollment (plan/population_gate.sql).
create or replace temp table population_gate as
with measure_encounter_list(measure_id, list) as (
    values ('BCS', 'adult'), ('COL', 'adult'), ('CCS', 'ccs'), ('CBP', 'adult'), ('EED', 'eed'),
           ('GSD', 'adult'), ('CIS', 'cis')
)
select m.measure_id, q.patient_key
from qualifying_encounter as q
join measure_encounter_list as m using (list)
