-- Observed and expected utilization per plan, product line and attributed PCP. Expected values come
-- from the plan-wide rate of each cell (age band x sex x product line) applied to the unit's own
-- exposure in that cell, so observed / expected compares panels with different members fairly.
insert into scores.utilization_metric
    (measurement_year, level, unit_id, metric, service_category, members, member_months, numerator, denominator,
     denominator_unit, scale, observed, expected_numerator, expected, observed_to_expected)
with member_metric as (
    select u.person_id, u.product_line, u.age_band, u.sex, u.pcp_npi, u.member_months,
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
    from scores.utilization_member as u
    where u.measurement_year = $year
),
member_value as (
    select person_id, product_line, age_band, sex, pcp_npi, member_months,
           m.metric, m.category as service_category, m.num as numerator, m.den as denominator
    from member_metric
),
cell_rate as (
    select metric, service_category, age_band, sex, product_line,
           sum(numerator) / nullif(sum(denominator), 0) as rate
    from member_value
    group by metric, service_category, age_band, sex, product_line
),
member_expected as (
    select v.*, v.denominator * coalesce(c.rate, 0) as expected_numerator
    from member_value as v
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
        count(distinct person_id)::integer as members,
        sum(member_months) as member_months,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        sum(expected_numerator) as expected_numerator
    from member_expected
    group by grouping sets ((metric, service_category), (metric, service_category, product_line),
                            (metric, service_category, pcp_npi))
)
select
    $year as measurement_year,
    level, unit_id, metric, service_category, members, member_months, numerator, denominator,
    case metric when 'readmission_rate' then 'index_stays'
                when 'out_of_network_share' then 'medical_paid'
                else 'member_months' end as denominator_unit,
    case when metric in ('admissions_per_1000', 'ed_visits_per_1000') then 12000.0 else 1.0 end as scale,
    numerator / nullif(denominator, 0) * scale as observed,
    expected_numerator,
    expected_numerator / nullif(denominator, 0) * scale as expected,
    numerator / nullif(expected_numerator, 0) as observed_to_expected
from unit_total
