-- Observed and expected utilization per plan, product line and attributed PCP. Expected values come
-- from the plan-wide rate of each cell (age band x sex x product line) applied to the unit's own
-- exposure in that cell, so observed / expected compares panels with different members fairly.
insert into scores.utilization_metric
    (measurement_year, level, unit_id, metric, service_category, members, member_months, numerator, denominator,
     denominator_unit, scale, observed, expected_numerator, expected, observed_to_expected)
with panel_cell as (
    -- Members summed per PCP x cell first: expected values are linear in exposure, so this is exact.
    select product_line, age_band, sex, pcp_npi,
           sum(member_months) as member_months, sum(admissions) as admissions, sum(ed_visits) as ed_visits,
           sum(index_stays) as index_stays, sum(readmissions) as readmissions,
           sum(paid_inpatient) as paid_inpatient, sum(paid_outpatient) as paid_outpatient,
           sum(paid_professional) as paid_professional, sum(paid_ed) as paid_ed, sum(paid_other) as paid_other,
           sum(paid_pharmacy) as paid_pharmacy, sum(allowed_inpatient) as allowed_inpatient,
           sum(allowed_outpatient) as allowed_outpatient, sum(allowed_professional) as allowed_professional,
           sum(allowed_ed) as allowed_ed, sum(allowed_other) as allowed_other,
           sum(allowed_pharmacy) as allowed_pharmacy, sum(medical_paid) as medical_paid,
           sum(out_of_network_paid) as out_of_network_paid
    from scores.utilization_member
    where measurement_year = $year
    group by product_line, age_band, sex, pcp_npi
),
unit_members as (
    select case when grouping(product_line) = 0 then 'product_line'
                when grouping(pcp_npi) = 0 and pcp_npi is not null then 'pcp'
                when grouping(pcp_npi) = 0 then 'unattributed'
                else 'plan' end as level,
           case when grouping(product_line) = 0 then product_line
                when grouping(pcp_npi) = 0 then coalesce(pcp_npi, 'unattributed')
                else 'plan' end as unit_id,
           count(distinct person_id)::integer as members
    from scores.utilization_member
    where measurement_year = $year
    group by grouping sets ((), (product_line), (pcp_npi))
),
panel_metric as (
    select u.product_line, u.age_band, u.sex, u.pcp_npi, u.member_months,
           unnest([
               {'metric': 'paid_pmpm', 'category': 'inpatient', 'num': u.paid_inpatient, 'den': u.member_months},
               {'metric': 'paid_pmpm', 'category': 'outpatient', 'num': u.paid_outpatient, 'den': u.member_months},
               {'metric': 'paid_pmpm', 'category': 'professional', 'num': u.paid_professional, 'den': u.member_months},
               {'metric': 'paid_pmpm', 'category': 'ed', 'num': u.paid_ed, 'den': u.member_months},
               {'metric': 'paid_pmpm', 'category': 'other', 'num': u.paid_other, 'den': u.member_months},
               {'metric': 'paid_pmpm', 'category': 'pharmacy', 'num': u.paid_pharmacy, 'den': u.member_months},
               {'metric': 'paid_pmpm', 'category': 'all',
                'num': u.medical_paid + u.paid_pharmacy, 'den': u.member_months},
               {'metric': 'allowed_pmpm', 'category': 'inpatient', 'num': u.allowed_inpatient, 'den': u.member_months},
               {'metric': 'allowed_pmpm', 'category': 'outpatient', 'num': u.allowed_outpatient, 'den': u.member_months},
               {'metric': 'allowed_pmpm', 'category': 'professional', 'num': u.allowed_professional,
                'den': u.member_months},
               {'metric': 'allowed_pmpm', 'category': 'ed', 'num': u.allowed_ed, 'den': u.member_months},
               {'metric': 'allowed_pmpm', 'category': 'other', 'num': u.allowed_other, 'den': u.member_months},
               {'metric': 'allowed_pmpm', 'category': 'pharmacy', 'num': u.allowed_pharmacy, 'den': u.member_months},
               {'metric': 'allowed_pmpm', 'category': 'all',
                'num': u.allowed_inpatient + u.allowed_outpatient + u.allowed_professional + u.allowed_ed
                       + u.allowed_other + u.allowed_pharmacy, 'den': u.member_months},
               {'metric': 'admissions_per_1000', 'category': 'inpatient', 'num': u.admissions::double,
                'den': u.member_months},
               {'metric': 'ed_visits_per_1000', 'category': 'ed', 'num': u.ed_visits::double, 'den': u.member_months},
               {'metric': 'readmission_rate', 'category': 'inpatient', 'num': u.readmissions::double,
                'den': u.index_stays::double},
               {'metric': 'out_of_network_share', 'category': 'all', 'num': u.out_of_network_paid,
                'den': u.medical_paid}
           ]) as m
    from panel_cell as u
),
panel_value as (
    select product_line, age_band, sex, pcp_npi, member_months,
           m.metric, m.category as service_category, m.num as numerator, m.den as denominator
    from panel_metric
),
cell_rate as (
    select metric, service_category, age_band, sex, product_line,
           sum(numerator) / nullif(sum(denominator), 0) as rate
    from panel_value
    group by metric, service_category, age_band, sex, product_line
),
panel_expected as (
    select v.*, v.denominator * coalesce(c.rate, 0) as expected_numerator
    from panel_value as v
    join cell_rate as c using (metric, service_category, age_band, sex, product_line)
),
unit_total as (
    select
        case when grouping(product_line) = 0 then 'product_line'
             when grouping(pcp_npi) = 0 and pcp_npi is not null then 'pcp'
             when grouping(pcp_npi) = 0 then 'unattributed'
             else 'plan' end as level,
        case when grouping(product_line) = 0 then product_line
             when grouping(pcp_npi) = 0 then coalesce(pcp_npi, 'unattributed')
             else 'plan' end as unit_id,
        metric, service_category,
        sum(member_months) as member_months,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        sum(expected_numerator) as expected_numerator
    from panel_expected
    group by grouping sets ((metric, service_category), (metric, service_category, product_line),
                            (metric, service_category, pcp_npi))
)
select
    $year as measurement_year,
    level, unit_id, metric, service_category, m.members, member_months, numerator, denominator,
    case metric when 'readmission_rate' then 'index_stays'
                when 'out_of_network_share' then 'medical_paid'
                else 'member_months' end as denominator_unit,
    case when metric in ('admissions_per_1000', 'ed_visits_per_1000') then 12000.0 else 1.0 end as scale,
    numerator / nullif(denominator, 0) * scale as observed,
    expected_numerator,
    expected_numerator / nullif(denominator, 0) * scale as expected,
    numerator / nullif(expected_numerator, 0) as observed_to_expected
from unit_total
join unit_members as m using (level, unit_id)
