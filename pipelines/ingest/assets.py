"""Dagster assets of the ingest layer: the landing inventory and one raw table per source.

Thin wrappers over `pipelines.ingest.landing` and `pipelines.ingest.raw`.
"""


import contextlib
import datetime as dt
from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.contract import SOURCES
from pipelines.duck import ensure_schemas
from pipelines.ingest import describe
from pipelines.ingest.landing import REQUIRED_SOURCES, accepted_names, discover, require_sources
from pipelines.ingest.raw import inventory_landing, load_raw, raw_table
from pipelines.partitions import service_month_partitions, single_run_backfill
from pipelines.resources import HmoqaConfig

INVENTORY_KEY = dg.AssetKey(["raw", "landing_inventory"])


@contextlib.contextmanager
def connection(resource: DuckDBResource) -> Iterator:
    """A short-lived connection that is closed even when the step fails (DuckDBResource only closes
    it on success, and a connection left open keeps the database file locked for other readers)."""
    with resource.get_connection() as con:
        try:
            # Long statements would otherwise draw a progress bar into the run's logs.
            con.execute("set enable_progress_bar = false")
            ensure_schemas(con)
            yield con
        finally:
            con.close()


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def month_bounds(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> tuple[dt.date, dt.date]:
    """[first day, first day after] of the run's partition (range)."""
    window = context.partition_time_window
    return window.start.date(), window.end.date()


def partition_limits() -> tuple[dt.date, dt.date]:
    keys = service_month_partitions.get_partition_keys()
    return dt.date.fromisoformat(keys[0]), dt.date.fromisoformat(keys[-1])


@dg.asset(
    key=INVENTORY_KEY,
    group_name="ingest",
    kinds={"duckdb"},
    description="What landed: per source file its rows by service month (raw.landing_inventory), and the "
                "rows of partitioned sources that no monthly partition can hold (no parseable service date, "
                "or a month outside the partitions), kept with their reason in raw.rejected_rows. Fails when a "
                "required source is missing or a file is unreadable or lacks a required column.",
)
def landing_inventory(context: dg.AssetExecutionContext, duckdb: DuckDBResource,
                      hmoqa: HmoqaConfig) -> dg.MaterializeResult:
    first, last = partition_limits()
    with connection(duckdb) as con:
        inventory = inventory_landing(con, hmoqa.landing_dir, first, last, utc_now())
    for name in inventory.missing_sources:
        context.log.warning(f"no file landed for optional source {name}: its tables will be empty")
    return dg.MaterializeResult(metadata={
        "files": inventory.files,
        "rows_read": dg.MetadataValue.json(inventory.rows_read),
        "rows_rejected_no_partition": dg.MetadataValue.json(inventory.rows_rejected),
        "sources_not_landed": dg.MetadataValue.json(inventory.missing_sources),
        "service_months": f"{inventory.first_month} .. {inventory.last_month}",
    })


def _raw_asset(name: str) -> dg.AssetsDefinition:
    source = SOURCES[name]
    partitioned = source.partitioned
    requirement = "Required" if name in REQUIRED_SOURCES else "Optional (absent: empty table and a warning)"
    description = (
        f"{source.description} Every contract column as text, as read from the landing files "
        f"({', '.join(accepted_names(name))}), with lineage (_source_file, _source_row, _loaded_at"
        + (", _service_month). Partitioned by the service month of the first parseable of "
           + ", ".join(source.partition_date_columns) + "; a run replaces its months in one transaction."
           if partitioned else "). Replaced in full, in one transaction.")
        + f" {requirement}."
    )

    @dg.asset(
        key=["raw", name],
        group_name="ingest",
        kinds={"duckdb"},
        description=description,
        partitions_def=service_month_partitions if partitioned else None,
        backfill_policy=single_run_backfill if partitioned else None,
        deps=[INVENTORY_KEY] if partitioned else None,
    )
    def _raw(context: dg.AssetExecutionContext, duckdb: DuckDBResource, hmoqa: HmoqaConfig) -> dg.MaterializeResult:
        discovered = discover(hmoqa.landing_dir)
        if name in REQUIRED_SOURCES:
            require_sources(hmoqa.landing_dir, discovered, names=(name,))
        paths = discovered[name]
        if not paths:
            context.log.warning(f"no file landed for optional source {name} in {hmoqa.landing_dir}: "
                                f"raw.{name} is empty for this run")
        months = month_bounds(context) if partitioned else (None, None)
        with connection(duckdb) as con:
            loaded = load_raw(con, name, paths, utc_now(), *months)
            where = "where _service_month >= $s and _service_month < $e" if partitioned else ""
            params = {"s": months[0], "e": months[1]} if partitioned else {}
            metadata = {
                "landed": loaded.landed,
                "files": dg.MetadataValue.json([f.path for f in loaded.files]),
                "rows_loaded": loaded.rows_loaded,
                "dagster/row_count": loaded.rows_loaded,
                "date_range": describe.date_range(con, raw_table(name), name, where, params),
                "preview": dg.MetadataValue.md(describe.preview_markdown(con, raw_table(name), name, where, params)),
            }
        if partitioned:
            metadata |= {
                "rows_in_files": sum(f.rows_read for f in loaded.files),
                "rows_in_other_months": sum(f.rows_other_months for f in loaded.files),
                "rows_without_service_month": sum(f.rows_without_month for f in loaded.files),
                "rows_by_month": dg.MetadataValue.json(loaded.rows_by_month),
            }
        if not loaded.landed:
            metadata["note"] = "no file landed for this source"
        return dg.MaterializeResult(metadata=metadata)

    return _raw


RAW_ASSETS = {name: _raw_asset(name) for name in SOURCES}

ASSETS: list = [landing_inventory, *RAW_ASSETS.values()]
CHECKS: list = []
