-- The codings criteria compare with single codes (measures.md 1.3 "direct code"), and the codings of
-- the secondary elements criteria read (observation category, value, body site, discharge
-- disposition). A join with the small list (not an IN over tuples) keeps this one cheap hash probe
-- of clinical.coding.
create or replace temp table direct_code as
with direct_code_list(code_system, code_normalized) as (
    values
    ('http://loinc.org', '45755-6'),             -- Hospice care [Minimum Data Set]
    ('http://loinc.org', '71007-9'),             -- FACIT-Pal
    ('http://loinc.org', '98181-1'),             -- Medical equipment used
    ('http://loinc.org', '71802-3'),             -- Housing status
    ('http://loinc.org', '85354-9'),             -- Blood pressure panel
    ('http://loinc.org', '97506-0'),             -- Glucose management indicator
    ('http://www.ama-assn.org/go/cpt', '99211'),
    ('http://www.ama-assn.org/go/cpt', '3072F'),       -- low risk for retinopathy (plan program, EED)
    ('http://hl7.org/fhir/sid/cvx', '119'),      -- rotavirus, 2-dose schedule
    ('http://www.cms.gov/Medicare/Coding/ICD10', '3E0234Z'),   -- newborn hepatitis B
    -- vaccine anaphylaxis (CIS)
    ('http://snomed.info/sct', '471321000124106'), ('http://snomed.info/sct', '471331000124109'),
    ('http://snomed.info/sct', '433621000124101'), ('http://snomed.info/sct', '428321000124101'),
    ('http://snomed.info/sct', '471341000124104'), ('http://snomed.info/sct', '471141000124102'),
    ('http://snomed.info/sct', '471311000124103'), ('http://snomed.info/sct', '428331000124103'),
    ('http://snomed.info/sct', '471361000124100')
)
select c.row_id, c.element, c.code_system, c.code, c.code_normalized
from clinical.coding as c
join direct_code_list as l using (code_system, code_normalized)
where c.element = 'code'
union all
-- Only the secondary elements some criterion reads (claim modifiers, coverage types and condition
-- categories are never compared with a direct code; they stay in clinical.coding).
select row_id, element, code_system, code, code_normalized
from clinical.coding
where element in ('value', 'body_site', 'discharge_disposition')
   or (element = 'category' and code_system = 'http://terminology.hl7.org/CodeSystem/observation-category')
