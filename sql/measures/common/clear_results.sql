-- A re-run replaces the rows of the same program, measures and measurement periods.
delete from measures.measure_result
where program = $program
  and measure_id in (select unnest($measure_ids))
  and (period_start, period_end) in (select distinct (mp_start, mp_end) from subject)
