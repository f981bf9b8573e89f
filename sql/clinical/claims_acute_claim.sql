-- Claims meeting the inpatient-stay or the emergency-visit rule (plan-program.md 1), each with the
-- period it becomes: admission to discharge (claim dates when missing), the claim's service period,
-- lineage from its lowest line. A claim meets a rule when any of its valid lines does, so only the lines
-- of those claims are aggregated, not every claim. valid_line is not materialised (at 1,000,000 members
-- its 40 M lines spilled to disk): each use scans only the columns it needs.
create or replace temp table claims_acute_claim as
with valid_line as not materialized (
    select m.claim_id, m.claim_line_number, m.claim_type, m.person_id, m._source_file, m._source_row,
        m.claim_start_date, m.claim_end_date, m.admission_date, m.discharge_date, m.discharge_disposition_code,
        m.place_of_service_code,
        -- Revenue codes come with 3 or 4 digits, bill types with or without the leading zero.
        lpad(m.revenue_center_code, 4, '0') as revenue_code,
        case when length(m.bill_type_code) = 4 and m.bill_type_code like '0%'
             then substr(m.bill_type_code, 2) else m.bill_type_code end as bill_type
    from staging.medical_claim as m
    anti join claims_reversed_line as r
        on r.claim_id = m.claim_id and r.claim_line_number = m.claim_line_number
),
line_setting as (
    select claim_id,
        coalesce((claim_type = 'institutional' and (bill_type like '11%' or bill_type like '12%'))
                 or revenue_code between '0100' and '0219'
                 or place_of_service_code = '21', false) as is_inpatient_line,
        coalesce(place_of_service_code = '23'
                 or revenue_code between '0450' and '0459' or revenue_code = '0981', false) as is_emergency_line
    from valid_line
),
acute_claim_setting as (
    select claim_id, bool_or(is_inpatient_line) as is_inpatient_stay, bool_or(is_emergency_line) as is_emergency_visit
    from line_setting
    where is_inpatient_line or is_emergency_line
    group by claim_id
)
select
    v.claim_id,
    v.person_id as patient_key,
    arg_min(v._source_file, v.claim_line_number) as source_file,
    arg_min(v._source_row, v.claim_line_number)::varchar as source_row,
    coalesce(min(v.admission_date), min(v.claim_start_date)) as admission_date,
    coalesce(max(v.discharge_date), max(v.claim_end_date)) as discharge_date,
    min(v.claim_start_date) as claim_start_date,
    max(v.claim_end_date) as claim_end_date,
    max(v.discharge_disposition_code) as discharge_disposition_code,
    any_value(s.is_inpatient_stay) as is_inpatient_stay,
    any_value(s.is_emergency_visit) as is_emergency_visit
from valid_line as v
join acute_claim_setting as s using (claim_id)
group by v.claim_id, v.person_id
