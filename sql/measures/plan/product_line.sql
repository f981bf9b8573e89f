-- The product line on each anchor date (plan-program.md 4): the segment covering it (Dec 31 MY; CIS the
-- 2nd birthday); of several, the one that started last; on a tie, medicare, then medicaid, then
-- commercial. measure_result gives each member-measure row the line of its measure's anchor.
insert into plan_product_line
with anchor as (
    select patient_key, make_date(year(mp_end), 12, 31) as anchor_date, false as is_second_birthday
    from subject
    union all
    select patient_key, (birth_date + interval 2 year)::date, true
    from subject
    where age_at_end = 2
),
line_on_anchor as (
    select a.patient_key, a.is_second_birthday, g.product_line
    from anchor as a
    join enrollment_segment as g
        on g.patient_key = a.patient_key and a.anchor_date between g.segment_start and g.segment_end
    qualify row_number() over (
        partition by a.patient_key, a.is_second_birthday
        order by g.segment_start desc,
                 case g.product_line when 'medicare' then 1 when 'medicaid' then 2 when 'commercial' then 3 else 4 end,
                 g.product_line) = 1
)
select patient_key, case when is_second_birthday then 'second_birthday' else 'year_end' end, product_line
from line_on_anchor
