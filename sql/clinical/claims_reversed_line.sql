-- Medical claim line keys that a negative paid amount reverses (plan-program.md 1): every line with such
-- a key is dropped, the reversal and the line it reverses; a zero paid amount counts. Every model that
-- reads medical claims anti-joins this small table.
create or replace temp table claims_reversed_line as
select distinct claim_id, claim_line_number
from staging.medical_claim
where paid_amount < 0
