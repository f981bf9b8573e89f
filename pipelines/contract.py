"""The input data contract: every landing source, its columns, types, nullability and allowed values.

This module is the single source of truth for what a landing folder may hold. The generator writes
to it, ingestion reads and validates against it, and `docs/data-contract.md` is rendered from it
(`hmoqa contract`), so the three cannot drift apart.

Claims, pharmacy claims, eligibility and lab results use the Tuva Project input-layer column names
and types, so a plan that already maps to Tuva can drop its files in unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Logical types. Raw tables keep every column as text (as read); staging casts to these.
VARCHAR = "VARCHAR"
INTEGER = "INTEGER"
DECIMAL = "DOUBLE"
DATE = "DATE"
TIMESTAMP = "TIMESTAMP"

MEASURE_IDS = ("BCS", "COL", "CCS", "CBP", "EED", "GSD", "CIS")
PRODUCT_LINES = ("commercial", "medicaid", "medicare")


@dataclass(frozen=True)
class Column:
    name: str
    type: str = VARCHAR
    nullable: bool = True
    allowed: tuple[str, ...] | None = None
    pattern: str | None = None  # regular expression the text must match (after trimming)
    minimum: float | None = None
    description: str = ""


@dataclass(frozen=True)
class Source:
    name: str
    description: str
    columns: tuple[Column, ...]
    # Column(s) whose date gives the monthly partition; the first non-null wins. None = unpartitioned.
    partition_date_columns: tuple[str, ...] | None = None
    # Columns that must be present in the file. Other contract columns may be absent (loaded as null).
    required_columns: tuple[str, ...] = field(default=())
    # Column naming the member, checked against eligibility (unknown members are quarantined).
    member_column: str | None = "person_id"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def partitioned(self) -> bool:
        return self.partition_date_columns is not None


def _c(name: str, type_: str = VARCHAR, nullable: bool = True, **kw) -> Column:
    return Column(name=name, type=type_, nullable=nullable, **kw)


_FLAG = ("0", "1")
_NPI = r"^[0-9]{10}$"
_ICD10 = r"^[A-Za-z][0-9][0-9A-Za-z](\.?[0-9A-Za-z]{1,4})?$"

MEDICAL_CLAIM = Source(
    name="medical_claim",
    description="Professional and institutional claim lines (Tuva input layer `medical_claim`).",
    partition_date_columns=("claim_line_start_date", "claim_start_date"),
    required_columns=("claim_id", "claim_line_number", "claim_type", "person_id", "claim_start_date",
                      "claim_end_date", "hcpcs_code", "diagnosis_code_1", "paid_amount"),
    columns=(
        _c("claim_id", nullable=False),
        _c("claim_line_number", INTEGER, nullable=False, minimum=1),
        _c("claim_type", nullable=False, allowed=("professional", "institutional", "undetermined")),
        _c("person_id", nullable=False),
        _c("member_id"),
        _c("payer"),
        _c("plan"),
        _c("claim_start_date", DATE, nullable=False),
        _c("claim_end_date", DATE, nullable=False),
        _c("claim_line_start_date", DATE),
        _c("claim_line_end_date", DATE),
        _c("admission_date", DATE),
        _c("discharge_date", DATE),
        _c("admit_source_code"),
        _c("admit_type_code"),
        _c("discharge_disposition_code"),
        _c("place_of_service_code", pattern=r"^[0-9]{2}$"),
        _c("bill_type_code", pattern=r"^[0-9A-Za-z]{3,4}$"),
        _c("drg_code_type"),
        _c("drg_code"),
        _c("revenue_center_code", pattern=r"^[0-9]{3,4}$"),
        _c("service_unit_quantity", DECIMAL, minimum=0),
        _c("hcpcs_code", pattern=r"^([0-9]{4}[0-9FTUftu]|[A-Za-z][0-9]{4})$",
           description="CPT I (5 digits), CPT II (4 digits + F), CPT III (4 digits + T) or HCPCS II (letter + 4 digits)"),
        *(_c(f"hcpcs_modifier_{i}", pattern=r"^[0-9A-Za-z]{2}$") for i in range(1, 6)),
        _c("rendering_npi", pattern=_NPI),
        _c("rendering_tin"),
        _c("billing_npi", pattern=_NPI),
        _c("billing_tin"),
        _c("facility_npi", pattern=_NPI),
        _c("paid_date", DATE),
        _c("paid_amount", DECIMAL, description="negative = reversal of the line with the same claim_id and claim_line_number"),
        _c("allowed_amount", DECIMAL),
        _c("charge_amount", DECIMAL),
        _c("coinsurance_amount", DECIMAL),
        _c("copayment_amount", DECIMAL),
        _c("deductible_amount", DECIMAL),
        _c("total_cost_amount", DECIMAL),
        _c("diagnosis_code_type", allowed=("icd-9-cm", "icd-10-cm", "icd-10-pcs")),
        _c("diagnosis_code_1", pattern=_ICD10, description="ICD-10-CM, with or without the dot"),
        *(_c(f"diagnosis_code_{i}", pattern=_ICD10) for i in range(2, 26)),
        *(_c(f"diagnosis_poa_{i}") for i in range(1, 26)),
        _c("procedure_code_type", allowed=("icd-9-pcs", "icd-10-pcs")),
        *(_c(f"procedure_code_{i}", pattern=r"^[0-9A-Za-z]{3,7}$") for i in range(1, 26)),
        *(_c(f"procedure_date_{i}", DATE) for i in range(1, 26)),
        _c("in_network_flag", INTEGER, allowed=_FLAG),
        _c("data_source"),
        _c("file_name"),
        _c("file_date", DATE),
        _c("ingest_datetime", TIMESTAMP),
    ),
)

PHARMACY_CLAIM = Source(
    name="pharmacy_claim",
    description="Pharmacy dispenses (Tuva input layer `pharmacy_claim`), plus an optional `rxnorm_code`.",
    partition_date_columns=("dispensing_date",),
    required_columns=("claim_id", "claim_line_number", "person_id", "dispensing_date", "ndc_code"),
    columns=(
        _c("claim_id", nullable=False),
        _c("claim_line_number", INTEGER, nullable=False, minimum=1),
        _c("person_id", nullable=False),
        _c("member_id"),
        _c("payer"),
        _c("plan"),
        _c("prescribing_provider_npi", pattern=_NPI),
        _c("dispensing_provider_npi", pattern=_NPI),
        _c("dispensing_date", DATE, nullable=False),
        _c("ndc_code", nullable=False, pattern=r"^[0-9]{11}$"),
        _c("rxnorm_code", pattern=r"^[0-9]{1,10}$", description="optional; not in the Tuva layer"),
        _c("quantity", DECIMAL, minimum=0),
        _c("days_supply", INTEGER, minimum=0),
        _c("refills", INTEGER, minimum=0),
        _c("paid_date", DATE),
        _c("paid_amount", DECIMAL),
        _c("allowed_amount", DECIMAL),
        _c("charge_amount", DECIMAL),
        _c("coinsurance_amount", DECIMAL),
        _c("copayment_amount", DECIMAL),
        _c("deductible_amount", DECIMAL),
        _c("in_network_flag", INTEGER, allowed=_FLAG),
        _c("data_source"),
        _c("file_name"),
        _c("file_date", DATE),
        _c("ingest_datetime", TIMESTAMP),
    ),
)

ELIGIBILITY = Source(
    name="eligibility",
    description="Enrollment segments, one row per member x segment (Tuva input layer `eligibility`).",
    required_columns=("person_id", "gender", "birth_date", "enrollment_start_date",
                      "enrollment_end_date", "payer_type"),
    member_column=None,
    columns=(
        _c("person_id", nullable=False),
        _c("member_id"),
        _c("subscriber_id"),
        _c("gender", nullable=False, allowed=("male", "female", "unknown")),
        _c("race"),
        _c("birth_date", DATE, nullable=False),
        _c("death_date", DATE),
        _c("death_flag", INTEGER, allowed=_FLAG),
        _c("enrollment_start_date", DATE, nullable=False),
        _c("enrollment_end_date", DATE, nullable=False),
        _c("payer"),
        _c("payer_type", nullable=False, allowed=PRODUCT_LINES, description="the product line"),
        _c("plan"),
        _c("original_reason_entitlement_code"),
        _c("dual_status_code"),
        _c("medicare_status_code"),
        _c("group_id"),
        _c("group_name"),
        _c("name_suffix"),
        _c("first_name"),
        _c("middle_name"),
        _c("last_name"),
        _c("social_security_number"),
        _c("subscriber_relation"),
        _c("address"),
        _c("city"),
        _c("state"),
        _c("zip_code"),
        _c("phone"),
        _c("email"),
        _c("ethnicity"),
        _c("data_source"),
        _c("file_name"),
        _c("file_date", DATE),
        _c("ingest_datetime", TIMESTAMP),
        _c("enrollment_status"),
        _c("hospice_flag", INTEGER, allowed=_FLAG),
        _c("institutional_snp_flag", INTEGER, allowed=_FLAG),
        _c("long_term_institutional_flag", INTEGER, allowed=_FLAG),
        _c("pcp_npi", pattern=_NPI, description="optional: PCP assigned on enrollment (not in the Tuva layer)"),
    ),
)

LAB_RESULT = Source(
    name="lab_result",
    description="Laboratory results (Tuva input layer `lab_result`): supplemental data.",
    partition_date_columns=("result_datetime", "collection_datetime"),
    required_columns=("lab_result_id", "person_id", "result"),
    columns=(
        _c("lab_result_id", nullable=False),
        _c("person_id", nullable=False),
        _c("patient_id"),
        _c("encounter_id"),
        _c("accession_number"),
        _c("source_order_type"),
        _c("source_order_code"),
        _c("source_order_description"),
        _c("source_component_type"),
        _c("source_component_code"),
        _c("source_component_description"),
        _c("normalized_order_type"),
        _c("normalized_order_code"),
        _c("normalized_order_description"),
        _c("normalized_component_type"),
        _c("normalized_component_code"),
        _c("normalized_component_description"),
        _c("status"),
        _c("result"),
        _c("result_datetime", TIMESTAMP),
        _c("collection_datetime", TIMESTAMP),
        _c("source_units"),
        _c("normalized_units"),
        _c("source_reference_range_low"),
        _c("source_reference_range_high"),
        _c("normalized_reference_range_low"),
        _c("normalized_reference_range_high"),
        _c("source_abnormal_flag"),
        _c("normalized_abnormal_flag"),
        _c("specimen"),
        _c("ordering_practitioner_id"),
        _c("data_source"),
        _c("file_name"),
        _c("ingest_datetime", TIMESTAMP),
    ),
)

IMMUNIZATION = Source(
    name="immunization",
    description="Administered vaccines from registries or EHRs (Tuva input layer `immunization`): supplemental data.",
    partition_date_columns=None,
    required_columns=("immunization_id", "person_id", "occurrence_date"),
    columns=(
        _c("immunization_id", nullable=False),
        _c("person_id", nullable=False),
        _c("patient_id"),
        _c("encounter_id"),
        _c("source_code_type"),
        _c("source_code"),
        _c("source_description"),
        _c("normalized_code_type", allowed=("cvx", "cpt", "hcpcs", "ndc", "snomed-ct")),
        _c("normalized_code"),
        _c("normalized_description"),
        _c("status", allowed=("completed", "entered-in-error", "not-done")),
        _c("status_reason"),
        _c("occurrence_date", DATE, nullable=False),
        _c("source_dose"),
        _c("normalized_dose"),
        _c("lot_number"),
        _c("body_site"),
        _c("route"),
        _c("location_id"),
        _c("practitioner_id"),
        _c("data_source"),
        _c("file_name"),
        _c("ingest_datetime", TIMESTAMP),
    ),
)

PROVIDER = Source(
    name="provider",
    description="The provider roster: individual clinicians and facilities, with network status.",
    required_columns=("npi", "provider_name", "specialty", "network_status", "primary_care_flag"),
    member_column=None,
    columns=(
        _c("npi", nullable=False, pattern=_NPI),
        _c("provider_name", nullable=False),
        _c("provider_type", allowed=("individual", "facility")),
        _c("specialty", nullable=False, description="plain specialty, e.g. family medicine, ophthalmology, optometry"),
        _c("taxonomy_code", pattern=r"^[0-9A-Za-z]{9}X$", description="NUCC taxonomy"),
        _c("practice_id"),
        _c("practice_name"),
        _c("tin", pattern=r"^[0-9]{9}$"),
        _c("network_status", nullable=False, allowed=("in_network", "out_of_network")),
        _c("primary_care_flag", INTEGER, nullable=False, allowed=_FLAG),
    ),
)

MEDICAL_RECORD_ABSTRACTION = Source(
    name="medical_record_abstraction",
    description="Hybrid chart-review findings: what an abstractor found in the medical record.",
    required_columns=("abstraction_id", "person_id", "measure_id", "finding_type", "service_date"),
    columns=(
        _c("abstraction_id", nullable=False),
        _c("person_id", nullable=False),
        _c("measure_id", nullable=False, allowed=MEASURE_IDS),
        _c("finding_type", nullable=False,
           allowed=("numerator_event", "result_value", "exclusion", "no_evidence")),
        _c("code_system", allowed=("CPT", "HCPCS", "ICD10CM", "ICD10PCS", "LOINC", "SNOMEDCT", "CVX", "RXNORM")),
        _c("code"),
        _c("result_value", DECIMAL),
        _c("result_unit"),
        _c("service_date", DATE, nullable=False),
        _c("provider_npi", pattern=_NPI),
        _c("reviewer_id", nullable=False),
        _c("abstraction_date", DATE, nullable=False),
    ),
)

CHART_AUDIT = Source(
    name="chart_audit",
    description="Documentation audits of provider charts, one row per audit x review round x element. "
                "Round 2 rows are an independent re-review of the same audit by a second reviewer.",
    required_columns=("audit_id", "review_round", "provider_npi", "person_id", "reviewer_id",
                      "audit_date", "element", "result"),
    columns=(
        _c("audit_id", nullable=False),
        _c("review_round", INTEGER, nullable=False, allowed=("1", "2")),
        _c("provider_npi", nullable=False, pattern=_NPI),
        _c("person_id", nullable=False),
        _c("reviewer_id", nullable=False),
        _c("audit_date", DATE, nullable=False),
        _c("element", nullable=False, allowed=(
            "problem_list", "medication_list", "allergies", "vital_signs", "preventive_screening",
            "care_plan", "follow_up", "signature")),
        _c("result", nullable=False, allowed=("pass", "fail", "not_applicable")),
    ),
)

SURVEY_ITEMS = {
    # composite items: 1 never, 2 sometimes, 3 usually, 4 always
    "getting_needed_care_1": "composite", "getting_needed_care_2": "composite",
    "getting_care_quickly_1": "composite", "getting_care_quickly_2": "composite",
    "doctor_communication_1": "composite", "doctor_communication_2": "composite",
    "doctor_communication_3": "composite", "doctor_communication_4": "composite",
    "customer_service_1": "composite", "customer_service_2": "composite",
    # global ratings: 0 worst .. 10 best
    "rating_health_plan": "rating", "rating_health_care": "rating",
    "rating_personal_doctor": "rating", "rating_specialist": "rating",
}

SURVEY_RESPONSE = Source(
    name="survey_response",
    description="CAHPS-style member experience survey answers, one row per respondent x item.",
    required_columns=("respondent_id", "person_id", "survey_type", "survey_date", "item_id", "response"),
    columns=(
        _c("respondent_id", nullable=False),
        _c("person_id", nullable=False),
        _c("survey_type", nullable=False, allowed=("health_plan", "clinician_group")),
        _c("provider_npi", pattern=_NPI, description="required for clinician_group surveys"),
        _c("survey_date", DATE, nullable=False),
        _c("item_id", nullable=False, allowed=tuple(SURVEY_ITEMS)),
        _c("response", INTEGER, nullable=False, allowed=tuple(str(i) for i in range(0, 11)),
           description="1-4 (never..always) for composite items, 0-10 for ratings"),
        _c("age_band", allowed=("18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+")),
        _c("education", allowed=("8th_grade_or_less", "some_high_school", "high_school", "some_college",
                                 "college_graduate", "postgraduate")),
        _c("general_health", allowed=("excellent", "very_good", "good", "fair", "poor")),
        _c("mental_health", allowed=("excellent", "very_good", "good", "fair", "poor")),
    ),
)

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (ELIGIBILITY, PROVIDER, MEDICAL_CLAIM, PHARMACY_CLAIM, LAB_RESULT, IMMUNIZATION,
              MEDICAL_RECORD_ABSTRACTION, CHART_AUDIT, SURVEY_RESPONSE)
}
PARTITIONED_SOURCES = tuple(n for n, s in SOURCES.items() if s.partitioned)
UNPARTITIONED_SOURCES = tuple(n for n, s in SOURCES.items() if not s.partitioned)
