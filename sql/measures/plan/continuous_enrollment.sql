-- Continuous enrollment (plan-program.md 3): within each calendar year of the window at most one gap,
-- of at most 45 days; a gap is a run of window days covered by no segment, including days at the
-- window's start or end; a gap crossing Jan 1 is split at the year boundary (CIS: one year, no split);
-- BCS allows no gap up to Dec 31 two years before MY; and the member is enrolled on the anchor date.
create or replace temp table continuous_enrollment as
with covered_run as (
    select w.patient_key, w.measure_id, w.window_start, w.window_end, w.split_at_year_end, w.no_gap_until,
           greatest(c.coverage_start, w.window_start) as run_start,
           least(c.coverage_end, w.window_end) as run_end
    from enrollment_window as w
    join enrollment_coverage as c
        on c.patient_key = w.patient_key and c.coverage_start <= w.window_end and c.coverage_end >= w.window_start
),
ordered_run as (
    select *,
           lag(run_end) over (partition by patient_key, measure_id order by run_start) as previous_run_end,
           lead(run_start) over (partition by patient_key, measure_id order by run_start) is null as is_last_run
    from covered_run
),
enrollment_gap as (
    select patient_key, measure_id, split_at_year_end, no_gap_until,
           coalesce(previous_run_end + 1, window_start) as gap_start, run_start - 1 as gap_end
    from ordered_run
    where run_start > coalesce(previous_run_end + 1, window_start)
    union all
    select patient_key, measure_id, split_at_year_end, no_gap_until, run_end + 1, window_end
    from ordered_run
    where is_last_run and run_end < window_end
),
gap_in_year as (
    select patient_key, measure_id, no_gap_until, gap_year,
           greatest(gap_start, make_date(gap_year, 1, 1)) as part_start,
           least(gap_end, make_date(gap_year, 12, 31)) as part_end
    from (select *, unnest(generate_series(year(gap_start), year(gap_end))) as gap_year
          from enrollment_gap
          where split_at_year_end)
    union all
    select patient_key, measure_id, no_gap_until, 0, gap_start, gap_end
    from enrollment_gap
    where not split_at_year_end
),
broken_window as (
    select patient_key, measure_id
    from gap_in_year
    group by patient_key, measure_id, gap_year
    having count(*) > 1 or max(part_end - part_start + 1) > 45
    union
    select patient_key, measure_id
    from gap_in_year
    where part_start <= no_gap_until
),
enrolled_on_anchor as (
    select w.patient_key, w.measure_id
    from enrollment_window as w
    join enrollment_coverage as c
        on c.patient_key = w.patient_key and w.anchor_date between c.coverage_start and c.coverage_end
)
select patient_key, measure_id from enrolled_on_anchor
except
select patient_key, measure_id from broken_window
