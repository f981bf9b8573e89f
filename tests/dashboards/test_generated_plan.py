"""Every page of the generated plan and of the Tuva sample: written by the assets with their metadata,
linked from the index, free of member ids and of small cells, one plotly.js bundle at most."""

from __future__ import annotations

import json

import pytest

from pipelines.dashboards.build import UNPARTITIONED_PAGES, YEAR_PAGES
from pipelines.dashboards.scan import figures_of, member_ids_in, small_cells
from pipelines.dashboards.shell import plotly_bundle

SAMPLES = ["demo_dashboards", "tuva_dashboards"]


@pytest.fixture(params=SAMPLES)
def built(request):
    return request.getfixturevalue(request.param)


def test_assets_write_every_page_with_metadata_and_checks_pass(built):
    for result in built.results:
        assert result.success
        evaluations = result.get_asset_check_evaluations()
        assert evaluations and all(e.passed for e in evaluations), [e.metadata for e in evaluations if not e.passed]
    expected = {built.root / "index.html"} | {built.root / f"{p.SLUG}.html" for p in UNPARTITIONED_PAGES} | {
        built.root / str(built.year) / f"{p.SLUG}.html" for p in YEAR_PAGES}
    assert set(built.pages()) == expected
    year_result = built.results[1]
    materializations = year_result.get_asset_materialization_events()
    assert len(materializations) == len(YEAR_PAGES)
    for event in materializations:
        metadata = event.materialization.metadata
        path = metadata["path"].value
        assert path.endswith(".html") and str(built.year) in path
        size = metadata["size_bytes"].value
        assert size == (built.root / str(built.year) / path.rsplit("/", 1)[-1]).stat().st_size
        assert metadata["figure_count"].value >= 0


def test_index_links_every_page_with_its_provenance(built):
    index = (built.root / "index.html").read_text(encoding="utf-8")
    for page in built.pages():
        if page.name != "index.html":
            assert f'href="{page.relative_to(built.root).as_posix()}"' in index
    assert str(built.landing) in index
    manifest = json.loads((built.root / str(built.year) / "utilization.json").read_text())
    assert manifest["provenance"]["measurement_year"] == built.year
    assert manifest["provenance"]["run_id"] in index


def test_no_member_id_anywhere(built):
    ids = built.member_ids()
    assert len(ids) >= 10
    for page in built.pages():
        text = page.read_text(encoding="utf-8")
        assert not member_ids_in(text, ids), page


def test_no_small_cells_and_one_bundle_per_page(built):
    bundle = plotly_bundle()[:2000]
    for page in built.pages():
        text = page.read_text(encoding="utf-8")
        assert small_cells(text) == [], page
        figures = figures_of(text)
        assert text.count(bundle) == (1 if figures else 0), page
        assert "<script src=" not in text and "<link " not in text and "@import" not in text


def test_demo_pages_show_figures_and_tuva_pages_say_why_not(demo_dashboards, tuva_dashboards):
    demo = {p.stem: len(figures_of(p.read_text())) for p in demo_dashboards.pages()}
    assert demo["utilization"] >= 4 and demo["data-quality"] >= 1
    # The plan pages read the real plan-reporting and provider tables of the generated plan.
    assert demo["plan-overview"] == 2 and demo["care-gaps"] >= 3
    assert demo["measure-drilldown"] >= 7 and demo["provider-scorecards"] >= 3 and demo["audits"] >= 1
    for page in [*demo_dashboards.pages(), *tuva_dashboards.pages()]:
        text = page.read_text(encoding="utf-8")
        assert "Not available yet" not in text or page.parent.name != str(demo_dashboards.year), page
        if not figures_of(text) and page.name != "index.html":
            assert "suppressed" in text or "No data" in text or "Not available yet" in text, page
    overview = (demo_dashboards.root / "2025" / "plan-overview.html").read_text()
    assert "program = &#x27;plan&#x27;" in overview and "lower is better" in overview
    drilldown = (demo_dashboards.root / "2025" / "measure-drilldown.html").read_text()
    assert "plan program" in drilldown and "eCQM program" in drilldown
