"""The claims mapping: eligibility, medical and pharmacy claims, lab results and immunizations from the
staging tables into the clinical model (plan-program.md section 1; docs/measures.md "The claims mapping").

Each model `sql/clinical/claims_<table>.sql` builds a temp table with the clinical table's columns, a
`codings` list (element, code_system, code) and, for observations, a `components` list; this module
assigns row ids, inserts the rows and their codings (normalised with the shared SQL macro), all in one
transaction that first removes every earlier row of the source kinds it owns. FHIR rows are never
touched. A staging table that does not exist (a plan without lab results, say) maps to no rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.clinical.model import RECORD_TABLES, create_clinical_tables, delete_source_kind, next_row_id
from pipelines.duck import run_sql_file, sql_text, table_exists, transaction
from pipelines.terminology.codes import normalize_code_sql_macro
from pipelines.terminology.valuesets import create_valueset_tables

# The source kinds this mapping owns (and replaces on every load).
SOURCE_KINDS = ("eligibility", "claims", "lab", "immunization")


@dataclass(frozen=True)
class ClaimsModel:
    model: str                     # sql/clinical/<model>.sql builds temp table <model>
    table: str                     # the clinical table it fills
    needs: tuple[str, ...]         # staging tables it reads


# In dependency order: observations read the lab rows already inserted, the claim encounters (for
# readings on inpatient / emergency stays) and the claim conditions (Frailty Symptom).
MODELS: tuple[ClaimsModel, ...] = (
    ClaimsModel("claims_patient", "patient", ("eligibility",)),
    ClaimsModel("claims_coverage", "coverage", ("eligibility",)),
    ClaimsModel("claims_encounter", "encounter", ("medical_claim",)),
    ClaimsModel("claims_condition", "condition", ("medical_claim",)),
    ClaimsModel("claims_procedure", "procedure", ("medical_claim",)),
    ClaimsModel("claims_lab_observation", "observation", ("lab_result",)),
    ClaimsModel("claims_observation", "observation", ("medical_claim",)),
    ClaimsModel("claims_medication_request", "medication_request", ("pharmacy_claim",)),
    ClaimsModel("claims_medication_dispense", "medication_dispense", ("pharmacy_claim",)),
    ClaimsModel("claims_immunization", "immunization", ("immunization",)),
    ClaimsModel("claims_vaccine_line", "immunization", ("medical_claim",)),
)
# Temp tables shared by several models, built when their staging table exists.
SHARED_INPUTS = {"medical_claim": "claims_line", "pharmacy_claim": "claims_pharmacy_fill"}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'clinical' "
        "and table_name = $t order by ordinal_position", {"t": table}).fetchall()]


def _insert_model(con: duckdb.DuckDBPyConnection, model: ClaimsModel) -> int:
    run_sql_file(con, f"clinical/{model.model}.sql", {"first_row_id": next_row_id(con)})
    columns = ", ".join(_columns(con, model.table))
    con.execute(f"insert into clinical.{model.table} ({columns}) select {columns} from {model.model}")
    resource_type = RECORD_TABLES[model.table]
    con.execute(
        f"insert into clinical.coding (row_id, patient_key, resource_type, element, code_system, code, code_normalized) "
        f"select row_id, patient_key, $resource_type, c.element, c.code_system, c.code, "
        f"normalize_code(c.code_system, c.code) "
        f"from (select row_id, patient_key, unnest(codings) as c from {model.model}) "
        f"where c.code is not null", {"resource_type": resource_type})
    if model.table == "observation":
        con.execute(
            "insert into clinical.observation_component (row_id, patient_key, component_index, code_system, code, "
            "code_normalized, value_type, value_quantity, value_unit, value_unit_system, value_comparator) "
            "select row_id, patient_key, component_index, c.code_system, c.code, normalize_code(c.code_system, c.code), "
            "'Quantity', c.value_quantity, c.value_unit, 'http://unitsofmeasure.org', null "
            f"from (select row_id, patient_key, unnest(range(len(components))) as component_index, "
            f"unnest(components) as c from {model.model} where len(components) > 0)")
    return int(con.execute(f"select count(*) from {model.model}").fetchone()[0])


def load_claims(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """(Re)build every claims-derived clinical row in one transaction; returns rows inserted per model.

    Replaces all earlier rows of source kinds eligibility, claims, lab and immunization; FHIR rows stay.
    Frailty Symptom diagnoses become observations only if the value sets are loaded
    (measures.valueset_code), so run it after the value-set load.
    """
    create_clinical_tables(con)
    create_valueset_tables(con)
    con.execute(normalize_code_sql_macro())
    con.execute(sql_text("clinical/claims_macros.sql"))
    available = {name for name in ("eligibility", "medical_claim", "pharmacy_claim", "lab_result", "immunization")
                 if table_exists(con, f"staging.{name}")}
    inserted: dict[str, int] = {}
    with transaction(con):
        for kind in SOURCE_KINDS:
            delete_source_kind(con, kind)
        for source, shared in SHARED_INPUTS.items():
            if source in available:
                run_sql_file(con, f"clinical/{shared}.sql")
        for model in MODELS:
            if set(model.needs) <= available:
                inserted[model.model] = _insert_model(con, model)
            else:
                inserted[model.model] = 0
    return inserted
