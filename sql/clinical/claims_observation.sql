-- Observations from medical claims (plan-program.md 1 "Observation" and "Settled details"):
-- every line code some measure can match is a final observation candidate on the line's service dates
-- (the value-set match decides), the CPT II result codes become valued observations, and Frailty
-- Symptom diagnoses also become symptom observations. Runs after the lab rows are in clinical.observation
-- and after claims_encounter / claims_condition.
create or replace temp table claims_observation as
with cpt2_result as (
    select hcpcs_code, kind, value from claims_cpt2_result
),
-- HbA1c Laboratory Test LOINC codes (value set 2.16.840.1.113883.3.464.1003.198.12.1013).
hba1c_loinc(code) as (values ('4548-4'), ('4549-2'), ('17855-8'), ('17856-6'), ('96595-4')),
hba1c_valued_day as (
    select patient_key, service_start as effective_date
    from claims_line
    where hcpcs_code in (select hcpcs_code from cpt2_result where kind = 'hba1c')
    union
    select o.patient_key, o.start_lo::date
    from clinical.observation as o
    join clinical.coding as c using (row_id)
    where c.element = 'code' and c.code_system = 'http://loinc.org'
      and c.code_normalized in (select code from hba1c_loinc)
      and o.value_quantity is not null
),
-- A test known only from a claim counts as performed with a result, except the HbA1c test codes:
-- without a CPT II code or a lab value that day they are an assessment without a result, and with
-- one they add nothing (the valued row decides).
line_observation as (
    select l.patient_key, l.source_file, l.source_row,
        l.claim_id || '#' || l.claim_line_number as resource_id,
        l.service_start as start_date, l.service_end as end_date,
        case when l.hcpcs_code in ('83036', '83037') then null else 'String' end as value_type,
        null::double as value_quantity, null::varchar as value_unit,
        case when l.hcpcs_code in ('83036', '83037') then null else 'performed (claim)' end as value_text,
        null::varchar as encounter_id,
        [claim_coding('code', l.line_code_system, l.hcpcs_code),
         claim_coding('category', 'http://terminology.hl7.org/CodeSystem/observation-category',
                      case when l.hcpcs_code in ('2022F', '2023F', '2024F', '2025F', '2026F', '2033F', '3072F')
                             or l.hcpcs_code between '92002' and '92250' or l.hcpcs_code between '67028' and '67228'
                           then 'exam'
                           when l.hcpcs_code similar to '7[0-9]{4}' then 'imaging'
                           else 'laboratory' end)] as codings,
        []::struct(code_system varchar, code varchar, value_quantity double, value_unit varchar)[] as components
    from claims_line as l
    where l.hcpcs_is_of_interest and not l.hcpcs_is_visit_code
      and l.hcpcs_code not in (select hcpcs_code from cpt2_result)
      and not (l.hcpcs_code in ('83036', '83037')
               and (l.patient_key, l.service_start) in (select (patient_key, effective_date) from hba1c_valued_day))
),
hba1c_result as (
    select l.patient_key, l.source_file, l.source_row,
        l.claim_id || '#' || l.claim_line_number as resource_id,
        l.service_start as start_date, l.service_start as end_date,
        'Quantity' as value_type, r.value::double as value_quantity, '%' as value_unit,
        null::varchar as value_text, null::varchar as encounter_id,
        [claim_coding('code', 'http://www.ama-assn.org/go/cpt', l.hcpcs_code),
         claim_coding('code', 'http://loinc.org', '4548-4'),
         claim_coding('category', 'http://terminology.hl7.org/CodeSystem/observation-category', 'laboratory')]
            as codings,
        []::struct(code_system varchar, code varchar, value_quantity double, value_unit varchar)[] as components
    from claims_line as l
    join cpt2_result as r on r.hcpcs_code = l.hcpcs_code and r.kind = 'hba1c'
),
-- A reading day needs both a systolic and a diastolic code; one panel per member and day.
blood_pressure_day as (
    select l.patient_key, l.service_start as reading_date,
        min(l.source_file) as source_file, min(l.source_row) as source_row,
        list(distinct l.hcpcs_code order by l.hcpcs_code) as codes,
        list({'code_system': 'http://loinc.org',
              'code': case r.kind when 'systolic' then '8480-6' else '8462-4' end,
              'value_quantity': r.value::double, 'value_unit': 'mm[Hg]'}) as components
    from claims_line as l
    join cpt2_result as r on r.hcpcs_code = l.hcpcs_code and r.kind in ('systolic', 'diastolic')
    group by l.patient_key, l.service_start
    having bool_or(r.kind = 'systolic') and bool_or(r.kind = 'diastolic')
),
-- Readings taken during an inpatient stay or an emergency visit point at that encounter.
acute_encounter as (
    select patient_key, resource_id, start_lo::date as start_date, end_lo::date as end_date
    from claims_encounter
    where resource_id like '%#inpatient' or resource_id like '%#emergency'
),
blood_pressure as (
    select b.patient_key, b.source_file, b.source_row,
        'bp#' || b.reading_date as resource_id,
        b.reading_date as start_date, b.reading_date as end_date,
        null as value_type, null::double as value_quantity, null::varchar as value_unit,
        null::varchar as value_text,
        (select min(a.resource_id) from acute_encounter as a
         where a.patient_key = b.patient_key and b.reading_date between a.start_date and a.end_date) as encounter_id,
        [claim_coding('code', 'http://loinc.org', '85354-9'),
         claim_coding('category', 'http://terminology.hl7.org/CodeSystem/observation-category', 'vital-signs')]
        || list_transform(b.codes, c -> claim_coding('code', 'http://www.ama-assn.org/go/cpt', c)) as codings,
        b.components
    from blood_pressure_day as b
),
frailty_symptom as (
    select c.patient_key, c.source_file, c.source_row,
        c.resource_id || '#symptom' as resource_id,
        c.start_lo::date as start_date, c.end_lo::date as end_date,
        null as value_type, null::double as value_quantity, null::varchar as value_unit,
        null::varchar as value_text, null::varchar as encounter_id,
        [c.codings[1]] as codings,
        []::struct(code_system varchar, code varchar, value_quantity double, value_unit varchar)[] as components
    from claims_condition as c
    where c.codings[1].code in (
        select code_normalized from measures.valueset_code
        where valueset_oid = '2.16.840.1.113883.3.464.1003.113.12.1075'
          and code_system = 'http://hl7.org/fhir/sid/icd-10-cm')
),
claim_observation as (
    select * from line_observation
    union all by name select * from hba1c_result
    union all by name select * from blood_pressure
    union all by name select * from frailty_symptom
)
select
    patient_key,
    'claims' as source_kind,
    source_file,
    source_row,
    resource_id,
    'final' as status,
    value_type,
    value_quantity,
    value_unit,
    case when value_unit is not null then 'http://unitsofmeasure.org' end as value_unit_system,
    null::varchar as value_comparator,
    value_text,
    encounter_id,
    null::timestamp as last_updated,
    day_start(start_date) as start_lo,
    day_end(start_date) as start_hi,
    day_start(end_date) as end_lo,
    day_end(end_date) as end_hi,
    codings,
    components
from claim_observation
