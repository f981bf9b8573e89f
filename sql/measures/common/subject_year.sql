-- Subjects of a measurement-year run, one period for all: every patient of the clinical model for the
-- ecqm program; for the plan program every member of the eligibility file (patient_key = person_id).
create or replace temp table subject_period as
select distinct patient_key, $mp_start::timestamp as mp_start, $mp_end::timestamp as mp_end
from clinical.patient
where $program = 'ecqm' or source_kind = 'eligibility'
