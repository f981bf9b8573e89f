"""The one `Definitions` object of the hmoqa code location, assembled here and nowhere else."""

from __future__ import annotations

import dagster as dg

from pipelines import automation
from pipelines.clinical import assets as clinical
from pipelines.dashboards import assets as dashboards
from pipelines.ingest import assets as ingest
from pipelines.measures import assets as measures
from pipelines.measures import reporting_assets as plan_reporting
from pipelines.resources import Settings, build_resources
from pipelines.scores import assets as scores
from pipelines.staging import assets as staging

# The flow, in order. Plan reporting (rates, care gaps) follows the scores because a care gap names the
# member's attributed PCP.
LAYERS = (ingest, staging, clinical, measures, scores, plan_reporting, dashboards)


def all_assets() -> list:
    return [a for layer in LAYERS for a in layer.ASSETS]


def all_checks() -> list:
    return [c for layer in LAYERS for c in layer.CHECKS]


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    assets = all_assets()
    scheduling = automation.build(assets)
    return dg.Definitions(
        assets=assets,
        asset_checks=all_checks(),
        jobs=scheduling.jobs,
        schedules=scheduling.schedules,
        sensors=scheduling.sensors,
        resources=build_resources(settings),
        # DuckDB allows one writer: steps of a run execute one after another in one process.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
