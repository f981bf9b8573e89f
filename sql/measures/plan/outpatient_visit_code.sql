-- The outpatient, telephone and virtual visit value sets of plan-program.md 2, one list for the claims
-- rules that count such visits (CBP's hypertension, EED's and GSD's diabetes). Matched against encounters
-- only (pipelines/clinical/claims.py ENCOUNTER_ONLY_FILES).
create or replace temp table outpatient_visit_code as
select valueset_oid
from (
    values ('2.16.840.1.113883.3.464.1003.101.12.1001'),   -- Office Visit
           ('2.16.840.1.113883.3.526.3.1240'),             -- Annual Wellness Visit
           ('2.16.840.1.113883.3.464.1003.101.12.1025'),   -- Preventive Care, established, 18+
           ('2.16.840.1.113883.3.464.1003.101.12.1023'),   -- Preventive Care, initial, 18+
           ('2.16.840.1.113883.3.464.1003.101.12.1024'),   -- Preventive Care, established, 0-17
           ('2.16.840.1.113883.3.464.1003.101.12.1022'),   -- Preventive Care, initial, 0-17
           ('2.16.840.1.113883.3.464.1003.101.12.1016'),   -- Home Healthcare Services
           ('2.16.840.1.113883.3.526.3.1285'),             -- Ophthalmological Services
           ('2.16.840.1.113883.3.464.1003.101.12.1080'),   -- Telephone Visits
           ('2.16.840.1.113883.3.464.1003.101.12.1089')    -- Virtual Encounter
) as visit_value_set(valueset_oid)
