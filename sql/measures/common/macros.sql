-- Timing vocabulary of measures.md 1.4-1.5, over the clinical model's uncertainty bounds
-- (lo = earliest instant a value can mean, hi = latest). A test is met only when it is certain,
-- which is how the reference engines treat uncertain comparisons. Null (unknown) bounds fail.
-- Windows are given as dates (day level) or timestamps (exact).
create or replace temp macro age_on(birth, on_date) as
    date_diff('year', birth, on_date)
    - case when strftime(on_date, '%m%d') < strftime(birth, '%m%d') then 1 else 0 end;
create or replace temp macro end_of_time() as timestamp '9999-12-31 23:59:59.999';
create or replace temp macro beginning_of_time() as timestamp '0001-01-01 00:00:00';
-- X during (day of) W: X lies inside W.
create or replace temp macro during_day(start_lo, end_hi, w_start, w_end) as
    coalesce(start_lo::date >= w_start and end_hi::date <= w_end, false);
-- X ends during (day of) W: the real end (or the point) is inside W, end of time fails.
create or replace temp macro ends_during_day(end_lo, end_hi, w_start, w_end) as
    coalesce(end_lo::date >= w_start and end_hi::date <= w_end, false);
-- X overlaps (day of) W.
create or replace temp macro overlaps_day(start_hi, end_lo, w_start, w_end) as
    coalesce(start_hi::date <= w_end and end_lo::date >= w_start, false);
-- X starts during (day of) W; the beginning of time never does.
create or replace temp macro starts_during_day(start_lo, start_hi, w_start, w_end) as
    coalesce(start_lo::date >= w_start and start_hi::date <= w_end, false);
-- latest(x): the real end, else the start. earliest(x): the real start, else the end.
create or replace temp macro latest_of(start_b, end_b, end_lo) as
    case when end_lo is not null and end_lo < end_of_time() then end_b else start_b end;
create or replace temp macro earliest_of(start_b, end_b, start_lo) as
    case when start_lo is not null and start_lo > beginning_of_time() then start_b else end_b end;
-- Exact comparisons with an instant T (no "day of"). A value of coarser precision than T whose
-- span touches T is uncertain in the reference engines and so not met (measures.md 1.5, 6.5):
-- a date-only 2025-12-31 is not "on or before 2025-12-31T23:59:59.999".
create or replace temp macro on_or_before_exact(lo, hi, t) as
    coalesce(hi < t or (lo = hi and hi = t), false);
create or replace temp macro on_or_after_exact(lo, hi, t) as
    coalesce(lo > t or (lo = hi and lo = t), false);
create or replace temp macro before_exact(hi, t) as
    coalesce(hi < t, false);
