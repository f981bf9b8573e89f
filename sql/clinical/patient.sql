-- One row per patient (FHIR Patient, or a claims member). birth_date is null when only partial.
create table if not exists clinical.patient (
    row_id bigint not null,
    patient_key varchar not null,
    source_kind varchar not null,
    source_file varchar,
    source_row varchar,
    resource_id varchar,
    gender varchar,
    birth_date date,
    birth_date_precision varchar,
    race_code varchar,
    ethnicity_code varchar
)
