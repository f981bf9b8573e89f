-- Medical claim lines net of reversals with their service category and network status
-- (docs/scores.md, "Service categories"). A whole institutional claim with an ED revenue line is an
-- ED claim, so the ancillary lines of an ED visit are ED cost too; an inpatient bill wins over ED
-- because the ED visit then led to the admission.
create or replace view scores.claim_line_category as
with claim_with_ed_revenue as (
    select claim_id
    from scores.claim_line_net
    where left(revenue_center_code, 3) = '045' or revenue_center_code = '0981'
    group by claim_id
),
roster_network as (
    select npi, bool_or(network_status = 'out_of_network') as out_of_network
    from staging.provider
    group by npi
),
categorised as (
    select
        c.claim_id,
        c.claim_line_number,
        c.claim_type,
        c.person_id,
        c.service_date,
        c.service_month,
        c.hcpcs_code,
        c.revenue_center_code,
        c.place_of_service_code,
        right(c.bill_type_code, 3) as bill_type,
        case when c.claim_type = 'institutional' then coalesce(c.facility_npi, c.billing_npi)
             else coalesce(c.rendering_npi, c.billing_npi) end as network_npi,
        c.in_network_flag,
        c.paid_amount,
        c.allowed_amount,
        e.claim_id is not null as has_ed_revenue
    from scores.claim_line_net as c
    left join claim_with_ed_revenue as e using (claim_id)
)
select
    k.claim_id,
    k.claim_line_number,
    k.claim_type,
    k.person_id,
    k.service_date,
    k.service_month,
    case
        when k.claim_type = 'institutional' and left(k.bill_type, 2) in ('11', '12') then 'inpatient'
        when k.claim_type = 'institutional' and k.has_ed_revenue then 'ed'
        when k.claim_type = 'institutional'
             and (left(k.bill_type, 2) in ('13', '14', '83', '85') or left(k.bill_type, 1) = '7') then 'outpatient'
        when k.claim_type = 'professional'
             and (k.place_of_service_code = '23' or k.hcpcs_code between '99281' and '99285') then 'ed'
        -- DMEPOS (HCPCS E, K and L codes) is neither a visit nor a facility service.
        when k.claim_type = 'professional' and left(k.hcpcs_code, 1) in ('E', 'K', 'L') then 'other'
        when k.claim_type = 'professional' then 'professional'
        else 'other'
    end as service_category,
    coalesce(k.in_network_flag = 0, r.out_of_network, false) as out_of_network,
    coalesce(k.paid_amount, 0) as paid_amount,
    coalesce(k.allowed_amount, 0) as allowed_amount
from categorised as k
left join roster_network as r on r.npi = k.network_npi
