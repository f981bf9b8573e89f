-- Member months of the year per member x month x product line, from the enrollment segments cut
-- into pieces at every segment boundary and month start: overlapping segments count each day once,
-- and a day covered by two product lines goes to the segment that started last.
insert into scores.utilization_member_month
    (measurement_year, person_id, month_start, product_line, covered_days, member_months)
with segment_in_year as (
    select person_id,
           payer_type as product_line,
           enrollment_start_date,
           greatest(enrollment_start_date, $year_start) as piece_from,
           least(enrollment_end_date, $year_end) as piece_to
    from staging.eligibility
    where enrollment_start_date <= $year_end
      and enrollment_end_date >= $year_start
      and enrollment_end_date >= enrollment_start_date
),
month_start as (
    select cast(unnest(generate_series(cast($year_start as timestamp),
                                       cast($year_end as timestamp) + interval 1 day,
                                       interval 1 month)) as date) as boundary
),
boundary as (
    select person_id, piece_from as boundary from segment_in_year
    union
    select person_id, piece_to + 1 from segment_in_year
    union
    select m.person_id, s.boundary
    from (select distinct person_id from segment_in_year) as m
    cross join month_start as s
),
piece as (
    select person_id, boundary as piece_start,
           lead(boundary) over (partition by person_id order by boundary) as piece_end
    from boundary
),
covered_piece as (
    select p.person_id, p.piece_start, p.piece_end,
           arg_max(s.product_line, struct_pack(s.enrollment_start_date, s.product_line)) as product_line
    from piece as p
    join segment_in_year as s
      on s.person_id = p.person_id and p.piece_start between s.piece_from and s.piece_to
    where p.piece_end is not null
    group by p.person_id, p.piece_start, p.piece_end
)
select
    $year as measurement_year,
    person_id,
    cast(date_trunc('month', piece_start) as date) as month_start,
    product_line,
    sum(piece_end - piece_start)::integer as covered_days,
    sum(piece_end - piece_start) / max(dayofmonth(last_day(piece_start))) as member_months
from covered_piece
group by person_id, date_trunc('month', piece_start), product_line
