"""The claims mapping: eligibility, medical and pharmacy claims, lab results and immunizations from the
staging tables into the clinical model (plan-program.md section 1; docs/measures.md "The claims mapping").

Each model `sql/clinical/claims_<table>.sql` builds a temp table with the clinical table's columns, a
`codings` list (element, code_system, code) and, for observations, a `components` list; this module
assigns row ids, inserts the rows and their codings (normalised with the shared SQL macro), all in one
transaction that first removes every earlier row of the source kinds it owns. FHIR rows are never
touched. A staging table that does not exist (a plan without lab results, say) maps to no rows.

Claim codes become clinical rows only when a measure can match them (`claims_code_of_interest`: the
loaded value sets, the administrative code supplement, and the measures' direct codes): the measures
reach every claims row through its codes, so a row whose codes no value set holds could never count,
and at plan scale many claim lines are such rows (venipuncture, CPT II codes, non-measure diagnoses,
NDC-only fills). A line code held only by the qualifying-visit value sets (office visits, preventive
visits, ...) becomes an encounter candidate only: the measures match those value sets against
encounters alone. Re-run the mapping after loading other value sets or supplements (the clinical_model
asset depends on measures/valueset, which loads both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from time import perf_counter

import duckdb

from pipelines.clinical.model import RECORD_TABLES, create_clinical_tables, delete_source_kind, next_row_id
from pipelines.duck import SQL_DIR, run_sql_file, sql_text, table_exists, transaction
from pipelines.measures.catalog import OID_LITERAL
from pipelines.terminology.codes import normalize_code_sql_macro
from pipelines.terminology.supplements import create_supplement_table
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
# The staging tables the mapping reads.
STAGING_INPUTS: tuple[str, ...] = tuple(dict.fromkeys(name for model in MODELS for name in model.needs))
# Temp tables shared by several models, built in this order when their staging table exists.
SHARED_INPUTS: dict[str, tuple[str, ...]] = {
    "medical_claim": ("claims_reversed_line", "claims_acute_claim", "claims_line_code", "claims_line",
                      "claims_diagnosis", "claims_icd10_procedure"),
    "pharmacy_claim": ("claims_pharmacy_fill",),
}
# A (code system, code) literal pair in the measures' SQL: how the measures name their direct codes.
DIRECT_CODE_LITERAL = re.compile(r"\(\s*'(https?://[^']+)'\s*,\s*'([^']+)'\s*\)")
# The qualifying-visit value sets (measures.md 2.1) are listed here, and the measure files below match
# them against clinical.encounter only (tests/clinical checks that these files read no procedure or
# observation). A visit value set named in any other measure file is not treated as visit-only.
QUALIFYING_VISIT_FILE = "common/qualifying_encounter.sql"
ENCOUNTER_ONLY_FILES = (QUALIFYING_VISIT_FILE, "plan/outpatient_visit_code.sql", "plan/claims_diabetes.sql",
                        "plan/claims_hypertension.sql")


def _measure_sql_files() -> dict[str, str]:
    root = SQL_DIR / "measures"
    return {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(root.rglob("*.sql"))}


def measure_direct_codes() -> list[tuple[str, str]]:
    """Every (code system, code) pair written as a literal in sql/measures (the direct codes of
    measures.md 1.3, e.g. CPT 99211, LOINC 85354-9): codes a measure matches without a value set."""
    return sorted({pair for text in _measure_sql_files().values() for pair in DIRECT_CODE_LITERAL.findall(text)})


def visit_only_valuesets() -> list[str]:
    """The qualifying-visit value sets that no measure matches against anything but encounters: a claim
    line code held by these alone becomes an encounter candidate only (no procedure, no observation)."""
    files = _measure_sql_files()
    visit = set(OID_LITERAL.findall(files[QUALIFYING_VISIT_FILE]))
    elsewhere = {oid for name, text in files.items() if name not in ENCOUNTER_ONLY_FILES
                 for oid in OID_LITERAL.findall(text)}
    return sorted(visit - elsewhere)


def build_codes_of_interest(con: duckdb.DuckDBPyConnection) -> int:
    """Temp table claims_code_of_interest: the codes some measure can match; returns its size."""
    direct = measure_direct_codes()
    create_supplement_table(con)
    run_sql_file(con, "clinical/claims_code_of_interest.sql",
                 {"direct_code_systems": [s for s, _ in direct], "direct_codes": [c for _, c in direct],
                  "visit_valueset_oids": visit_only_valuesets()})
    return int(con.execute("select count(*) from claims_code_of_interest").fetchone()[0])


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'clinical' "
        "and table_name = $t order by ordinal_position", {"t": table}).fetchall()]


def _insert_model(con: duckdb.DuckDBPyConnection, model: ClaimsModel) -> int:
    run_sql_file(con, f"clinical/{model.model}.sql")
    # Row ids above every existing one: the model's own dense rowid, offset (no window over the rows).
    first_row_id = {"first_row_id": next_row_id(con)}
    columns = [c for c in _columns(con, model.table) if c != "row_id"]
    names = ", ".join(columns)
    con.execute(f"insert into clinical.{model.table} (row_id, {names}) "
                f"select $first_row_id + rowid, {names} from {model.model}", first_row_id)
    resource_type = RECORD_TABLES[model.table]
    con.execute(
        f"insert into clinical.coding (row_id, patient_key, resource_type, element, code_system, code, code_normalized) "
        f"select row_id, patient_key, $resource_type, c.element, c.code_system, c.code, "
        f"normalize_code(c.code_system, c.code) "
        f"from (select $first_row_id + rowid as row_id, patient_key, unnest(codings) as c from {model.model}) "
        f"where c.code is not null", {"resource_type": resource_type, **first_row_id})
    if model.table == "observation":
        con.execute(
            "insert into clinical.observation_component (row_id, patient_key, component_index, code_system, code, "
            "code_normalized, value_type, value_quantity, value_unit, value_unit_system, value_comparator) "
            "select row_id, patient_key, component_index, c.code_system, c.code, normalize_code(c.code_system, c.code), "
            "'Quantity', c.value_quantity, c.value_unit, 'http://unitsofmeasure.org', null "
            f"from (select $first_row_id + rowid as row_id, patient_key, unnest(range(len(components))) as component_index, "
            f"unnest(components) as c from {model.model} where len(components) > 0)", first_row_id)
    return int(con.execute(f"select count(*) from {model.model}").fetchone()[0])


def load_claims(con: duckdb.DuckDBPyConnection, timings: dict[str, float] | None = None) -> dict[str, int]:
    """(Re)build every claims-derived clinical row in one transaction; returns rows inserted per model.

    Replaces all earlier rows of source kinds eligibility, claims, lab and immunization; FHIR rows stay.
    Claim codes map only when a loaded value set, the supplement or a measure's direct code holds them,
    so run it after the value-set (and supplement) load. `timings`, when given, receives the wall
    seconds of every step (model name -> seconds).
    """
    timings = timings if timings is not None else {}

    def timed(name: str, work, *args):
        started = perf_counter()
        result = work(*args)
        timings[name] = timings.get(name, 0.0) + perf_counter() - started
        return result

    create_clinical_tables(con)
    create_valueset_tables(con)
    con.execute(normalize_code_sql_macro())
    con.execute(sql_text("clinical/claims_macros.sql"))
    available = {name for name in STAGING_INPUTS if table_exists(con, f"staging.{name}")}
    inserted: dict[str, int] = {}
    # Row order carries no meaning here (row ids are assigned, lineage columns locate the source).
    con.execute("set preserve_insertion_order = false")
    try:
        with transaction(con):
            timed("delete_previous_rows", lambda: [delete_source_kind(con, kind) for kind in SOURCE_KINDS])
            timed("claims_code_of_interest", build_codes_of_interest, con)
            run_sql_file(con, "clinical/claims_cpt2_result.sql")
            for source, shared_models in SHARED_INPUTS.items():
                if source in available:
                    for shared in shared_models:
                        timed(shared, run_sql_file, con, f"clinical/{shared}.sql")
            for model in MODELS:
                if set(model.needs) <= available:
                    inserted[model.model] = timed(model.model, _insert_model, con, model)
                else:
                    inserted[model.model] = 0
    finally:
        con.execute("reset preserve_insertion_order")
    return inserted


def claims_input_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Counts of the medical-claim input the last `load_claims` on `con` met (reversals, lines dropped with
    them, line codes no measure can match, modifiers by slot); empty when there are no medical claims."""
    if not table_exists(con, "staging.medical_claim"):
        return {}
    cursor = run_sql_file(con, "clinical/claims_input_count.sql")
    row = cursor.fetchone()
    return {d[0]: int(v or 0) for d, v in zip(cursor.description, row)}
