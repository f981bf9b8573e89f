"""Dagster assets and checks of the scores layer (thin wrappers over the plain modules beside them).

Four assets in group `scores`, partitioned by measurement year; a run over a range of years
replaces each year's rows in its own transaction (delete, then insert):
  scores/attribution   scores.attribution, scores.attribution_visit
  scores/chart_audit   scores.chart_audit_* (compliance, agreement, reviewer flags)
  scores/experience    scores.experience_score
  scores/utilization   scores.utilization_* (member months, stays, member facts, metrics)
Metadata holds row counts and plan-level figures, never member identifiers. Each asset has a check
that fails on impossible values (pipelines/scores/validity.py).
"""


from collections.abc import Callable

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.asset_metadata import measurement_years, markdown_table
from pipelines.duck import transaction
from pipelines.ingest.assets import connection
from pipelines.partitions import measurement_year_partitions, single_run_backfill
from pipelines.scores import validity
from pipelines.scores.attribution import attribution_summary, build_attribution
from pipelines.scores.chart_audits import build_chart_audits, chart_audit_summary
from pipelines.scores.experience import build_experience, experience_summary
from pipelines.scores.store import create_score_tables
from pipelines.scores.utilization import build_utilization, plan_figures

ATTRIBUTION_KEY = dg.AssetKey(["scores", "attribution"])
CHART_AUDIT_KEY = dg.AssetKey(["scores", "chart_audit"])
EXPERIENCE_KEY = dg.AssetKey(["scores", "experience"])
UTILIZATION_KEY = dg.AssetKey(["scores", "utilization"])


def _staging(*names: str) -> list[dg.AssetKey]:
    return [dg.AssetKey(["staging", name]) for name in names]




def _materialize_years(context, duckdb: DuckDBResource, build: Callable, summarize: Callable) -> dict:
    """Build each year of the run in its own transaction; metadata per year (counts only)."""
    per_year, total_rows = {}, 0
    with connection(duckdb) as con:
        create_score_tables(con)
        for year in measurement_years(context):
            with transaction(con):
                written = build(con, year)
            rows = sum(written.values()) if isinstance(written, dict) else int(written)
            total_rows += rows
            per_year[str(year)] = {"rows": written, **summarize(con, year)}
    return {"years": dg.MetadataValue.json(per_year), "dagster/row_count": total_rows}


def _check(context, duckdb: DuckDBResource, problems: Callable) -> dg.AssetCheckResult:
    found: dict[str, int] = {}
    with connection(duckdb) as con:
        create_score_tables(con)
        for year in measurement_years(context):
            for rule, n in problems(con, year).items():
                found[rule] = found.get(rule, 0) + n
    broken = {rule: n for rule, n in found.items() if n}
    return dg.AssetCheckResult(passed=not broken, severity=dg.AssetCheckSeverity.ERROR,
                               metadata={"rules_checked": len(found), "broken": dg.MetadataValue.json(broken)})


@dg.asset(
    key=ATTRIBUTION_KEY, group_name="scores", kinds={"duckdb"},
    partitions_def=measurement_year_partitions, backfill_policy=single_run_backfill,
    deps=_staging("eligibility", "provider", "medical_claim"),
    description="One PCP per member enrolled in the year (scores.attribution): plurality of primary-care E&M "
                "visits with in-network PCPs over the 24 months ending Dec 31, ties to the most recent visit then "
                "the lowest NPI, else the PCP assigned on enrollment, else unattributed. The visit counts behind "
                "it are in scores.attribution_visit. Rule: docs/scores.md.",
)
def attribution(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata=_materialize_years(
        context, duckdb, build_attribution, lambda con, year: {"members_by_method": attribution_summary(con, year)}))


@dg.asset(
    key=CHART_AUDIT_KEY, group_name="scores", kinds={"duckdb"},
    partitions_def=measurement_year_partitions, backfill_policy=single_run_backfill,
    deps=_staging("chart_audit"),
    description="Chart-audit documentation compliance (pass / applicable, round 1) per element, provider and "
                "reviewer, provider audit score from 10 charts, percent agreement and Cohen's kappa on round-2 "
                "re-reviews per element and reviewer pair, reviewers below 95% flagged (scores.chart_audit_*).",
)
def chart_audit(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata=_materialize_years(context, duckdb, build_chart_audits, chart_audit_summary))


@dg.asset(
    key=EXPERIENCE_KEY, group_name="scores", kinds={"duckdb"},
    partitions_def=measurement_year_partitions, backfill_policy=single_run_backfill,
    deps=_staging("survey_response", "eligibility"),
    description="CAHPS-style composites and ratings (scores.experience_score): top-box % and 0-100 means, "
                "case-mix adjusted, with respondents, reliability and the respondent minimums (suppressed_reason), "
                "for health-plan surveys per product line and plan and clinician-group surveys per provider.",
)
def experience(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata=_materialize_years(context, duckdb, build_experience, experience_summary))


@dg.asset(
    key=UTILIZATION_KEY, group_name="scores", kinds={"duckdb"},
    partitions_def=measurement_year_partitions, backfill_policy=single_run_backfill,
    deps=[ATTRIBUTION_KEY, *_staging("eligibility", "provider", "medical_claim", "pharmacy_claim")],
    description="Member months by product line, PMPM paid and allowed by service category, admissions and ED "
                "visits per 1,000 member-years, 30-day readmission rate (transfers collapsed, planned readmissions "
                "excluded), out-of-network share; per plan, product line and attributed PCP with expected values "
                "from an age band x sex x product line model (scores.utilization_*). Definitions: docs/scores.md.",
)
def utilization(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    def summarize(con, year: int) -> dict:
        return {"plan_figures": plan_figures(con, year).to_dicts()}

    metadata = _materialize_years(context, duckdb, build_utilization, summarize)
    per_year = metadata["years"].value
    rows = [dict(year=year, **figure) for year, item in per_year.items() for figure in item.pop("plan_figures")]
    metadata["years"] = dg.MetadataValue.json(per_year)
    metadata["plan_figures"] = dg.MetadataValue.md(markdown_table(rows))
    return dg.MaterializeResult(metadata=metadata)


def _impossible_values_check(asset_key: dg.AssetKey, problems: Callable, what: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=asset_key, name="no_impossible_values", partitions_def=measurement_year_partitions,
                    description=f"Fails on impossible values: {what}.")
    def _impossible(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource) -> dg.AssetCheckResult:
        return _check(context, duckdb, problems)

    return _impossible


ASSETS: list = [attribution, chart_audit, experience, utilization]
CHECKS: list = [
    _impossible_values_check(ATTRIBUTION_KEY, validity.attribution_problems,
                             "visits with the PCP above all visits, negative counts, enrolled members without exactly "
                             "one attribution row"),
    _impossible_values_check(CHART_AUDIT_KEY, validity.chart_audit_problems,
                             "compliance or agreement outside 0-1, passes above applicable, agreements above pairs, "
                             "kappa outside -1..1"),
    _impossible_values_check(EXPERIENCE_KEY, validity.experience_problems,
                             "reliability outside 0-1, scores outside 0-100, negative respondents, a score shown "
                             "below the respondent minimum"),
    _impossible_values_check(UTILIZATION_KEY, validity.utilization_problems,
                             "readmission rate or out-of-network share outside 0-1, numerators above denominators, "
                             "negative member months or events, more than one member month in a month"),
]
