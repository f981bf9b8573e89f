-- Keeps one measure's criteria (temp table measure_population) for the final insert.
insert into all_measure_population by name
select
    $measure_id as measure_id,
    patient_key,
    in_initial_population,
    stratum,
    exclusion_reason,
    meets_numerator,
    evaluation_error,
    evidence_row_id,
    evidence_date
from measure_population
