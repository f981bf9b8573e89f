-- Observation components (one row per component coding), keyed by the observation row_id.
create table if not exists clinical.observation_component (
    row_id bigint not null,
    patient_key varchar not null,
    component_index integer not null,
    code_system varchar,
    code varchar,
    code_normalized varchar,
    value_type varchar,
    value_quantity double,
    value_unit varchar,
    value_unit_system varchar,
    value_comparator varchar
)
