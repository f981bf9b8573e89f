-- Continuous enrollment (plan-program.md 3): in each calendar year of the measure's window at most one
-- gap, of at most 45 days; BCS: no gap at all from Oct 1 to Dec 31 two years before MY; CIS: its
-- window is one year; and the member is enrolled on the anchor date (Dec 31 MY; CIS the 2nd birthday).
create or replace temp table continuous_enrollment as
with measure_period(measure_id, period, allowed_gaps) as (
    values ('BCS', 'oct_dec_my_minus_2', 0), ('BCS', 'my_minus_1', 1), ('BCS', 'my', 1),
           ('COL', 'my_minus_1', 1), ('COL', 'my', 1),
           ('CCS', 'my', 1), ('CBP', 'my', 1), ('EED', 'my', 1), ('GSD', 'my', 1),
           ('CIS', 'cis_year', 1)
),
gap_count as (
    select patient_key, period, count(*) as gaps, max(gap_end - gap_start + 1) as longest_gap
    from enrollment_gap
    group by patient_key, period
),
broken_window as (
    select distinct m.measure_id, g.patient_key
    from gap_count as g
    join measure_period as m using (period)
    where g.gaps > m.allowed_gaps or g.longest_gap > 45
),
enrolled_on_anchor as (
    select a.patient_key, a.anchor_date, a.is_second_birthday
    from (select patient_key, make_date(year(mp_end), 12, 31) as anchor_date, false as is_second_birthday
          from subject
          union all
          select patient_key, (birth_date + interval 2 year)::date, true
          from subject
          where age_at_end = 2) as a
    where exists (select 1 from enrollment_coverage as c
                  where c.patient_key = a.patient_key and a.anchor_date between c.coverage_start and c.coverage_end)
),
measure_enrolled_on_anchor as (
    select m.measure_id, e.patient_key
    from enrolled_on_anchor as e
    join (select distinct measure_id, measure_id = 'CIS' as is_second_birthday from measure_period) as m
        using (is_second_birthday)
)
select measure_id, patient_key from measure_enrolled_on_anchor
where (measure_id, patient_key) not in (select (measure_id, patient_key) from broken_window)
