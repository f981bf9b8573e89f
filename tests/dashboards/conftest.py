"""Dashboards built end to end, once per session: a small generated plan (2,000 members, 2 years) and the
public Tuva sample, each loaded into staging, run through the clinical model, both measure programs, plan
reporting (rates, monthly rates, care gaps) and the scores layer, and rendered by the dashboards assets."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.dashboards.assets import ASSETS, CHECKS
from pipelines.dashboards.build import dashboards_dir
from pipelines.generator import generate_plan
from pipelines.ingest.landing import service_month_range
from pipelines.clinical.assets import ASSETS as CLINICAL_ASSETS
from pipelines.measures.assets import ASSETS as MEASURE_ASSETS
from pipelines.measures.reporting_assets import ASSETS as REPORTING_ASSETS
from pipelines.scores.assets import ASSETS as SCORE_ASSETS
from pipelines.scores.assets import ATTRIBUTION_KEY
from pipelines.scores.assets import CHECKS as SCORE_CHECKS
from tests.ingest.support import load_months, load_unpartitioned, resources


class Built:
    def __init__(self, landing: Path, db: Path, year: int, result: dg.ExecuteInProcessResult,
                 year_result: dg.ExecuteInProcessResult):
        self.landing, self.db, self.year = landing, db, year
        self.root = dashboards_dir(db.parent / "output")
        self.results = (result, year_result)

    def pages(self) -> list[Path]:
        return sorted(self.root.rglob("*.html"))

    def member_ids(self) -> set[str]:
        con = duckdb.connect(str(self.db), read_only=True)
        try:
            ids = set()
            for table in ("staging.eligibility", "raw.eligibility", "staging.medical_claim", "staging.survey_response"):
                ids |= {r[0] for r in con.execute(f"select distinct person_id::varchar from {table} "
                                                  "where person_id is not null").fetchall()}
            return ids
        finally:
            con.close()


def build_dashboards(landing: Path, db: Path, year: int) -> Built:
    load_unpartitioned(landing, db, with_checks=True, raise_on_error=False)
    months = service_month_range(landing)
    if months:
        load_months(landing, db, *months, with_checks=True, raise_on_error=False)
    res = resources(landing, db)
    upstream = [*CLINICAL_ASSETS, *MEASURE_ASSETS]
    dg.materialize([a for a in upstream if a.partitions_def is None], resources=res)
    dg.materialize([a for a in upstream if a.partitions_def is not None], resources=res, partition_key=str(year))
    # Care gaps read the year's attribution; the other scores read the plan program's results.
    dg.materialize([a for a in SCORE_ASSETS if a.key == ATTRIBUTION_KEY], resources=res, partition_key=str(year))
    dg.materialize(REPORTING_ASSETS, resources=res, partition_key=str(year))
    # Scores may fail on a sample (that is the scores layer's test to catch): the pages must render from
    # whatever the database holds.
    dg.materialize([*SCORE_ASSETS, *SCORE_CHECKS], resources=res, partition_key=str(year), raise_on_error=False)
    year_assets = [a for a in ASSETS if a.partitions_def is not None]
    year_checks = [c for c in CHECKS if c.partitions_def is not None]
    other_assets = [a for a in ASSETS if a.partitions_def is None]
    other_checks = [c for c in CHECKS if c.partitions_def is None]
    year_result = dg.materialize([*year_assets, *year_checks], resources=resources(landing, db), partition_key=str(year),
                                 selection=[a.key for a in year_assets])
    result = dg.materialize([*other_assets, *other_checks], resources=resources(landing, db))
    return Built(landing, db, year, result, year_result)


@pytest.fixture(scope="session")
def demo_dashboards(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("dashboards_demo")
    landing = root / "landing"
    generate_plan(members=2000, years=2, seed=11, out_dir=landing, end_year=2025)
    return build_dashboards(landing, root / "hmoqa.duckdb", 2025)


@pytest.fixture(scope="session")
def tuva_dashboards(tmp_path_factory, tuva_sample_dir: Path) -> Built:
    root = tmp_path_factory.mktemp("dashboards_tuva")
    return build_dashboards(tuva_sample_dir, root / "hmoqa.duckdb", 2018)
