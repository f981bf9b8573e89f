"""Dagster assets of the dashboards layer: one asset per page, and the index (group `dashboards`).

- `dashboards/data_quality`: unpartitioned (the landing and staging tables are not per measurement year),
  written to `<output_dir>/dashboards/data-quality.html`;
- `dashboards/<page>` for the seven measurement-year pages: partitioned by measurement year, written to
  `<output_dir>/dashboards/<year>/<slug>.html`;
- `dashboards/index`: unpartitioned, after every page, links whatever pages exist under the folder.

Thin wrappers over `pipelines.dashboards.build`; metadata holds the path, size and figure count. Each page
asset has a check that reads the written HTML back and fails on any small cell (`scan.small_cells`).
"""


from pathlib import Path
from types import ModuleType

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.asset_metadata import measurement_years
from pipelines.contract import SOURCES
from pipelines.dashboards import build, scan
from pipelines.dashboards.shell import Provenance, WrittenPage, write_index
from pipelines.ingest.assets import INVENTORY_KEY, connection
from pipelines.measures import assets as measures
from pipelines.partitions import measurement_year_partitions, single_run_backfill
from pipelines.resources import HmoqaConfig
from pipelines.measures.reporting_assets import CARE_GAP_KEY, PLAN_RATE_KEY, PLAN_RATE_MONTHLY_KEY
from pipelines.scores.assets import (ATTRIBUTION_KEY, CHART_AUDIT_KEY, EXPERIENCE_KEY, HYBRID_KEY, PROVIDER_COMPOSITE_KEY,
                                     PROVIDER_MEASURE_SCORE_KEY, UTILIZATION_KEY)

GROUP = "dashboards"
INDEX_KEY = dg.AssetKey([GROUP, "index"])


PAGE_DEPS: dict[str, list[dg.AssetKey]] = {
    "plan_overview": [measures.MEASURE_RESULT_KEY, PLAN_RATE_KEY, PLAN_RATE_MONTHLY_KEY],
    "measure_drilldown": [measures.MEASURE_RESULT_KEY, PLAN_RATE_KEY, HYBRID_KEY],
    "care_gaps": [measures.MEASURE_RESULT_KEY, CARE_GAP_KEY, ATTRIBUTION_KEY],
    "provider_scorecards": [measures.MEASURE_RESULT_KEY, ATTRIBUTION_KEY, PROVIDER_MEASURE_SCORE_KEY,
                            PROVIDER_COMPOSITE_KEY],
    "experience": [EXPERIENCE_KEY],
    "audits": [CHART_AUDIT_KEY, measures.MEASURE_RESULT_KEY, HYBRID_KEY],
    "utilization": [UTILIZATION_KEY],
}


def _key(page: ModuleType) -> dg.AssetKey:
    return dg.AssetKey([GROUP, page.__name__.rsplit(".", 1)[-1]])


def _provenance(context, duckdb: DuckDBResource, hmoqa: HmoqaConfig) -> Provenance:
    return Provenance.now(data_source=hmoqa.landing_dir, database=Path(duckdb.database).name, run_id=context.run_id)


def _metadata(written: list[WrittenPage]) -> dict:
    metadata: dict = {
        "path": dg.MetadataValue.path(str(written[-1].path)) if len(written) == 1 else
        dg.MetadataValue.json({str(w.path.parent.name): str(w.path) for w in written}),
        "size_bytes": max(w.size_bytes for w in written),
        "figure_count": sum(w.figure_count for w in written),
    }
    if len(written) > 1:
        metadata["pages"] = dg.MetadataValue.json(
            [{"path": str(w.path), "size_bytes": w.size_bytes, "figure_count": w.figure_count} for w in written])
    return metadata



def _year_page_asset(page: ModuleType) -> dg.AssetsDefinition:
    name = page.__name__.rsplit(".", 1)[-1]

    @dg.asset(key=_key(page), group_name=GROUP, kinds={"html", "plotly"}, deps=PAGE_DEPS[name],
              partitions_def=measurement_year_partitions, backfill_policy=single_run_backfill,
              description=f"{page.TITLE} page: {page.DESCRIPTION} Written to <output_dir>/dashboards/<year>/{page.SLUG}.html.")
    def _page(context: dg.AssetExecutionContext, duckdb: DuckDBResource, hmoqa: HmoqaConfig) -> dg.MaterializeResult:
        root = build.dashboards_dir(hmoqa.output_dir)
        provenance = _provenance(context, duckdb, hmoqa)
        with connection(duckdb) as con:
            written = [build.write_year_page(con, page, year, provenance, root) for year in measurement_years(context)]
        return dg.MaterializeResult(metadata=_metadata(written))

    return _page


@dg.asset(key=dg.AssetKey([GROUP, "data_quality"]), group_name=GROUP, kinds={"html", "plotly"},
          deps=[INVENTORY_KEY, *[dg.AssetKey(["staging", name]) for name in SOURCES]],
          description="Data-quality page: rows read, rejected, quarantined and loaded per source, each expectation's "
                      "result, the quarantine reasons, freshness. Written to <output_dir>/dashboards/data-quality.html.")
def data_quality(context: dg.AssetExecutionContext, duckdb: DuckDBResource, hmoqa: HmoqaConfig) -> dg.MaterializeResult:
    root = build.dashboards_dir(hmoqa.output_dir)
    with connection(duckdb) as con:
        written = build.write_unpartitioned_page(con, build.data_quality, _provenance(context, duckdb, hmoqa), root)
    return dg.MaterializeResult(metadata=_metadata([written]))


YEAR_PAGE_ASSETS = [_year_page_asset(page) for page in build.YEAR_PAGES]


@dg.asset(key=INDEX_KEY, group_name=GROUP, kinds={"html"},
          deps=[data_quality.key, *[asset.key for asset in YEAR_PAGE_ASSETS]],
          description="index.html linking every page under <output_dir>/dashboards/ with the data, measurement year "
                      "and run that produced it.")
def index(context: dg.AssetExecutionContext, hmoqa: HmoqaConfig) -> dg.MaterializeResult:
    written = write_index(build.dashboards_dir(hmoqa.output_dir))
    pages = len(scan.page_files(written.path.parent)) - 1
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(written.path)),
                                          "size_bytes": written.size_bytes, "pages_linked": pages})


def _page_paths(hmoqa: HmoqaConfig, slug: str, years: list[int] | None) -> list[Path]:
    root = build.dashboards_dir(hmoqa.output_dir)
    return [root / f"{slug}.html"] if years is None else [root / str(year) / f"{slug}.html" for year in years]


def _small_cell_result(paths: list[Path]) -> dg.AssetCheckResult:
    problems: list[str] = []
    for path in paths:
        if not path.is_file():
            problems.append(f"{path} was not written")
            continue
        problems += [f"{path.name}: {p}" for p in scan.small_cells(path.read_text(encoding="utf-8"))]
    return dg.AssetCheckResult(passed=not problems, severity=dg.AssetCheckSeverity.ERROR,
                               metadata={"pages_checked": len(paths), "problems": dg.MetadataValue.json(problems[:20])})


def _year_page_check(asset: dg.AssetsDefinition, page: ModuleType) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=asset.key, name="no_small_cells", partitions_def=measurement_year_partitions,
                    description="Reads the written page back and fails on any count from 1 to 10 in its figures or tables.")
    def _check(context: dg.AssetCheckExecutionContext, hmoqa: HmoqaConfig) -> dg.AssetCheckResult:
        return _small_cell_result(_page_paths(hmoqa, page.SLUG, measurement_years(context)))

    return _check


@dg.asset_check(asset=data_quality.key, name="no_small_cells",
                description="Reads the written page back and fails on any count from 1 to 10 in its figures or tables.")
def data_quality_no_small_cells(hmoqa: HmoqaConfig) -> dg.AssetCheckResult:
    return _small_cell_result(_page_paths(hmoqa, build.data_quality.SLUG, None))


ASSETS: list = [data_quality, *YEAR_PAGE_ASSETS, index]
CHECKS: list = [data_quality_no_small_cells,
                *[_year_page_check(asset, page) for asset, page in zip(YEAR_PAGE_ASSETS, build.YEAR_PAGES)]]
