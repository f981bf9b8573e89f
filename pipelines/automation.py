"""Jobs, the monthly schedule, the landing-folder sensor and the sensor that chains the stages.

The jobs are the runner's stages (`runner.plan_stages`), so a scheduled run and `hmoqa run`
materialize the same assets in the same order. A schedule or sensor targets one job, so the
schedule and the landing sensor start the first stage and tag it with the window to refresh
(service months and measurement year); `stage_chain_sensor` starts each next stage when the
previous one succeeds, carrying the same tags. A failed stage stops the chain there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines.resources import HmoqaConfig
from pipelines.runner import Stage, plan_stages

_PARTITIONS = {"month": "service_month_partitions", "year": "measurement_year_partitions"}
FIRST_MONTH_TAG = "hmoqa/first_month"
LAST_MONTH_TAG = "hmoqa/last_month"
YEAR_TAG = "hmoqa/measurement_year"
WINDOW_TAGS = (FIRST_MONTH_TAG, LAST_MONTH_TAG, YEAR_TAG)


def _job_name(stages: Sequence[Stage], index: int) -> str:
    stage = stages[index]
    if stage.kind == "month":
        return "refresh_service_months"
    if stage.kind == "year":
        return "refresh_measurement_year"
    if all(s.kind == "unpartitioned" for s in stages[:index]):
        return "refresh_inputs"
    # Later unpartitioned stages are named for the layers (first key component) they hold.
    layers = sorted({key.path[0] for key in stage.keys})
    return "refresh_" + "_and_".join(layers)


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
            description=f"Stage {i + 1} of {len(stages)} of the pipeline: {len(stage.keys)} {stage.kind} assets.",
        )
        jobs.append((stage, job))
    return jobs


def stage_request(stage: Stage, job_name: str, window: dict[str, str], run_key: str | None) -> dg.RunRequest | None:
    """The run request for one stage over a refresh window (None when the stage has nothing to do)."""
    tags = {k: v for k, v in window.items() if k in WINDOW_TAGS}
    if stage.kind == "month":
        if not tags.get(FIRST_MONTH_TAG):
            return None
        tags |= {ASSET_PARTITION_RANGE_START_TAG: tags[FIRST_MONTH_TAG],
                 ASSET_PARTITION_RANGE_END_TAG: tags[LAST_MONTH_TAG]}
        return dg.RunRequest(job_name=job_name, run_key=run_key, tags=tags)
    if stage.kind == "year":
        return dg.RunRequest(job_name=job_name, run_key=run_key, tags=tags, partition_key=tags[YEAR_TAG])
    return dg.RunRequest(job_name=job_name, run_key=run_key, tags=tags)


def next_request(jobs: Sequence[tuple[Stage, dg.UnresolvedAssetJobDefinition]], finished_job: str,
                 run_tags: dict[str, str], run_id: str) -> dg.RunRequest | None:
    """After `finished_job` succeeded, the request for the stage after it (None after the last)."""
    names = [job.name for _, job in jobs]
    if finished_job not in names:
        return None
    for stage, job in jobs[names.index(finished_job) + 1:]:
        request = stage_request(stage, job.name, run_tags, run_key=f"after-{run_id}")
        if request is not None:
            return request
    return None


def window(first_month: str | None, last_month: str | None, year: int) -> dict[str, str]:
    tags = {YEAR_TAG: str(year)}
    if first_month:
        tags |= {FIRST_MONTH_TAG: first_month, LAST_MONTH_TAG: last_month or first_month}
    return tags


@dataclass(frozen=True)
class Automation:
    jobs: list
    schedules: list
    sensors: list


def build(assets: Sequence) -> Automation:
    """The stage jobs (built once, shared by the schedule and sensors), the schedule and the sensors."""
    jobs = stage_jobs(assets)
    if not jobs:
        return Automation([], [], [])
    return Automation([job for _, job in jobs], _schedules(jobs), _sensors(jobs))


def _schedules(jobs: Sequence[tuple[Stage, dg.UnresolvedAssetJobDefinition]]) -> list:
    stage, first_job = jobs[0]

    @dg.schedule(
        name="monthly_refresh",
        cron_schedule="0 6 5 * *",
        execution_timezone="UTC",
        job=first_job,
        description="On the 5th of each month: reload the inputs, then (chained) the month that just "
                    "closed, the measures of that month's measurement year and the outputs.",
    )
    def monthly_refresh(context: dg.ScheduleEvaluationContext):
        closed = (context.scheduled_execution_time.date().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        month = closed.isoformat()
        return stage_request(stage, first_job.name, window(month, month, closed.year), run_key=f"monthly-{month}")

    return [monthly_refresh]


def _sensors(all_jobs: Sequence[tuple[Stage, dg.UnresolvedAssetJobDefinition]]) -> list:
    stage, first_job = all_jobs[0]

    @dg.sensor(
        name="landing_folder_sensor",
        minimum_interval_seconds=60,
        job=first_job,
        description="When files are added to or changed in the landing folder, starts the pipeline "
                    "(chained stage by stage) over every service month the folder covers.",
    )
    def landing_folder_sensor(context: dg.SensorEvaluationContext, hmoqa: HmoqaConfig):
        from pipelines.ingest.landing import fingerprint, service_month_range

        current = fingerprint(hmoqa.landing_dir)
        if current == context.cursor:
            return dg.SkipReason("no new or changed files in the landing folder")
        month_range = service_month_range(hmoqa.landing_dir)
        first, last = month_range if month_range else (None, None)
        year = int(last[:4]) if last else dt.date.today().year
        request = stage_request(stage, first_job.name, window(first, last, year), run_key=current)
        return dg.SensorResult(run_requests=[request], cursor=current)

    @dg.run_status_sensor(
        name="stage_chain_sensor",
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[job for _, job in all_jobs[:-1]],
        request_jobs=[job for _, job in all_jobs[1:]],
        description="Starts the next pipeline stage when a stage run succeeds, over the same window.",
    )
    def stage_chain_sensor(context: dg.RunStatusSensorContext):
        run = context.dagster_run
        if not any(tag in run.tags for tag in WINDOW_TAGS):
            return dg.SkipReason("a manual run without a refresh window: nothing to chain")
        request = next_request(all_jobs, run.job_name, dict(run.tags), run.run_id)
        return request or dg.SkipReason(f"{run.job_name} is the last stage")

    return [landing_folder_sensor, stage_chain_sensor] if len(all_jobs) > 1 else [landing_folder_sensor]
