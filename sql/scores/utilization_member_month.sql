-- Member months of the year per member x month x product line, from the enrollment segments cut
-- into pieces at every segment boundary: overlapping segments count each day once, and a day
-- covered by two product lines goes to the segment that started last. Each piece is then split
-- at month starts.
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
boundary as (
    select person_id, piece_from as boundary from segment_in_year
    union
    select person_id, piece_to + 1 from segment_in_year
),
piece as (
    select person_id, boundary as piece_start,
           lead(boundary) over (partition by person_id order by boundary) as piece_end
    from boundary
),
covered_piece as (
    select p.person_id, p.piece_start, p.piece_end - 1 as piece_last_day,
           arg_max(s.product_line, struct_pack(s.enrollment_start_date, s.product_line)) as product_line
    from piece as p
    join segment_in_year as s
      on s.person_id = p.person_id and p.piece_start between s.piece_from and s.piece_to
    where p.piece_end is not null
    group by p.person_id, p.piece_start, p.piece_end
),
piece_month as (
    select person_id, product_line, piece_start, piece_last_day,
           cast(unnest(generate_series(date_trunc('month', piece_start), cast(piece_last_day as timestamp),
                                       interval 1 month)) as date) as month_start
    from covered_piece
),
piece_month_days as (
    select person_id, product_line, month_start,
           least(piece_last_day, last_day(month_start)) - greatest(piece_start, month_start) + 1 as covered_days,
           dayofmonth(last_day(month_start)) as days_in_month
    from piece_month
)
-- A piece covering its whole month is the month's only piece (pieces do not overlap), so only
-- partly covered months are summed per product line.
select $year as measurement_year, person_id, month_start, product_line,
       covered_days::integer as covered_days, covered_days / days_in_month as member_months
from piece_month_days
where covered_days = days_in_month
union all
select
    $year as measurement_year,
    person_id,
    month_start,
    product_line,
    sum(covered_days)::integer as covered_days,
    sum(covered_days) / max(days_in_month) as member_months
from piece_month_days
where covered_days < days_in_month
group by person_id, month_start, product_line
