-- Observations from lab results (plan-program.md 1, supplemental data): the LOINC code, the numeric
-- value with its unit when the result is a number (else the text), laboratory category, on the
-- collection (else result) date.
create or replace temp table claims_lab_observation as
with lab as (
    select
        _source_file as source_file,
        _source_row::varchar as source_row,
        lab_result_id,
        person_id as patient_key,
        coalesce(
            case when lower(normalized_component_type) = 'loinc' then normalized_component_code end,
            case when lower(source_component_type) = 'loinc' then source_component_code end,
            case when lower(normalized_order_type) = 'loinc' then normalized_order_code end,
            case when lower(source_order_type) = 'loinc' then source_order_code end) as loinc_code,
        case when lower(status) in ('registered', 'preliminary', 'final', 'amended', 'corrected',
                                    'cancelled', 'entered-in-error', 'unknown')
             then lower(status) else 'final' end as status,
        nullif(trim(result), '') as result_text,
        try_cast(trim(result) as double) as result_number,
        coalesce(normalized_units, source_units) as result_unit,
        coalesce(collection_datetime, result_datetime)::date as effective_date
    from staging.lab_result
)
select
    patient_key,
    'lab' as source_kind,
    source_file,
    source_row,
    lab_result_id as resource_id,
    status,
    case when result_number is not null then 'Quantity' when result_text is not null then 'String' end as value_type,
    result_number as value_quantity,
    case when result_number is not null then result_unit end as value_unit,
    case when result_number is not null and result_unit is not null then 'http://unitsofmeasure.org' end
        as value_unit_system,
    null::varchar as value_comparator,
    case when result_number is null then result_text end as value_text,
    null::varchar as encounter_id,
    null::timestamp as last_updated,
    day_start(effective_date) as start_lo,
    day_end(effective_date) as start_hi,
    day_start(effective_date) as end_lo,
    day_end(effective_date) as end_hi,
    list_filter([claim_coding('code', 'http://loinc.org', loinc_code),
                 claim_coding('category', 'http://terminology.hl7.org/CodeSystem/observation-category', 'laboratory')],
                c -> c.code is not null) as codings,
    []::struct(code_system varchar, code varchar, value_quantity double, value_unit varchar)[] as components
from lab
where effective_date is not null
