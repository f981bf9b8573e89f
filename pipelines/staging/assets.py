"""Dagster assets and checks of the staging layer (thin wrappers over the plain modules beside them).

Per source: `staging/<source>` (typed rows; bad rows to staging.quarantine), a blocking structural
check (columns present, rows read = loaded + quarantined) and a GX check confirming the quarantine.
"""

import datetime as dt

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.contract import SOURCES
from pipelines.duck import table_exists
from pipelines.ingest import describe
from pipelines.ingest.assets import connection, month_bounds, utc_now
from pipelines.partitions import service_month_partitions, single_run_backfill
from pipelines.staging.load import reconcile, stage_source, staging_table
from pipelines.staging.validation import store_results, validate

ELIGIBILITY_KEY = dg.AssetKey(["staging", "eligibility"])


def _reconciliation_table(load) -> str:
    lines = ["| partition | read | loaded | quarantined |", "|---|---|---|---|"]
    for m in load.months:
        lines.append(f"| {m.partition_key or '(all)'} | {m.rows_read} | {m.rows_loaded} | {m.rows_quarantined} |")
    return "\n".join(lines)


def _staging_asset(name: str) -> dg.AssetsDefinition:
    source = SOURCES[name]
    partitioned = source.partitioned
    deps = [dg.AssetKey(["raw", name])]
    if source.member_column:
        deps.append(ELIGIBILITY_KEY)

    @dg.asset(
        key=["staging", name],
        group_name="staging",
        kinds={"duckdb"},
        description=(f"{source.description} Typed per the data contract, codes normalised (upper case, trimmed, "
                     f"no dots), empty text as null, lineage kept. Rows breaking a row-level rule "
                     f"(null, type, allowed values, pattern, minimum"
                     + (", unknown member" if source.member_column else "")
                     + ", exact duplicate) go to staging.quarantine instead; rows read = loaded + quarantined."),
        partitions_def=service_month_partitions if partitioned else None,
        backfill_policy=single_run_backfill if partitioned else None,
        deps=deps,
    )
    def _staging(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
        months = month_bounds(context) if partitioned else (None, None)
        with connection(duckdb) as con:
            load = stage_source(con, name, utc_now(), *months)
            where = "where _service_month >= $s and _service_month < $e" if partitioned else ""
            params = {"s": months[0], "e": months[1]} if partitioned else {}
            table = staging_table(name)
            metadata = {
                "rows_read": load.rows_read,
                "rows_loaded": load.rows_loaded,
                "rows_quarantined": load.rows_quarantined,
                "dagster/row_count": load.rows_loaded,
                "reconciled": load.balanced,
                "reconciliation": dg.MetadataValue.md(_reconciliation_table(load)),
                "quarantine_rows_by_rule": dg.MetadataValue.json(load.quarantine_by_rule),
                "date_range": describe.date_range(con, table, name, where, params),
                "preview": dg.MetadataValue.md(describe.preview_markdown(con, table, name, where, params)),
            }
        if load.rows_quarantined:
            context.log.warning(f"{name}: {load.rows_quarantined} of {load.rows_read} rows quarantined "
                                f"({load.quarantine_by_rule}); see staging.quarantine")
        return dg.MaterializeResult(metadata=metadata)

    return _staging


def _structure_check(name: str) -> dg.AssetChecksDefinition:
    source = SOURCES[name]
    partitioned = source.partitioned

    @dg.asset_check(
        asset=dg.AssetKey(["staging", name]),
        name="structure_and_reconciliation",
        blocking=True,
        partitions_def=service_month_partitions if partitioned else None,
        description="Blocking: every contract column is present in the staging table, and for every month "
                    "of the run rows read (raw) = rows loaded + rows quarantined.",
    )
    def _check(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource) -> dg.AssetCheckResult:
        months = month_bounds(context) if partitioned else (None, None)
        with connection(duckdb) as con:
            present = {r[0] for r in con.execute(
                "select column_name from information_schema.columns where table_schema = 'staging' "
                "and table_name = ?", [name]).fetchall()}
            missing = [c for c in source.column_names if c not in present]
            load = reconcile(con, name, *months) if table_exists(con, staging_table(name)) else None
        unbalanced = [m.partition_key or "(all)" for m in load.months if not m.balanced] if load else ["(no table)"]
        return dg.AssetCheckResult(
            passed=not missing and not unbalanced,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "missing_columns": dg.MetadataValue.json(missing),
                "unbalanced_partitions": dg.MetadataValue.json(unbalanced),
                "rows_read": load.rows_read if load else 0,
                "rows_loaded": load.rows_loaded if load else 0,
                "rows_quarantined": load.rows_quarantined if load else 0,
            },
        )

    return _check


def _gx_check(name: str) -> dg.AssetChecksDefinition:
    source = SOURCES[name]
    partitioned = source.partitioned

    @dg.asset_check(
        asset=dg.AssetKey(["staging", name]),
        name="gx_confirms_quarantine",
        partitions_def=service_month_partitions if partitioned else None,
        description=f"Runs expectations/{name}.json with Great Expectations over the raw rows of the run's "
                    f"(last) partition and passes when, for every expectation, GX's unexpected count equals "
                    f"the rows quarantined for that column and rule. Results also go to staging.validation_result.",
    )
    def _check(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource) -> dg.AssetCheckResult:
        partition_key = None
        months = (None, None)
        if partitioned:
            _, end = month_bounds(context)
            # One partition keeps GX's frame bounded; a range run validates its last month.
            start = (dt.date(end.year - (end.month == 1), (end.month - 2) % 12 + 1, 1))
            months, partition_key = (start, end), start.isoformat()
        with connection(duckdb) as con:
            outcomes = validate(con, name, *months)
            store_results(con, name, partition_key, outcomes, utc_now())
        disagreements = [o.as_metadata() for o in outcomes if not o.agrees]
        failing = [o.as_metadata() for o in outcomes if not o.success]
        # A warning, not an error: a disagreement means a quarantine rule and its expectation differ
        # (a defect to fix), but the staged rows themselves are still reconciled by the blocking check.
        return dg.AssetCheckResult(
            passed=not disagreements,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "validated_partition": partition_key or "(unpartitioned)",
                "expectations": len(outcomes),
                "expectations_failed_by_gx": len(failing),
                "disagreements_with_quarantine": dg.MetadataValue.json(disagreements),
                "results": dg.MetadataValue.json([o.as_metadata() for o in outcomes]),
            },
        )

    return _check


STAGING_ASSETS = {name: _staging_asset(name) for name in SOURCES}

ASSETS: list = list(STAGING_ASSETS.values())
CHECKS: list = [check for name in SOURCES for check in (_structure_check(name), _gx_check(name))]
