"""Dagster assets and checks of plan reporting (thin wrappers over rates.py and care_gaps.py).

Three assets in group `measures`, partitioned by measurement year; a run replaces each year's rows
in its own transaction (delete, then insert):
  measures/plan_rate          measures.plan_rate, plan_rate_stratum, plan_rate_exclusion
  measures/plan_rate_monthly  measures.plan_rate_monthly (rolling rate as of each month end)
  measures/care_gap           measures.care_gap (PHI), and the PHI CSV export when phi_export_dir is set
Metadata holds counts and rates per measure and product line, never member identifiers.
"""


from collections.abc import Callable

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.asset_metadata import markdown_table, measurement_years, yearly_problems_check
from pipelines.clinical.assets import CLINICAL_MODEL_KEY
from pipelines.duck import transaction
from pipelines.ingest.assets import connection
from pipelines.measures.assets import MEASURE_RESULT_KEY
from pipelines.measures.care_gaps import (PHI_EXPORT_ENV, build_care_gaps, care_gap_problems, care_gap_summary,
                                          create_care_gap_table, export_care_gaps, phi_export_dir)
from pipelines.measures.rates import (build_plan_rate_monthly, build_plan_rates, create_plan_rate_tables,
                                      monthly_preview, monthly_problems, rate_preview, rate_problems)
from pipelines.partitions import measurement_year_partitions, single_run_backfill
from pipelines.resources import HmoqaConfig
from pipelines.scores.assets import ATTRIBUTION_KEY

GROUP = "measures"
PLAN_RATE_KEY = dg.AssetKey(["measures", "plan_rate"])
PLAN_RATE_MONTHLY_KEY = dg.AssetKey(["measures", "plan_rate_monthly"])
CARE_GAP_KEY = dg.AssetKey(["measures", "care_gap"])


@dg.asset(
    key=PLAN_RATE_KEY, group_name=GROUP, kinds={"duckdb"},
    partitions_def=measurement_year_partitions, backfill_policy=single_run_backfill,
    deps=[MEASURE_RESULT_KEY],
    description="Plan rates per measure x product line ('all' = every line) x measurement year, plan program: "
                "eligible population, exclusions (total in measures.plan_rate, by reason in plan_rate_exclusion), "
                "denominator = eligible - exclusions, numerator, rate with its Wilson 95% interval, reportable "
                "(denominator >= 30), inverse flag (GSD: lower is better); COL strata in plan_rate_stratum. "
                "docs/plan-reporting.md.",
)
def plan_rate(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    written: dict[str, int] = {}
    preview: list[dict] = []
    with connection(duckdb) as con:
        for year in measurement_years(context):
            with transaction(con):
                for table, rows in build_plan_rates(con, year).items():
                    written[table] = written.get(table, 0) + rows
            preview += [{"year": year, **row} for row in rate_preview(con, year)]
    context.log.info(f"plan rates: {written}")
    return dg.MaterializeResult(metadata={
        "years": dg.MetadataValue.json(measurement_years(context)),
        "rows": dg.MetadataValue.json(written),
        "dagster/row_count": written.get("plan_rate", 0),
        "rates": dg.MetadataValue.md(markdown_table(preview)),
    })


@dg.asset(
    key=PLAN_RATE_MONTHLY_KEY, group_name=GROUP, kinds={"duckdb"},
    partitions_def=measurement_year_partitions, backfill_policy=single_run_backfill,
    deps=[MEASURE_RESULT_KEY, PLAN_RATE_KEY, CLINICAL_MODEL_KEY],
    description="The rolling rate of the measurement year as of each month end (January to the last month "
                "with data) per measure x product line: the year's denominator, the numerator from evidence dated "
                "on or before the month end (GSD, inverse: poorly controlled until the most recent assessment "
                "with a result). measures.plan_rate_monthly; docs/plan-reporting.md.",
)
def plan_rate_monthly(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    rows = 0
    preview: list[dict] = []
    with connection(duckdb) as con:
        for year in measurement_years(context):
            with transaction(con):
                rows += build_plan_rate_monthly(con, year)
            preview += [{"year": year, **row} for row in monthly_preview(con, year)]
    return dg.MaterializeResult(metadata={
        "years": dg.MetadataValue.json(measurement_years(context)),
        "dagster/row_count": rows,
        "plan_rate_by_month_end": dg.MetadataValue.md(markdown_table(preview)),
    })


@dg.asset(
    key=CARE_GAP_KEY, group_name=GROUP, kinds={"duckdb"},
    partitions_def=measurement_year_partitions, backfill_policy=single_run_backfill,
    deps=[MEASURE_RESULT_KEY, ATTRIBUTION_KEY, CLINICAL_MODEL_KEY],
    description="Open care gaps (measures.care_gap, PHI): every plan member in a denominator, not excluded and "
                "not in the numerator (GSD: in the numerator), with what is missing, the day it can be closed by, "
                "the attributed or assigned PCP and the last relevant service. Written as a CSV marked PHI only "
                "into the hmoqa resource's phi_export_dir (HMOQA_PHI_EXPORT_DIR); otherwise no file is written.",
)
def care_gap(context: dg.AssetExecutionContext, duckdb: DuckDBResource, hmoqa: HmoqaConfig) -> dg.MaterializeResult:
    export_dir = phi_export_dir(hmoqa.phi_export_dir)
    gaps = 0
    summary: list[dict] = []
    exports: list[str] = []
    with connection(duckdb) as con:
        for year in measurement_years(context):
            with transaction(con):
                gaps += build_care_gaps(con, year)
            summary += [{"year": year, **row} for row in care_gap_summary(con, year)]
            if export_dir is not None:
                exports.append(str(export_care_gaps(con, year, export_dir)))
    context.log.info(f"{gaps} open care gaps; PHI export: {len(exports)} file(s)")
    export_note = (dg.MetadataValue.json(exports) if exports else
                   f"not written: no PHI export folder is configured (hmoqa resource phi_export_dir / {PHI_EXPORT_ENV})")
    return dg.MaterializeResult(metadata={
        "years": dg.MetadataValue.json(measurement_years(context)),
        "dagster/row_count": gaps,
        "gaps_by_measure": dg.MetadataValue.md(markdown_table(summary)),
        "phi_export": export_note,
    })


def _check(context, duckdb: DuckDBResource, create: Callable, problems: Callable) -> dg.AssetCheckResult:
    with connection(duckdb) as con:
        create(con)
        return yearly_problems_check(context, con, problems)


@dg.asset_check(asset=PLAN_RATE_KEY, name="plan_rates_consistent", partitions_def=measurement_year_partitions,
                description="Rates in 0-1, numerator <= denominator = eligible - exclusions, the Wilson interval "
                            "contains the rate, reportable = denominator >= 30, the 'all' line equals "
                            "measure_result's counts and the product lines add up to it.")
def plan_rates_consistent(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource) -> dg.AssetCheckResult:
    return _check(context, duckdb, create_plan_rate_tables, rate_problems)


@dg.asset_check(asset=PLAN_RATE_MONTHLY_KEY, name="monthly_rates_consistent",
                partitions_def=measurement_year_partitions,
                description="Each month's denominator is the year's, numerator <= denominator, numerators never "
                            "move backwards (up for inverse GSD: down), and the last month's numerator is the year's.")
def monthly_rates_consistent(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource) -> dg.AssetCheckResult:
    return _check(context, duckdb, create_plan_rate_tables, monthly_problems)


@dg.asset_check(asset=CARE_GAP_KEY, name="care_gaps_reconcile", partitions_def=measurement_year_partitions,
                description="Gaps per measure = denominator - numerator of measure_result (numerator for GSD), one "
                            "gap per member and measure, no close-by or service date after the year.")
def care_gaps_reconcile(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource) -> dg.AssetCheckResult:
    return _check(context, duckdb, create_care_gap_table, care_gap_problems)


ASSETS: list = [plan_rate, plan_rate_monthly, care_gap]
CHECKS: list = [plan_rates_consistent, monthly_rates_consistent, care_gaps_reconcile]
