-- The patients evaluated in this run, each with its own measurement period (a column, not a
-- global: conformance cases carry their own period; a measurement-year run gives all the same).
-- Input: temp table subject_period(patient_key, mp_start, mp_end).
create or replace temp table subject as
with patient_attributes as (
    select patient_key, min(birth_date) as birth_date, min(gender) as gender
    from clinical.patient
    group by patient_key
)
select
    sp.patient_key,
    sp.mp_start,
    sp.mp_end,
    sp.mp_start::date as mp_start_date,
    sp.mp_end::date as mp_end_date,
    pa.birth_date,
    pa.gender,
    age_on(pa.birth_date, sp.mp_end::date) as age_at_end
from subject_period as sp
left join patient_attributes as pa using (patient_key)
