-- Each measure's continuous-enrollment window and anchor date (plan-program.md 3):
-- BCS Oct 1 two years before MY - Dec 31 MY, with no gap at all allowed up to Dec 31 two years before;
-- COL Jan 1 of the year before MY - Dec 31 MY; CCS, CBP, EED, GSD the MY; anchor Dec 31 MY.
-- CIS: the 1st birthday through the 2nd birthday, one year for the gap rule, anchor the 2nd birthday.
create or replace temp table enrollment_window as
with measure_window(measure_id, years_before) as (
    values ('BCS', 2), ('COL', 1), ('CCS', 0), ('CBP', 0), ('EED', 0), ('GSD', 0)
),
year_window as (
    select s.patient_key, m.measure_id,
           case when m.measure_id = 'BCS' then make_date(year(s.mp_end) - 2, 10, 1)
                else make_date(year(s.mp_end) - m.years_before, 1, 1) end as window_start,
           make_date(year(s.mp_end), 12, 31) as window_end
    from subject as s
    cross join measure_window as m
),
child_window as (
    select patient_key, 'CIS' as measure_id,
           (birth_date + interval 1 year)::date as window_start,
           (birth_date + interval 2 year)::date as window_end
    from subject
    where age_at_end = 2
)
select patient_key, measure_id, window_start, window_end,
       window_end as anchor_date,
       true as split_at_year_end,
       case when measure_id = 'BCS' then make_date(year(window_start), 12, 31) end as no_gap_until
from year_window
union all
select patient_key, measure_id, window_start, window_end, window_end, false, null
from child_window
