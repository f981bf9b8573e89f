-- Service requests; start/end is authoredOn. do_not_perform is the native element.
create table if not exists clinical.service_request (
    row_id bigint not null,
    patient_key varchar not null,
    source_kind varchar not null,
    source_file varchar,
    source_row varchar,
    resource_id varchar,
    status varchar,
    intent varchar,
    do_not_perform boolean,
    start_lo timestamp,
    start_hi timestamp,
    end_lo timestamp,
    end_hi timestamp
)
