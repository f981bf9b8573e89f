-- One row per patient x measure x measurement period (and program). COL carries its stratum.
-- measurement_year: the year of period_end. product_line: the plan program's line on the anchor
-- date (null for ecqm). numerator_source_category: administrative | supplemental | medical_record,
-- from the evidence's source kind, only with a numerator.
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
    numerator_code varchar,
    measurement_year integer,
    product_line varchar,
    numerator_source_category varchar
);
-- Databases created before the plan program gain its columns (nullable, so old rows stay valid).
alter table measures.measure_result add column if not exists measurement_year integer;
alter table measures.measure_result add column if not exists product_line varchar;
alter table measures.measure_result add column if not exists numerator_source_category varchar;

