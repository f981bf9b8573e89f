-- Immunizations from medical claims: vaccine product lines (CPT 90476-90759) some measure can match,
-- completed, on the line's service date.
create or replace temp table claims_vaccine_line as
select
    patient_key,
    'claims' as source_kind,
    source_file,
    source_row,
    claim_id || '#' || claim_line_number as resource_id,
    'completed' as status,
    day_start(service_start) as start_lo,
    day_end(service_start) as start_hi,
    day_start(service_start) as end_lo,
    day_end(service_start) as end_hi,
    [claim_coding('code', line_code_system, hcpcs_code)] as codings
from claims_line
where hcpcs_is_of_interest and hcpcs_code between '90476' and '90759' and length(hcpcs_code) = 5
