"""Dagster assets and checks of the measures layer (thin wrappers over the plain modules beside them).

`measures/valueset`: value-set expansions from the `hmoqa` resource's valuesets_dir.
`measures/measure_result`: the ecqm program's seven measures for every patient of the clinical
model, one measurement year per partition; re-materializing a year replaces that year's rows.
"""


import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.asset_metadata import measurement_years, markdown_table
from pipelines.clinical.assets import CLINICAL_MODEL_KEY
from pipelines.duck import row_count, transaction
from pipelines.ingest.assets import connection
from pipelines.measures.engine import PROGRAM_ECQM, create_measure_tables, evaluate, set_year_subjects, year_period
from pipelines.measures.summary import consistency_problems, population_counts
from pipelines.partitions import measurement_year_partitions, single_run_backfill
from pipelines.resources import HmoqaConfig
from pipelines.terminology.valuesets import load_valuesets, resolve_valuesets_dir

VALUESET_KEY = dg.AssetKey(["measures", "valueset"])
MEASURE_RESULT_KEY = dg.AssetKey(["measures", "measure_result"])




@dg.asset(
    key=VALUESET_KEY,
    group_name="measures",
    kinds={"duckdb"},
    description="FHIR ValueSet expansions (folder: the hmoqa resource's valuesets_dir) in "
                "measures.valueset / measures.valueset_code, keyed by OID and (code system, normalised code).",
)
def valueset(context: dg.AssetExecutionContext, duckdb: DuckDBResource, hmoqa: HmoqaConfig) -> dg.MaterializeResult:
    folder = resolve_valuesets_dir(hmoqa.valuesets_dir)
    with connection(duckdb) as con:
        create_measure_tables(con)
        with transaction(con):
            loaded = load_valuesets(con, folder)
        codes = row_count(con, "measures.valueset_code")
    context.log.info(f"{loaded} value sets, {codes} codes from {folder}")
    return dg.MaterializeResult(metadata={"valuesets": loaded, "codes": codes, "folder": str(folder),
                                          "dagster/row_count": codes})


@dg.asset(
    key=MEASURE_RESULT_KEY,
    group_name="measures",
    kinds={"duckdb"},
    partitions_def=measurement_year_partitions,
    backfill_policy=single_run_backfill,
    deps=[VALUESET_KEY, CLINICAL_MODEL_KEY],
    description="One row per patient x measure x measurement year (program 'ecqm'): initial population, "
                "denominator, exclusion, exception and numerator, exclusion reason and numerator evidence "
                "with its source. Set-based SQL in sql/measures/.",
)
def measure_result(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    summaries: list[dict] = []
    rows_written = 0
    with connection(duckdb) as con:
        create_measure_tables(con)
        for year in measurement_years(context):
            with transaction(con):
                set_year_subjects(con, year)
                evaluated = evaluate(con, program=PROGRAM_ECQM)
            rows_written += sum(evaluated.values())
            summaries += [{"year": year, **row} for row in population_counts(con, PROGRAM_ECQM, *year_period(year))]
    return dg.MaterializeResult(metadata={
        "years": dg.MetadataValue.json(measurement_years(context)),
        "dagster/row_count": rows_written,
        "populations": dg.MetadataValue.md(markdown_table(summaries)),
    })


@dg.asset_check(
    asset=MEASURE_RESULT_KEY,
    name="populations_consistent",
    partitions_def=measurement_year_partitions,
    description="Every patient has one row per measure and year; DEN = IP, exclusions inside the "
                "denominator, numerator only in the denominator minus exclusions, evidence only with a numerator.",
)
def populations_consistent(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource) -> dg.AssetCheckResult:
    problems: dict[str, int] = {}
    with connection(duckdb) as con:
        create_measure_tables(con)
        for year in measurement_years(context):
            for name, n in consistency_problems(con, PROGRAM_ECQM, *year_period(year)).items():
                problems[name] = problems.get(name, 0) + n
    return dg.AssetCheckResult(passed=not any(problems.values()), severity=dg.AssetCheckSeverity.ERROR,
                               metadata={"problems": dg.MetadataValue.json(problems)})


ASSETS: list = [valueset, measure_result]
CHECKS: list = [populations_consistent]
