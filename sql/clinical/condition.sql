-- Conditions; start/end is the prevalence interval (onset .. abatement, see measures.md 1.6):
-- start 0001-01-01 = beginning of time, end 9999-12-31 = ongoing, end null = unknown.
create table if not exists clinical.condition (
    row_id bigint not null,
    patient_key varchar not null,
    source_kind varchar not null,
    source_file varchar,
    source_row varchar,
    resource_id varchar,
    clinical_status varchar,
    verification_status varchar,
    onset_lo timestamp,
    onset_hi timestamp,
    abatement_lo timestamp,
    abatement_hi timestamp,
    start_lo timestamp,
    start_hi timestamp,
    end_lo timestamp,
    end_hi timestamp
)
