-- The days each member is enrolled, as runs of consecutive days: overlapping or touching (adjacent)
-- segments merge before gaps are counted (plan-program.md 3).
create or replace temp table enrollment_coverage as
with ordered_segment as (
    select patient_key, segment_start, segment_end,
           max(segment_end) over (partition by patient_key order by segment_start, segment_end
                                  rows between unbounded preceding and 1 preceding) as covered_until
    from enrollment_segment
    where segment_end >= segment_start
),
run_start as (
    select *,
           case when covered_until is null or segment_start > covered_until + 1 then 1 else 0 end as starts_run
    from ordered_segment
),
numbered_run as (
    select *,
           sum(starts_run) over (partition by patient_key order by segment_start, segment_end
                                 rows between unbounded preceding and current row) as run_number
    from run_start
)
select patient_key, min(segment_start) as coverage_start, max(segment_end) as coverage_end
from numbered_run
group by patient_key, run_number
