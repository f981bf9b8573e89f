-- Per member x product line of the year: member months, events and cost, with the expected-model
-- cell (age band on Dec 31 x sex x product line) and the attributed PCP. A claim or event belongs
-- to the product line of the member month it falls in (the line with most covered days that
-- month); claims in months without enrollment have no exposure and are left out.
insert into scores.utilization_member
    (measurement_year, person_id, product_line, age_band, sex, pcp_npi, member_months, admissions, ed_visits,
     index_stays, readmissions, paid_inpatient, paid_outpatient, paid_professional, paid_ed, paid_other,
     paid_pharmacy, allowed_inpatient, allowed_outpatient, allowed_professional, allowed_ed, allowed_other,
     allowed_pharmacy, medical_paid, out_of_network_paid)
with month_product_line as (
    select person_id, month_start,
           arg_max(product_line, struct_pack(covered_days, product_line)) as product_line
    from scores.utilization_member_month
    where measurement_year = $year
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
    where service_date between $year_start and $year_end
),
medical_cost as (
    select c.person_id, l.product_line,
           sum(c.paid_amount) filter (where c.service_category = 'inpatient') as paid_inpatient,
           sum(c.paid_amount) filter (where c.service_category = 'outpatient') as paid_outpatient,
           sum(c.paid_amount) filter (where c.service_category = 'professional') as paid_professional,
           sum(c.paid_amount) filter (where c.service_category = 'ed') as paid_ed,
           sum(c.paid_amount) filter (where c.service_category = 'other') as paid_other,
           sum(c.allowed_amount) filter (where c.service_category = 'inpatient') as allowed_inpatient,
           sum(c.allowed_amount) filter (where c.service_category = 'outpatient') as allowed_outpatient,
           sum(c.allowed_amount) filter (where c.service_category = 'professional') as allowed_professional,
           sum(c.allowed_amount) filter (where c.service_category = 'ed') as allowed_ed,
           sum(c.allowed_amount) filter (where c.service_category = 'other') as allowed_other,
           sum(c.paid_amount) as medical_paid,
           sum(c.paid_amount) filter (where c.out_of_network) as out_of_network_paid
    from year_claim_line as c
    join month_product_line as l
      on l.person_id = c.person_id and l.month_start = date_trunc('month', c.service_date)
    group by c.person_id, l.product_line
),
-- Pharmacy reversals follow the medical rule: a negative paid line cancels its claim line.
reversed_pharmacy_line as (
    select distinct claim_id, claim_line_number
    from staging.pharmacy_claim
    where paid_amount < 0
),
pharmacy_cost as (
    select p.person_id, l.product_line,
           sum(coalesce(p.paid_amount, 0)) as paid_pharmacy,
           sum(coalesce(p.allowed_amount, 0)) as allowed_pharmacy
    from staging.pharmacy_claim as p
    anti join reversed_pharmacy_line as r
        on r.claim_id = p.claim_id and r.claim_line_number = p.claim_line_number
    join month_product_line as l
      on l.person_id = p.person_id and l.month_start = date_trunc('month', p.dispensing_date)
    where p.dispensing_date between $year_start and $year_end
    group by p.person_id, l.product_line
),
stay as (
    select person_id, admission_date, discharge_date, counted_admission, index_stay, readmitted
    from scores.utilization_inpatient_stay
    where measurement_year = $year
),
admission_count as (
    select s.person_id, l.product_line, count(*) as admissions
    from stay as s
    join month_product_line as l
      on l.person_id = s.person_id and l.month_start = date_trunc('month', s.admission_date)
    where s.counted_admission
    group by s.person_id, l.product_line
),
readmission_count as (
    select s.person_id, l.product_line, count(*) as index_stays, count(*) filter (where s.readmitted) as readmissions
    from stay as s
    join month_product_line as l
      on l.person_id = s.person_id and l.month_start = date_trunc('month', s.discharge_date)
    where s.index_stay
    group by s.person_id, l.product_line
),
-- An ED visit is a member x day with ED service; one that leads to an admission that day or the
-- next is counted as the admission instead.
ed_visit as (
    select distinct c.person_id, c.service_date
    from year_claim_line as c
    where c.service_category = 'ed'
),
ed_visit_count as (
    select v.person_id, l.product_line, count(*) as ed_visits
    from ed_visit as v
    join month_product_line as l
      on l.person_id = v.person_id and l.month_start = date_trunc('month', v.service_date)
    where not exists (select 1 from stay as s where s.person_id = v.person_id
                      and s.admission_date between v.service_date and v.service_date + 1)
    group by v.person_id, l.product_line
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
    coalesce(ad.admissions, 0),
    coalesce(ed.ed_visits, 0),
    coalesce(r.index_stays, 0),
    coalesce(r.readmissions, 0),
    coalesce(mc.paid_inpatient, 0), coalesce(mc.paid_outpatient, 0), coalesce(mc.paid_professional, 0),
    coalesce(mc.paid_ed, 0), coalesce(mc.paid_other, 0), coalesce(pc.paid_pharmacy, 0),
    coalesce(mc.allowed_inpatient, 0), coalesce(mc.allowed_outpatient, 0), coalesce(mc.allowed_professional, 0),
    coalesce(mc.allowed_ed, 0), coalesce(mc.allowed_other, 0), coalesce(pc.allowed_pharmacy, 0),
    coalesce(mc.medical_paid, 0),
    coalesce(mc.out_of_network_paid, 0)
from member_line as m
left join member_demographics as d using (person_id)
left join attributed_pcp as a using (person_id)
left join medical_cost as mc using (person_id, product_line)
left join pharmacy_cost as pc using (person_id, product_line)
left join admission_count as ad using (person_id, product_line)
left join readmission_count as r using (person_id, product_line)
left join ed_visit_count as ed using (person_id, product_line)
