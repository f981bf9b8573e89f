-- Coverage / enrollment periods; the type codes are in clinical.coding (element 'type').
create table if not exists clinical.coverage (
    row_id bigint not null,
    patient_key varchar not null,
    source_kind varchar not null,
    source_file varchar,
    source_row varchar,
    resource_id varchar,
    status varchar,
    payor varchar,
    start_lo timestamp,
    start_hi timestamp,
    end_lo timestamp,
    end_hi timestamp
)
