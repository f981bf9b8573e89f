"""Jobs, the monthly schedule and the landing-folder sensor.

The jobs are the runner's stages (see `runner.plan_stages`), so a scheduled run and `hmoqa run`
materialize the same assets in the same order. Runs are queued one at a time (DuckDB has one
writer; `deploy/dagster.yaml`), so the run requests a tick emits execute in the order given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines.resources import HmoqaConfig
from pipelines.runner import Stage, plan_stages

_PARTITIONS = {"month": "service_month_partitions", "year": "measurement_year_partitions"}


def _job_name(stages: Sequence[Stage], index: int) -> str:
    stage = stages[index]
    if stage.kind == "month":
        return "refresh_service_months"
    if stage.kind == "year":
        return "refresh_measurement_year"
    before_partitioned = all(s.kind == "unpartitioned" for s in stages[:index])
    return "refresh_inputs" if before_partitioned else f"refresh_outputs_{index}"


def stage_jobs(assets: Sequence) -> list[tuple[Stage, dg.UnresolvedAssetJobDefinition]]:
    from pipelines import partitions

    stages = plan_stages(assets)
    jobs = []
    for i, stage in enumerate(stages):
        pdef = getattr(partitions, _PARTITIONS[stage.kind]) if stage.kind in _PARTITIONS else None
        job = dg.define_asset_job(
            _job_name(stages, i),
            selection=dg.AssetSelection.assets(*stage.keys),
            partitions_def=pdef,
            description=f"Stage {i + 1} of the pipeline: {len(stage.keys)} {stage.kind} assets.",
        )
        jobs.append((stage, job))
    return jobs


def run_requests(assets: Sequence, first_month: str | None, last_month: str | None,
                 year: int, run_key: str | None) -> list[dg.RunRequest]:
    """One request per stage, in pipeline order: months as one single-run backfill range."""
    requests = []
    for stage, job in stage_jobs(assets):
        key = f"{run_key}:{job.name}" if run_key else None
        if stage.kind == "month":
            if first_month is None:
                continue
            tags = {ASSET_PARTITION_RANGE_START_TAG: first_month, ASSET_PARTITION_RANGE_END_TAG: last_month}
            requests.append(dg.RunRequest(job_name=job.name, run_key=key, tags=tags))
        elif stage.kind == "year":
            requests.append(dg.RunRequest(job_name=job.name, run_key=key, partition_key=str(year)))
        else:
            requests.append(dg.RunRequest(job_name=job.name, run_key=key))
    return requests


def jobs(assets: Sequence) -> list:
    return [job for _, job in stage_jobs(assets)]


def schedules(assets: Sequence) -> list:
    @dg.schedule(
        name="monthly_refresh",
        cron_schedule="0 6 5 * *",
        execution_timezone="UTC",
        target=dg.AssetSelection.assets(*[k for stage in plan_stages(assets) for k in stage.keys]),
        description="On the 5th of each month: reload the unpartitioned inputs, the month that just "
                    "closed, and the measures for that month's measurement year.",
    )
    def monthly_refresh(context: dg.ScheduleEvaluationContext):
        closed = (context.scheduled_execution_time.date().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        month = closed.isoformat()
        return run_requests(assets, month, month, closed.year, run_key=f"monthly-{month}")

    return [monthly_refresh]


def sensors(assets: Sequence) -> list:
    @dg.sensor(
        name="landing_folder_sensor",
        minimum_interval_seconds=60,
        target=dg.AssetSelection.assets(*[k for stage in plan_stages(assets) for k in stage.keys]),
        description="Starts a run of every stage when files are added to or changed in the landing folder.",
    )
    def landing_folder_sensor(context: dg.SensorEvaluationContext, hmoqa: HmoqaConfig):
        from pipelines.ingest.landing import fingerprint, service_month_range

        current = fingerprint(hmoqa.landing_dir)
        if current == context.cursor:
            return dg.SkipReason("no new or changed files in the landing folder")
        month_range = service_month_range(hmoqa.landing_dir)
        first, last = month_range if month_range else (None, None)
        year = int(last[:4]) if last else dt.date.today().year
        return dg.SensorResult(
            run_requests=run_requests(assets, first, last, year, run_key=current),
            cursor=current,
        )

    return [landing_folder_sensor]
