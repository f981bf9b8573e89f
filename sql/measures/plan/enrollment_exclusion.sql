-- Exclusions from enrollment data (plan-program.md 2, 5): death during MY (eligibility death_date);
-- for members 66 and older (at Dec 31 MY), institutional_snp_flag or long_term_institutional_flag on a
-- segment during MY counts as living long term in an institution. (hospice_flag: plan/hospice_services.sql.)
insert into enrollment_exclusion
select distinct g.patient_key, 'death'
from enrollment_segment as g
join subject as s using (patient_key)
where g.death_date between s.mp_start_date and s.mp_end_date
union all
select distinct g.patient_key, 'long_term_institution'
from enrollment_segment as g
join subject as s using (patient_key)
where s.age_at_end >= 66
  and (g.institutional_snp_flag or g.long_term_institutional_flag)
  and g.segment_start <= s.mp_end_date and g.segment_end >= s.mp_start_date
