-- Medication requests; start/end is the medication request period in whole days
-- (CumulativeMedicationDuration), null when it cannot be computed.
create table if not exists clinical.medication_request (
    row_id bigint not null,
    patient_key varchar not null,
    source_kind varchar not null,
    source_file varchar,
    source_row varchar,
    resource_id varchar,
    status varchar,
    intent varchar,
    do_not_perform boolean,
    authored_on timestamp,
    days_supplied double,
    start_lo timestamp,
    start_hi timestamp,
    end_lo timestamp,
    end_hi timestamp
)
