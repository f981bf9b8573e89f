"""Dagster assets and checks of the measures layer (thin wrappers over the plain modules beside them).

`measures/valueset`: value-set expansions from the `hmoqa` resource's valuesets_dir (the starter code
list when none is configured) plus the administrative code supplement.
`measures/measure_result`: the seven measures in both programs, one measurement year per partition: the
ecqm program for every patient of the clinical model, the plan program for every member of the
eligibility file; re-materializing a year replaces that year's rows of both programs.
"""


import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.asset_metadata import measurement_years, markdown_table
from pipelines.clinical.assets import CLINICAL_MODEL_KEY
from pipelines.duck import transaction
from pipelines.ingest.assets import connection
from pipelines.measures.catalog import PROGRAM_PLAN, PROGRAMS
from pipelines.measures.engine import create_measure_tables, evaluate, set_year_subjects, year_period
from pipelines.measures.summary import consistency_problems, plan_input_counts, population_counts
from pipelines.partitions import measurement_year_partitions, single_run_backfill
from pipelines.resources import HmoqaConfig
from pipelines.terminology.valuesets import load_terminology, resolve_valuesets_dir

VALUESET_KEY = dg.AssetKey(["measures", "valueset"])
MEASURE_RESULT_KEY = dg.AssetKey(["measures", "measure_result"])


@dg.asset(
    key=VALUESET_KEY,
    group_name="measures",
    kinds={"duckdb"},
    description="FHIR ValueSet expansions (folder: the hmoqa resource's valuesets_dir; the starter code list "
                "when none is configured) in measures.valueset / measures.valueset_code, keyed by OID and "
                "(code system, normalised code), and the administrative code supplement the plan program adds "
                "(measures.valueset_supplement).",
)
def valueset(context: dg.AssetExecutionContext, duckdb: DuckDBResource, hmoqa: HmoqaConfig) -> dg.MaterializeResult:
    folder = resolve_valuesets_dir(hmoqa.valuesets_dir)
    with connection(duckdb) as con:
        create_measure_tables(con)
        with transaction(con):
            loaded = load_terminology(con, folder)
    codes = loaded["codes"]
    context.log.info(f"{loaded['valuesets']} value sets, {codes} codes from {loaded['value_sets_from']}; "
                     f"supplement {loaded['supplement_version']}: {loaded['supplement_codes']} codes")
    return dg.MaterializeResult(metadata={
        "valuesets": loaded["valuesets"], "codes": codes, "folder": str(folder) if folder else "(starter code list)",
        "value_sets_from": loaded["value_sets_from"], "supplement_codes": loaded["supplement_codes"],
        "supplement_version": loaded["supplement_version"], "dagster/row_count": codes})


@dg.asset(
    key=MEASURE_RESULT_KEY,
    group_name="measures",
    kinds={"duckdb"},
    partitions_def=measurement_year_partitions,
    backfill_policy=single_run_backfill,
    deps=[VALUESET_KEY, CLINICAL_MODEL_KEY],
    description="One row per patient x measure x measurement year x program: 'ecqm' (every patient of the "
                "clinical model, measures.md) and 'plan' (every member of the eligibility file, plan-program.md: "
                "continuous enrollment, claims-identified conditions, enrollment exclusions, product line). "
                "Initial population, denominator, exclusion and its reasons, numerator and its evidence with "
                "source and source category. Set-based SQL in sql/measures/.",
)
def measure_result(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    summaries: list[dict] = []
    plan_inputs: list[dict] = []
    rows_written = 0
    with connection(duckdb) as con:
        create_measure_tables(con)
        for year in measurement_years(context):
            # Each program's rows of the year are replaced in one transaction (delete, then insert); the
            # blocks before it are temp tables built in autocommit (see evaluate).
            for program in PROGRAMS:
                set_year_subjects(con, year, program)
                evaluated = evaluate(con, program=program, write_in_transaction=True)
                rows_written += sum(evaluated.values())
                if program == PROGRAM_PLAN:
                    plan_inputs.append({"year": year, **plan_input_counts(con)})
            for program in PROGRAMS:
                summaries += [{"year": year, "program": program, **row}
                              for row in population_counts(con, program, *year_period(year))]
    return dg.MaterializeResult(metadata={
        "years": dg.MetadataValue.json(measurement_years(context)),
        "dagster/row_count": rows_written,
        "populations": dg.MetadataValue.md(markdown_table(summaries)),
        "plan_enrollment_input": dg.MetadataValue.md(markdown_table(plan_inputs)),
    })


@dg.asset_check(
    asset=MEASURE_RESULT_KEY,
    name="populations_consistent",
    partitions_def=measurement_year_partitions,
    description="Both programs: every patient has one row per measure and year; DEN = IP, exclusions inside "
                "the denominator, numerator only in the denominator minus exclusions, evidence only with a "
                "numerator; plan rows in a denominator have a product line.",
)
def populations_consistent(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource) -> dg.AssetCheckResult:
    problems: dict[str, int] = {}
    with connection(duckdb) as con:
        create_measure_tables(con)
        for year in measurement_years(context):
            for program in PROGRAMS:
                for name, n in consistency_problems(con, program, *year_period(year)).items():
                    key = f"{program}.{name}"
                    problems[key] = problems.get(key, 0) + n
    return dg.AssetCheckResult(passed=not any(problems.values()), severity=dg.AssetCheckSeverity.ERROR,
                               metadata={"problems": dg.MetadataValue.json(problems)})


ASSETS: list = [valueset, measure_result]
CHECKS: list = [populations_consistent]
