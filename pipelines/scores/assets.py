"""Dagster assets and checks of the scores layer (thin wrappers over the plain modules beside them).

Assets of the scores layer, partitioned by measurement year, one asset group per family (also tag `family`); a run
over a range of years replaces each year's rows in its own transaction (delete, then insert):
  attribution            scores/attribution             scores.attribution, scores.attribution_visit
  provider_performance   scores/provider_measure_score  scores.provider_measure_score
                         scores/provider_composite      scores.provider_composite (composites, ranks, stars)
  hybrid                 scores/hybrid                  measures.hybrid_sample(_parameters), measures.hybrid_rate
  chart_audit            scores/chart_audit             scores.chart_audit_* (compliance, agreement, reviewer flags)
  experience             scores/experience              scores.experience_score
  utilization            scores/utilization             scores.utilization_* (member months, stays, metrics)
Metadata holds row counts and plan-level figures, never member identifiers. Each asset has a check
that fails on impossible values (pipelines/scores/validity.py).
"""


from collections.abc import Callable

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.asset_metadata import measurement_years, markdown_table, yearly_problems_check
from pipelines.duck import transaction
from pipelines.ingest.assets import connection
from pipelines.partitions import measurement_year_partitions, single_run_backfill
from pipelines.scores import validity
from pipelines.scores.attribution import attribution_summary, build_attribution
from pipelines.scores.chart_audits import build_chart_audits, chart_audit_summary
from pipelines.scores.experience import build_experience, experience_summary
from pipelines.scores.hybrid import HYBRID_MEASURES, HybridSettings, build_hybrid, hybrid_summary
from pipelines.scores.provider_performance import (build_composites, build_provider_measure_scores,
                                                   composite_summary, provider_summary)
from pipelines.scores.store import create_score_tables
from pipelines.scores.utilization import build_utilization, plan_figures

ATTRIBUTION_KEY = dg.AssetKey(["scores", "attribution"])
CHART_AUDIT_KEY = dg.AssetKey(["scores", "chart_audit"])
EXPERIENCE_KEY = dg.AssetKey(["scores", "experience"])
UTILIZATION_KEY = dg.AssetKey(["scores", "utilization"])
PROVIDER_MEASURE_SCORE_KEY = dg.AssetKey(["scores", "provider_measure_score"])
PROVIDER_COMPOSITE_KEY = dg.AssetKey(["scores", "provider_composite"])
HYBRID_KEY = dg.AssetKey(["scores", "hybrid"])
MEASURE_RESULT_KEY = dg.AssetKey(["measures", "measure_result"])


def _family(name: str) -> dict[str, str]:
    return {"family": name}


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


def _years_list_as_table(metadata: dict, key: str, empty: str = "(no rows)") -> dict:
    """Move the per-year list `key` out of the years' JSON into one Markdown table with a year column."""
    per_year = metadata["years"].value
    rows = [dict(year=year, **row) for year, item in per_year.items() for row in item.pop(key)]
    return {**metadata, "years": dg.MetadataValue.json(per_year), key: dg.MetadataValue.md(markdown_table(rows, empty))}


def _check(context, duckdb: DuckDBResource, problems: Callable) -> dg.AssetCheckResult:
    with connection(duckdb) as con:
        create_score_tables(con)
        return yearly_problems_check(context, con, problems)


@dg.asset(
    key=ATTRIBUTION_KEY, group_name="attribution", kinds={"duckdb"}, tags=_family("attribution"),
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
    key=CHART_AUDIT_KEY, group_name="chart_audit", kinds={"duckdb"}, tags=_family("chart_audit"),
    partitions_def=measurement_year_partitions, backfill_policy=single_run_backfill,
    deps=_staging("chart_audit"),
    description="Chart-audit documentation compliance (pass / applicable, round 1) per element, provider and "
                "reviewer, provider audit score from 10 charts, percent agreement and Cohen's kappa on round-2 "
                "re-reviews per element and reviewer pair, reviewers below 95% flagged (scores.chart_audit_*).",
)
def chart_audit(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata=_materialize_years(context, duckdb, build_chart_audits, chart_audit_summary))


@dg.asset(
    key=EXPERIENCE_KEY, group_name="experience", kinds={"duckdb"}, tags=_family("experience"),
    partitions_def=measurement_year_partitions, backfill_policy=single_run_backfill,
    deps=_staging("survey_response", "eligibility"),
    description="CAHPS-style composites and ratings (scores.experience_score): top-box % and 0-100 means, "
                "case-mix adjusted, with respondents, reliability and the respondent minimums (suppressed_reason), "
                "for health-plan surveys per product line and plan and clinician-group surveys per provider.",
)
def experience(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata=_materialize_years(context, duckdb, build_experience, experience_summary))


@dg.asset(
    key=UTILIZATION_KEY, group_name="utilization", kinds={"duckdb"}, tags=_family("utilization"),
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
    return dg.MaterializeResult(metadata=_years_list_as_table(metadata, "plan_figures"))


@dg.asset(
    key=PROVIDER_MEASURE_SCORE_KEY, group_name="provider_performance", kinds={"duckdb"}, tags=_family("provider_performance"),
    partitions_def=measurement_year_partitions, backfill_policy=single_run_backfill,
    deps=[ATTRIBUTION_KEY, MEASURE_RESULT_KEY],
    description="Attributed PCP x measure scores of the plan program (scores.provider_measure_score): denominator, "
                "numerator, raw rate with its Wilson interval, beta-binomial shrunken rate with interval and "
                "reliability, funnel z-score against the plan rate (95% / 99.8% limits, overdispersion corrected), "
                "flag better / worse (GSD: worse = higher), too few cases (< 20 or reliability < 0.7: not ranked). "
                "docs/statistics.md 2, docs/scores.md 6.",
)
def provider_measure_score(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata=_materialize_years(
        context, duckdb, build_provider_measure_scores, provider_summary))


@dg.asset(
    key=PROVIDER_COMPOSITE_KEY, group_name="provider_performance", kinds={"duckdb"}, tags=_family("provider_performance"),
    partitions_def=measurement_year_partitions, backfill_policy=single_run_backfill,
    deps=[PROVIDER_MEASURE_SCORE_KEY],
    description="Provider composites (scores.provider_composite): opportunity-weighted and mean of shrunken rates "
                "(GSD as 1 - rate), percentile rank and 1-5 stars (k-means cut points) on the mean of shrunken rates "
                "for providers with at least one reliable measure. docs/statistics.md 3.",
)
def provider_composite(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata=_materialize_years(context, duckdb, build_composites, composite_summary))


class HybridConfig(dg.Config):
    """The oversample (5, 10, 15 or 20% of the 411 MRSS) and the base seed (default: the measurement year)."""

    oversample_percentage: int = 10
    base_seed: int | None = None


@dg.asset(
    key=HYBRID_KEY, group_name="hybrid", kinds={"duckdb"}, tags=_family("hybrid"),
    partitions_def=measurement_year_partitions, backfill_policy=single_run_backfill,
    deps=[MEASURE_RESULT_KEY, *_staging("medical_record_abstraction", "eligibility")],
    description=f"Hybrid method for {', '.join(HYBRID_MEASURES)} per product line: systematic sample of 411 + "
                "oversample from the plan program's eligible population (SHA-256 keys, interval and random start in "
                "measures.hybrid_sample_parameters), exclusions replaced from the oversample in order, administrative "
                "hits first and medical-record abstraction closing the rest; measures.hybrid_rate has the "
                "administrative rate, hybrid rate and lift, measures.hybrid_sample the members (PHI).",
)
def hybrid(context: dg.AssetExecutionContext, duckdb: DuckDBResource, config: HybridConfig) -> dg.MaterializeResult:
    settings = HybridSettings(oversample_percentage=config.oversample_percentage, base_seed=config.base_seed)
    metadata = _materialize_years(context, duckdb, lambda con, year: build_hybrid(con, year, settings),
                                  lambda con, year: {"rates": hybrid_summary(con, year)})
    return dg.MaterializeResult(metadata=_years_list_as_table(
        metadata, "rates", empty="(no plan-program results: no sample drawn)"))


def _impossible_values_check(asset_key: dg.AssetKey, problems: Callable, what: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=asset_key, name="no_impossible_values", partitions_def=measurement_year_partitions,
                    description=f"Fails on impossible values: {what}.")
    def _impossible(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource) -> dg.AssetCheckResult:
        return _check(context, duckdb, problems)

    return _impossible


ASSETS: list = [attribution, provider_measure_score, provider_composite, hybrid, chart_audit, experience, utilization]
CHECKS: list = [
    _impossible_values_check(ATTRIBUTION_KEY, validity.attribution_problems,
                             "visits with the PCP above all visits, negative counts, enrolled members without exactly "
                             "one attribution row"),
    _impossible_values_check(PROVIDER_MEASURE_SCORE_KEY, validity.provider_measure_score_problems,
                             "rates, intervals or reliability outside 0-1, numerator above denominator, a provider "
                             "ranked with fewer than 20 cases or reliability under 0.7, a flag without cases"),
    _impossible_values_check(PROVIDER_COMPOSITE_KEY, validity.provider_composite_problems,
                             "composites outside 0-1, percentile outside 0-100, stars outside 1-5, stars for an "
                             "unranked provider or none for a ranked one"),
    _impossible_values_check(HYBRID_KEY, validity.hybrid_problems,
                             "rates outside 0-1, hits above their base, a final sample above 411 or not matching "
                             "the member table, a member drawn twice"),
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
