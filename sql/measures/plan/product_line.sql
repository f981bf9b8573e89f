-- The product line of each member-measure result (plan-program.md 4): the segment covering the anchor
-- date; of several, the one that started last; on a tie, medicare, then medicaid, then commercial.
insert into plan_product_line
select w.measure_id, w.patient_key, g.product_line
from enrollment_window as w
join enrollment_segment as g
    on g.patient_key = w.patient_key and w.anchor_date between g.segment_start and g.segment_end
qualify row_number() over (
    partition by w.measure_id, w.patient_key
    order by g.segment_start desc,
             case g.product_line when 'medicare' then 1 when 'medicaid' then 2 when 'commercial' then 3 else 4 end,
             g.product_line) = 1
