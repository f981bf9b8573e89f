-- Tables the plan program's blocks fill and every measure reads; an ecqm run leaves them empty.
-- enrollment_exclusion: reasons from enrollment data (plan-program.md 2, 5): 'death', 'long_term_institution'.
-- plan_product_line: the product line on each anchor date (plan-program.md 4): 'year_end' (Dec 31 MY,
-- every measure but CIS) and 'second_birthday' (CIS).
create or replace temp table enrollment_exclusion (patient_key varchar not null, reason varchar not null);
create or replace temp table plan_product_line (patient_key varchar not null, anchor varchar not null,
                                                product_line varchar);
