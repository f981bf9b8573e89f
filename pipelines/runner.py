"""`hmoqa run`: materialize every asset for a landing folder, in-process, through Dagster.

The assets are the ones the UI shows; this module only decides the order. Dagster cannot mix
partitions definitions in one run, so the asset graph is cut into stages, each a set of assets that
share a partitions definition and whose upstream assets are done: unpartitioned inputs, then every
service month the landing folder covers as one single-run backfill, then each measurement year,
and so on. Each stage is one `materialize` call; blocking asset checks stop the run at the stage
whose data failed them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines import partitions
from pipelines.resources import Settings, build_resources


class PipelineFailed(RuntimeError):
    """A stage failed; the message says which assets and why."""


@dataclass
class Stage:
    kind: str  # "unpartitioned" | "month" | "year"
    keys: list[dg.AssetKey] = field(default_factory=list)


def partition_kind(asset: dg.AssetsDefinition) -> str:
    pdef = asset.partitions_def
    if pdef is None:
        return "unpartitioned"
    if pdef == partitions.service_month_partitions:
        return "month"
    if pdef == partitions.measurement_year_partitions:
        return "year"
    raise ValueError(f"{asset.key.to_user_string()} has a partitions definition the runner does not know")


def plan_stages(assets: Sequence[dg.AssetsDefinition]) -> list[Stage]:
    """Topological order of the asset graph, cut into as few same-kind stages as it allows."""
    kind_of: dict[dg.AssetKey, str] = {}
    upstream: dict[dg.AssetKey, set[dg.AssetKey]] = {}
    for asset in assets:
        if isinstance(asset, dg.AssetChecksDefinition):
            continue
        for key in asset.keys:
            kind_of[key] = partition_kind(asset)
            upstream[key] = {dep for dep in asset.asset_deps[key] if dep != key}
    for key, deps in upstream.items():
        unknown = deps - kind_of.keys()
        if unknown:
            raise ValueError(f"{key.to_user_string()} depends on undefined assets {sorted(k.to_user_string() for k in unknown)}")

    done: set[dg.AssetKey] = set()
    stages: list[Stage] = []
    preference = ("unpartitioned", "month", "year")
    while len(done) < len(kind_of):
        ready = [k for k in kind_of if k not in done and upstream[k] <= done]
        if not ready:
            raise ValueError("the asset graph has a cycle")
        current = stages[-1].kind if stages else None
        kinds_ready = {kind_of[k] for k in ready}
        kind = current if current in kinds_ready else next(p for p in preference if p in kinds_ready)
        if not stages or stages[-1].kind != kind:
            stages.append(Stage(kind))
        # Take every ready asset of this kind, then keep going while more become ready.
        while True:
            batch = [k for k in kind_of if k not in done and kind_of[k] == kind and upstream[k] <= done]
            if not batch:
                break
            stages[-1].keys.extend(sorted(batch, key=lambda k: k.to_user_string()))
            done.update(batch)
    return stages


def _materialize(assets: Sequence, settings: Settings, stage: Stage, instance: dg.DagsterInstance,
                 partition_key: str | None = None, tags: dict[str, str] | None = None,
                 log_level: str = "WARNING") -> None:
    result = dg.materialize(
        assets,
        selection=stage.keys,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        resources=build_resources(settings),
        partition_key=partition_key,
        tags=tags,
        instance=instance,
        raise_on_error=False,
    )
    if not result.success:
        failures = []
        for event in result.all_events:
            if event.is_step_failure:
                error = event.step_failure_data.error
                message = error.cause.message if error and error.cause else (error.message if error else "")
                failures.append(f"{event.step_key}: {message.strip()}")
            elif event.event_type_value == "ASSET_CHECK_EVALUATION":
                evaluation = event.event_specific_data
                if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
                    failures.append(f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} failed")
        where = f" for {partition_key or (tags or {}).get(ASSET_PARTITION_RANGE_START_TAG, '')}".rstrip()
        raise PipelineFailed(
            f"stage {stage.kind}{where} failed:\n  " + "\n  ".join(failures or ["(no step failure recorded)"])
        )


def run_pipeline(settings: Settings, measurement_years: Iterable[int], verbose: bool = False) -> str:
    """Materialize every asset for the landing folder into the DuckDB file; returns a short report."""
    from pipelines.definitions import all_assets, all_checks
    from pipelines.ingest.landing import service_month_range

    if not settings.landing_dir.is_dir():
        raise PipelineFailed(f"landing folder {settings.landing_dir} does not exist")
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    years = sorted(set(measurement_years))
    assets = [*all_assets(), *all_checks()]
    stages = plan_stages(assets)
    month_range = service_month_range(settings.landing_dir)
    instance = dg.DagsterInstance.ephemeral()
    log_level = "DEBUG" if verbose else "WARNING"
    lines = []
    started = time.perf_counter()
    for stage in stages:
        t0 = time.perf_counter()
        if stage.kind == "unpartitioned":
            _materialize(assets, settings, stage, instance, log_level=log_level)
            what = "once"
        elif stage.kind == "month":
            if month_range is None:
                lines.append(f"skipped {len(stage.keys)} monthly assets: no dated rows in the landing folder")
                continue
            first, last = month_range
            tags = {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}
            _materialize(assets, settings, stage, instance, tags=tags, log_level=log_level)
            what = f"months {first[:7]}..{last[:7]} in one run"
        else:
            for year in years:
                _materialize(assets, settings, stage, instance, partition_key=str(year), log_level=log_level)
            what = "measurement year " + ", ".join(map(str, years))
        lines.append(f"{len(stage.keys):>3} {stage.kind} assets, {what}: {time.perf_counter() - t0:.1f}s")
    lines.append(f"done in {time.perf_counter() - started:.1f}s; DuckDB: {settings.db_path}; "
                 f"outputs: {settings.output_dir}")
    index = settings.output_dir / "dashboards" / "index.html"
    if index.is_file():
        lines.append(f"dashboards: {index} (hmoqa serve --dir {index.parent})")
    return "\n".join(lines)
