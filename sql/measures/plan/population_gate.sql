-- What admits a member to a measure's initial population besides age, sex and the condition rule:
-- in the plan program, continuous enrollment for the measure's window (no visit requirement,
-- plan-program.md 2). The ecqm program's gate is a qualifying encounter (common/population_gate.sql).
create or replace temp table population_gate as
select measure_id, patient_key
from continuous_enrollment
