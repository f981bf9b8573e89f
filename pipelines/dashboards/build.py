"""Write dashboard pages from a DuckDB connection: the registry of pages and where each one goes.

Layout under `<output_dir>/dashboards/`: `index.html`, `data-quality.html` (not year-specific) and one
folder per measurement year (`2025/plan-overview.html`, ...). Each page has its manifest beside it.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import duckdb

from pipelines.dashboards.pages import (audits, care_gaps, data_quality, experience, measure_drilldown, plan_overview,
                                        provider_scorecards, utilization)
from pipelines.dashboards.shell import Provenance, WrittenPage, write_page

YEAR_PAGES: tuple[ModuleType, ...] = (plan_overview, measure_drilldown, care_gaps, provider_scorecards, experience,
                                      audits, utilization)
UNPARTITIONED_PAGES: tuple[ModuleType, ...] = (data_quality,)


def dashboards_dir(output_dir: str | Path) -> Path:
    return Path(output_dir) / "dashboards"


def write_year_page(con: duckdb.DuckDBPyConnection, page: ModuleType, year: int, provenance: Provenance,
                    root: Path) -> WrittenPage:
    return write_page(page.build(con, year), provenance.for_year(year), root / str(year), index_href="../index.html")


def write_unpartitioned_page(con: duckdb.DuckDBPyConnection, page: ModuleType, provenance: Provenance,
                             root: Path) -> WrittenPage:
    return write_page(page.build(con, None), provenance.for_year(None), root, index_href="index.html")

