-- Encounters; period as start/end uncertainty bounds (UTC). Type and discharge disposition codes
-- are in clinical.coding (elements 'type', 'discharge_disposition').
create table if not exists clinical.encounter (
    row_id bigint not null,
    patient_key varchar not null,
    source_kind varchar not null,
    source_file varchar,
    source_row varchar,
    resource_id varchar,
    status varchar,
    class_code varchar,
    class_system varchar,
    start_lo timestamp,
    start_hi timestamp,
    end_lo timestamp,
    end_hi timestamp
)
