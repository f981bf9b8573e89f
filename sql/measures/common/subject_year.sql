-- Subjects of a measurement-year run: every patient of the clinical model, one period for all.
create or replace temp table subject_period as
select distinct patient_key, $mp_start::timestamp as mp_start, $mp_end::timestamp as mp_end
from clinical.patient
