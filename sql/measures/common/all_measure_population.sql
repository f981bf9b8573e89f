-- The criteria of every measure of the run, one row per measure and initial-population patient.
create or replace temp table all_measure_population (
    measure_id varchar not null,
    patient_key varchar not null,
    in_initial_population boolean not null,
    stratum varchar,
    exclusion_reason varchar,
    meets_numerator boolean not null,
    evaluation_error varchar,
    evidence_row_id bigint,
    evidence_date date
)
