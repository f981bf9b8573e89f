-- Where every clinical row came from, for numerator evidence and data-quality drill-down.
create or replace view clinical.record_lineage as
select row_id, 'Patient' as resource_type, source_kind, source_file, source_row, resource_id from clinical.patient
union all select row_id, 'Coverage', source_kind, source_file, source_row, resource_id from clinical.coverage
union all select row_id, 'Encounter', source_kind, source_file, source_row, resource_id from clinical.encounter
union all select row_id, 'Condition', source_kind, source_file, source_row, resource_id from clinical.condition
union all select row_id, 'Procedure', source_kind, source_file, source_row, resource_id from clinical.procedure
union all select row_id, 'Observation', source_kind, source_file, source_row, resource_id from clinical.observation
union all select row_id, 'MedicationRequest', source_kind, source_file, source_row, resource_id from clinical.medication_request
union all select row_id, 'MedicationDispense', source_kind, source_file, source_row, resource_id from clinical.medication_dispense
union all select row_id, 'Immunization', source_kind, source_file, source_row, resource_id from clinical.immunization
union all select row_id, 'DeviceRequest', source_kind, source_file, source_row, resource_id from clinical.device_request
union all select row_id, 'ServiceRequest', source_kind, source_file, source_row, resource_id from clinical.service_request
union all select row_id, 'AllergyIntolerance', source_kind, source_file, source_row, resource_id from clinical.allergy_intolerance
