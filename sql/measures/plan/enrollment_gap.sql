-- Enrollment gaps per member and calendar year (plan-program.md 3): a gap is a run of days covered by no
-- segment, including days at a window's start or end; a gap crossing Jan 1 is split at the year boundary.
-- One pass per member over the widest window, Oct 1 two years before MY - Dec 31 MY (BCS; COL's and the
-- MY-only windows are whole calendar years inside it, so their years' gaps are the same), plus the CIS
-- window, the 1st through the 2nd birthday, taken as one year. One row per member, period and gap:
-- period 'my', 'my_minus_1', 'oct_dec_my_minus_2' or 'cis_year'.
create or replace temp table enrollment_gap as
with enrollment_span as (
    select patient_key, false as is_cis_year,
           make_date(year(mp_end) - 2, 10, 1) as span_start, make_date(year(mp_end), 12, 31) as span_end
    from subject
    union all
    select patient_key, true, (birth_date + interval 1 year)::date, (birth_date + interval 2 year)::date
    from subject
    where age_at_end = 2
),
covered_run as (
    select w.patient_key, w.is_cis_year, w.span_start, w.span_end,
           greatest(c.coverage_start, w.span_start) as run_start,
           least(c.coverage_end, w.span_end) as run_end
    from enrollment_span as w
    join enrollment_coverage as c
        on c.patient_key = w.patient_key and c.coverage_start <= w.span_end and c.coverage_end >= w.span_start
),
ordered_run as (
    select *,
           lag(run_end) over (partition by patient_key, is_cis_year order by run_start) as previous_run_end,
           lead(run_start) over (partition by patient_key, is_cis_year order by run_start) is null as is_last_run
    from covered_run
),
uncovered_span as (                  -- no segment at all in the window: the whole window is one gap
    select patient_key, is_cis_year, span_start as gap_start, span_end as gap_end, span_end
    from enrollment_span as w
    where not exists (select 1 from covered_run as r
                      where r.patient_key = w.patient_key and r.is_cis_year = w.is_cis_year)
),
span_gap as (
    select patient_key, is_cis_year, coalesce(previous_run_end + 1, span_start) as gap_start, run_start - 1 as gap_end,
           span_end
    from ordered_run
    where run_start > coalesce(previous_run_end + 1, span_start)
    union all
    select patient_key, is_cis_year, run_end + 1, span_end, span_end
    from ordered_run
    where is_last_run and run_end < span_end
    union all
    select * from uncovered_span
),
year_part as (
    select patient_key,
           case year(span_end) - gap_year when 0 then 'my' when 1 then 'my_minus_1' else 'oct_dec_my_minus_2' end
               as period,
           greatest(gap_start, make_date(gap_year, 1, 1)) as part_start,
           least(gap_end, make_date(gap_year, 12, 31)) as part_end
    from (select *, unnest(generate_series(year(gap_start), year(gap_end))) as gap_year
          from span_gap
          where not is_cis_year)
)
select patient_key, period, part_start as gap_start, part_end as gap_end
from year_part
union all
select patient_key, 'cis_year', gap_start, gap_end
from span_gap
where is_cis_year
