-- Pharmacy fills stand for medication requests (plan-program.md "Settled details"): active orders
-- authored on the fill day, whose period is the days supplied (measures.md 2.6).
create or replace temp table claims_medication_request as
select
    patient_key,
    'claims' as source_kind,
    source_file,
    source_row,
    resource_id,
    'active' as status,
    'order' as intent,
    false as do_not_perform,
    day_start(dispensing_date) as authored_on,
    days_supply::double as days_supplied,
    -- No days supplied, no period: such a request never counts (measures.md 2.6).
    case when days_supply >= 1 then day_start(dispensing_date) end as start_lo,
    case when days_supply >= 1 then day_start(dispensing_date) end as start_hi,
    case when days_supply >= 1 then day_end(supply_end_date) end as end_lo,
    case when days_supply >= 1 then day_end(supply_end_date) end as end_hi,
    codings
from claims_pharmacy_fill
