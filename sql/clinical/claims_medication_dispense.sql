-- Medication dispenses from pharmacy fills, completed, over the days supplied.
create or replace temp table claims_medication_dispense as
select
    patient_key,
    'claims' as source_kind,
    source_file,
    source_row,
    resource_id,
    'completed' as status,
    days_supply::double as days_supply,
    quantity,
    day_start(dispensing_date) as start_lo,
    day_end(dispensing_date) as start_hi,
    day_start(supply_end_date) as end_lo,
    day_end(supply_end_date) as end_hi,
    codings
from claims_pharmacy_fill
