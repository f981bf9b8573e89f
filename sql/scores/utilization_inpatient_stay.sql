-- Acute inpatient stays (institutional bill type 11x/12x) touching the year, one row per stay after
-- transfers are collapsed (docs/scores.md, "Admissions and readmissions"): a claim that overlaps
-- the stay so far, or starts on the discharge day or the day after at another facility, continues
-- the stay. Flags say which stays count as admissions of the year, which are index stays for the
-- 30-day readmission rate, and which index stays were followed by an unplanned readmission.
insert into scores.utilization_inpatient_stay
    (measurement_year, person_id, stay_number, admission_date, discharge_date, claims, facilities, transfer,
     principal_diagnosis, drg_code, discharge_disposition_code, planned, counted_admission, index_stay, readmitted)
with inpatient_claim as (
    select claim_id,
           person_id,
           min(coalesce(admission_date, claim_start_date)) as admission_date,
           max(coalesce(discharge_date, claim_end_date)) as discharge_date,
           arg_min(coalesce(facility_npi, billing_npi), claim_line_number) as facility_npi,
           arg_min(diagnosis_code_1, claim_line_number) as principal_diagnosis,
           arg_min(lpad(drg_code, 3, '0'), claim_line_number) as drg_code,
           arg_min(ltrim(discharge_disposition_code, '0'), claim_line_number) as discharge_disposition_code
    from scores.claim_line_net
    where claim_type = 'institutional'
      and left(right(bill_type_code, 3), 2) in ('11', '12')
    group by claim_id, person_id
    -- a year of history before the measurement year lets a transfer chain start before it
    having max(coalesce(discharge_date, claim_end_date)) >= $history_start
       and min(coalesce(admission_date, claim_start_date)) <= $year_end
),
ordered_claim as (
    select *,
           max(discharge_date) over earlier as stay_discharge_so_far,
           arg_max(facility_npi, discharge_date) over earlier as last_facility_so_far
    from inpatient_claim
    window earlier as (partition by person_id order by admission_date, discharge_date, claim_id
                       rows between unbounded preceding and 1 preceding)
),
stay_start as (
    select *,
           case when stay_discharge_so_far is null then 1
                when admission_date < stay_discharge_so_far then 0
                when admission_date <= stay_discharge_so_far + 1
                     and facility_npi is distinct from last_facility_so_far then 0
                else 1 end as starts_stay
    from ordered_claim
),
numbered_claim as (
    select *,
           sum(starts_stay) over (partition by person_id order by admission_date, discharge_date, claim_id
                                  rows between unbounded preceding and current row) as stay_number
    from stay_start
),
stay as (
    select person_id,
           stay_number::integer as stay_number,
           min(admission_date) as admission_date,
           max(discharge_date) as discharge_date,
           count(*)::integer as claims,
           count(distinct facility_npi)::integer as facilities,
           arg_min(principal_diagnosis, (admission_date, claim_id)) as principal_diagnosis,
           arg_min(drg_code, (admission_date, claim_id)) as drg_code,
           arg_max(discharge_disposition_code, (discharge_date, claim_id)) as discharge_disposition_code
    from numbered_claim
    group by person_id, stay_number
),
enrollment as (
    select person_id, enrollment_start_date, enrollment_end_date
    from staging.eligibility
),
flagged_stay as (
    select s.*,
           s.facilities > 1 as transfer,
           -- A stay without a DRG or principal diagnosis is not planned (list_contains(.., null) is null).
           coalesce(list_contains($planned_diagnoses, s.principal_diagnosis), false)
               or coalesce(list_contains($planned_drgs, s.drg_code), false) as planned,
           s.admission_date between $year_start and $year_end
               and exists (select 1 from enrollment as e where e.person_id = s.person_id
                           and s.admission_date between e.enrollment_start_date and e.enrollment_end_date)
               as counted_admission,
           s.discharge_date between $year_start and $index_discharge_end
               and coalesce(s.discharge_disposition_code, '') not in ('20', '40', '41', '42')
               and exists (select 1 from enrollment as e where e.person_id = s.person_id
                           and s.discharge_date between e.enrollment_start_date and e.enrollment_end_date)
               as index_stay
    from stay as s
)
select
    $year as measurement_year,
    f.person_id, f.stay_number, f.admission_date, f.discharge_date, f.claims, f.facilities, f.transfer,
    f.principal_diagnosis, f.drg_code, f.discharge_disposition_code, f.planned, f.counted_admission, f.index_stay,
    f.index_stay and exists (
        select 1 from flagged_stay as later
        where later.person_id = f.person_id
          and later.stay_number > f.stay_number
          and not later.planned
          and later.admission_date between f.discharge_date and f.discharge_date + $readmission_days
    ) as readmitted
from flagged_stay as f
