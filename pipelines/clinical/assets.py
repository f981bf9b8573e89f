"""Dagster assets and checks of the clinical layer (thin wrappers over the plain modules beside them).

`clinical/clinical_model`: the clinical tables every measure reads, loaded from FHIR R4 files in
`<landing_dir>/fhir` (files, NDJSON, Bundles, any nesting) and, through the claims mapping
(`pipelines.clinical.claims`), from the staging tables (source kinds eligibility, claims, lab,
immunization). Each load replaces only its own source kinds' rows.
"""


from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.clinical.claims import STAGING_INPUTS, claims_input_counts, load_claims
from pipelines.clinical.fhir import SOURCE_KIND, load_fhir
from pipelines.clinical.model import create_clinical_tables, delete_source_kind
from pipelines.clinical.summary import issue_counts, issue_preview, record_counts
from pipelines.duck import transaction
from pipelines.ingest.assets import connection
from pipelines.resources import HmoqaConfig

CLINICAL_MODEL_KEY = dg.AssetKey(["clinical", "clinical_model"])
# The claims mapping reads these staging tables, and the value sets (Frailty Symptom diagnoses).
CLAIMS_INPUT_KEYS = [dg.AssetKey(["staging", name]) for name in STAGING_INPUTS]
VALUESET_KEY = dg.AssetKey(["measures", "valueset"])


def fhir_folder(hmoqa: HmoqaConfig) -> Path:
    return Path(hmoqa.landing_dir) / "fhir"


def _markdown_table(rows: list[dict]) -> str:
    if not rows:
        return "(none)"
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(r[h]) for h in header) + " |" for r in rows]
    return "\n".join(lines)


@dg.asset(
    key=CLINICAL_MODEL_KEY,
    group_name="clinical",
    kinds={"duckdb"},
    deps=[*CLAIMS_INPUT_KEYS, VALUESET_KEY],
    description="Clinical model (schema clinical): patient, coverage, encounter, condition, procedure, "
                "observation (+ components), medication request / dispense, immunization, device and "
                "service requests, allergy; every coding in clinical.coding; lineage on every row. "
                "FHIR rows come from <landing_dir>/fhir; problems go to clinical.load_issue. "
                "Eligibility, claims, lab results and immunizations come from the staging tables "
                "(docs/measures.md, the claims mapping).",
)
def clinical_model(context: dg.AssetExecutionContext, duckdb: DuckDBResource,
                   hmoqa: HmoqaConfig) -> dg.MaterializeResult:
    folder = fhir_folder(hmoqa)
    with connection(duckdb) as con:
        create_clinical_tables(con)
        with transaction(con):
            if folder.is_dir():
                report = load_fhir(con, folder, replace=True)
                loaded = {"fhir_records": report.records, "fhir_patients": report.patients,
                          "fhir_codings": report.codings}
            else:
                delete_source_kind(con, SOURCE_KIND)
                loaded = {"fhir_records": 0, "fhir_patients": 0, "fhir_codings": 0}
        claims_rows = load_claims(con)
        claims_input = claims_input_counts(con)
        counts = record_counts(con)
        issues = issue_counts(con)
        preview = issue_preview(con)
    if not folder.is_dir():
        context.log.info(f"no FHIR folder at {folder}; the clinical model holds only other sources")
    if issues.get("error"):
        context.log.warning(f"{issues['error']} FHIR inputs could not be loaded; see clinical.load_issue")
    return dg.MaterializeResult(metadata={
        **loaded,
        "claims_mapping_rows": dg.MetadataValue.json(claims_rows),
        "claims_input": dg.MetadataValue.json(claims_input),
        "fhir_folder": str(folder),
        "dagster/row_count": sum(n for per_kind in counts.values() for n in per_kind.values()),
        "rows_by_table_and_source": dg.MetadataValue.json(counts),
        "load_issues_by_severity": dg.MetadataValue.json(issues),
        "load_issue_preview": dg.MetadataValue.md(_markdown_table(preview)),
    })


@dg.asset_check(
    asset=CLINICAL_MODEL_KEY,
    name="no_unreadable_inputs",
    description="Warns when FHIR input could not be read (not JSON, no subject, no resourceType); "
                "the rest of the batch is still loaded and evaluated.",
)
def no_unreadable_inputs(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with connection(duckdb) as con:
        create_clinical_tables(con)
        issues = issue_counts(con)
    return dg.AssetCheckResult(passed=not issues.get("error"), severity=dg.AssetCheckSeverity.WARN,
                               metadata={"load_issues_by_severity": dg.MetadataValue.json(issues)})


ASSETS: list = [clinical_model]
CHECKS: list = [no_unreadable_inputs]
