-- Every coding of every clinical row: element 'code' is the coded element each measure matches
-- (Encounter.type, Condition.code, Immunization.vaccineCode, ...); other elements as named.
create table if not exists clinical.coding (
    row_id bigint not null,
    patient_key varchar not null,
    resource_type varchar not null,
    element varchar not null,
    code_system varchar,
    code varchar,
    code_normalized varchar
)
