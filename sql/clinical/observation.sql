-- Observations; start/end is the effective interval. value_type is the FHIR value[x] suffix;
-- coded values are in clinical.coding (element 'value'), categories likewise ('category').
create table if not exists clinical.observation (
    row_id bigint not null,
    patient_key varchar not null,
    source_kind varchar not null,
    source_file varchar,
    source_row varchar,
    resource_id varchar,
    status varchar,
    value_type varchar,
    value_quantity double,
    value_unit varchar,
    value_unit_system varchar,
    value_comparator varchar,
    value_text varchar,
    encounter_id varchar,
    last_updated timestamp,
    start_lo timestamp,
    start_hi timestamp,
    end_lo timestamp,
    end_hi timestamp
)
