-- A re-run replaces the rows of the same program, measure and measurement periods.
delete from measures.measure_result
where program = $program
  and measure_id = $measure_id
  and (period_start, period_end) in (select distinct (mp_start, mp_end) from subject)
