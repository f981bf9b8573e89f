-- One row per patient x measure x measurement period (and program). COL carries its stratum.
create table if not exists measures.measure_result (
    program varchar not null,
    measure_id varchar not null,
    cms_id varchar,
    patient_key varchar not null,
    period_start timestamp not null,
    period_end timestamp not null,
    stratum varchar,
    initial_population boolean not null,
    denominator boolean not null,
    denominator_exclusion boolean not null,
    denominator_exception boolean not null,
    numerator boolean not null,
    exclusion_reason varchar,
    evaluation_error varchar,
    numerator_resource_type varchar,
    numerator_row_id bigint,
    numerator_source_kind varchar,
    numerator_source_file varchar,
    numerator_source_row varchar,
    numerator_date date,
    numerator_code varchar
)
