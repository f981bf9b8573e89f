-- Medication dispenses (pharmacy claims, FHIR MedicationDispense); start/end = fill date ..
-- fill date + days supply - 1.
create table if not exists clinical.medication_dispense (
    row_id bigint not null,
    patient_key varchar not null,
    source_kind varchar not null,
    source_file varchar,
    source_row varchar,
    resource_id varchar,
    status varchar,
    days_supply double,
    quantity double,
    start_lo timestamp,
    start_hi timestamp,
    end_lo timestamp,
    end_hi timestamp
)
