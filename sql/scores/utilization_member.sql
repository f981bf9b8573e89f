-- Per member x product line of the year: member months, events and cost, with the expected-model
-- cell (age band on Dec 31 x sex x product line) and the attributed PCP. A claim or event belongs
-- to the product line of the member month it falls in (the line with most covered days that
-- month); claims in months without enrollment have no exposure and are left out.
-- Every event (claim line, pharmacy line, stay, ED visit) goes into one stream keyed by member and
-- month, joined once to the month's product line and summed in one pass: at 1M members each extra
-- join would rebuild a hash table of 11 M member months.
insert into scores.utilization_member
    (measurement_year, person_id, product_line, age_band, sex, pcp_npi, member_months, admissions, ed_visits,
     index_stays, readmissions, paid_inpatient, paid_outpatient, paid_professional, paid_ed, paid_other,
     paid_pharmacy, allowed_inpatient, allowed_outpatient, allowed_professional, allowed_ed, allowed_other,
     allowed_pharmacy, medical_paid, out_of_network_paid)
with year_member_month as (
    select person_id, month_start, product_line, covered_days,
           covered_days = dayofmonth(last_day(month_start)) as whole_month
    from scores.utilization_member_month
    where measurement_year = $year
),
-- A month covered on every day has a single row (days go to one product line each), so only
-- partly covered months need the choice of the line with most days.
month_product_line as (
    select person_id, month_start, product_line
    from year_member_month
    where whole_month
    union all
    select person_id, month_start, arg_max(product_line, struct_pack(covered_days, product_line))
    from year_member_month
    where not whole_month
    group by person_id, month_start
),
member_line as (
    select person_id, product_line, sum(member_months) as member_months
    from scores.utilization_member_month
    where measurement_year = $year
    group by person_id, product_line
),
member_demographics as (
    select person_id,
           arg_max(gender, struct_pack(enrollment_end_date, enrollment_start_date, gender)) as sex,
           arg_max(birth_date, struct_pack(enrollment_end_date, enrollment_start_date, birth_date)) as birth_date
    from staging.eligibility
    where enrollment_start_date <= $year_end and enrollment_end_date >= $year_start
    group by person_id
),
-- The year's categorised claim lines, computed once for cost and ED visits.
year_claim_line as materialized (
    select person_id, service_date, service_category, out_of_network, paid_amount, allowed_amount
    from scores.claim_line_category
    where service_month between $year_start and $year_end
      and service_date between $year_start and $year_end
),
-- Pharmacy reversals follow the medical rule: a negative paid line cancels its claim line.
reversed_pharmacy_line as (
    select distinct claim_id, claim_line_number
    from staging.pharmacy_claim
    where paid_amount < 0
),
stay as (
    select person_id, admission_date, discharge_date, counted_admission, index_stay, readmitted
    from scores.utilization_inpatient_stay
    where measurement_year = $year
),
-- An ED visit is a member x day with ED service; one that leads to an admission that day or the
-- next is counted as the admission instead.
ed_visit as (
    select distinct c.person_id, c.service_date
    from year_claim_line as c
    where c.service_category = 'ed'
),
member_event as (
    select person_id, service_date as event_date, service_category as event, out_of_network,
           paid_amount, allowed_amount
    from year_claim_line
    union all
    select p.person_id, p.dispensing_date, 'pharmacy', false,
           coalesce(p.paid_amount, 0), coalesce(p.allowed_amount, 0)
    from staging.pharmacy_claim as p
    anti join reversed_pharmacy_line as r
        on r.claim_id = p.claim_id and r.claim_line_number = p.claim_line_number
    where p.dispensing_date between $year_start and $year_end
    union all
    select person_id, admission_date, 'admission', false, 0, 0
    from stay
    where counted_admission
    -- index stays and readmissions belong to the month of the index discharge
    union all
    select person_id, discharge_date, case when readmitted then 'readmitted_index_stay' else 'index_stay' end,
           false, 0, 0
    from stay
    where index_stay
    union all
    select v.person_id, v.service_date, 'ed_visit', false, 0, 0
    from ed_visit as v
    where not exists (select 1 from stay as s where s.person_id = v.person_id
                      and s.admission_date between v.service_date and v.service_date + 1)
),
member_line_events as (
    select e.person_id, l.product_line,
           sum(e.paid_amount) filter (where e.event = 'inpatient') as paid_inpatient,
           sum(e.paid_amount) filter (where e.event = 'outpatient') as paid_outpatient,
           sum(e.paid_amount) filter (where e.event = 'professional') as paid_professional,
           sum(e.paid_amount) filter (where e.event = 'ed') as paid_ed,
           sum(e.paid_amount) filter (where e.event = 'other') as paid_other,
           sum(e.paid_amount) filter (where e.event = 'pharmacy') as paid_pharmacy,
           sum(e.allowed_amount) filter (where e.event = 'inpatient') as allowed_inpatient,
           sum(e.allowed_amount) filter (where e.event = 'outpatient') as allowed_outpatient,
           sum(e.allowed_amount) filter (where e.event = 'professional') as allowed_professional,
           sum(e.allowed_amount) filter (where e.event = 'ed') as allowed_ed,
           sum(e.allowed_amount) filter (where e.event = 'other') as allowed_other,
           sum(e.allowed_amount) filter (where e.event = 'pharmacy') as allowed_pharmacy,
           sum(e.paid_amount) filter (where e.event in ('inpatient', 'outpatient', 'professional', 'ed', 'other'))
               as medical_paid,
           sum(e.paid_amount) filter (where e.out_of_network) as out_of_network_paid,
           count(*) filter (where e.event = 'admission') as admissions,
           count(*) filter (where e.event in ('index_stay', 'readmitted_index_stay')) as index_stays,
           count(*) filter (where e.event = 'readmitted_index_stay') as readmissions,
           count(*) filter (where e.event = 'ed_visit') as ed_visits
    from member_event as e
    join month_product_line as l
      on l.person_id = e.person_id and l.month_start = date_trunc('month', e.event_date)::date
    group by e.person_id, l.product_line
),
attributed_pcp as (
    select person_id, pcp_npi
    from scores.attribution
    where measurement_year = $year
)
select
    $year as measurement_year,
    m.person_id,
    m.product_line,
    case when d.birth_date is null then 'unknown'
         when $year - year(d.birth_date) < 18 then '0-17'
         when $year - year(d.birth_date) < 35 then '18-34'
         when $year - year(d.birth_date) < 50 then '35-49'
         when $year - year(d.birth_date) < 65 then '50-64'
         when $year - year(d.birth_date) < 75 then '65-74'
         else '75+' end as age_band,
    coalesce(d.sex, 'unknown') as sex,
    a.pcp_npi,
    m.member_months,
    coalesce(e.admissions, 0),
    coalesce(e.ed_visits, 0),
    coalesce(e.index_stays, 0),
    coalesce(e.readmissions, 0),
    coalesce(e.paid_inpatient, 0), coalesce(e.paid_outpatient, 0), coalesce(e.paid_professional, 0),
    coalesce(e.paid_ed, 0), coalesce(e.paid_other, 0), coalesce(e.paid_pharmacy, 0),
    coalesce(e.allowed_inpatient, 0), coalesce(e.allowed_outpatient, 0), coalesce(e.allowed_professional, 0),
    coalesce(e.allowed_ed, 0), coalesce(e.allowed_other, 0), coalesce(e.allowed_pharmacy, 0),
    coalesce(e.medical_paid, 0),
    coalesce(e.out_of_network_paid, 0)
from member_line as m
left join member_demographics as d using (person_id)
left join attributed_pcp as a using (person_id)
left join member_line_events as e using (person_id, product_line)
