"""The page shell: plotly.js once, offline, provenance and privacy note, manifests and the index."""

import json

import plotly.graph_objects as go

from pipelines.dashboards.scan import figures_of
from pipelines.dashboards.shell import (PRIVACY_NOTE, Page, Provenance, Section, plotly_bundle, render_page,
                                        write_index, write_page)

PROVENANCE = Provenance("/data/landing", "hmoqa.duckdb", "run-abc", "2026-01-01T00:00:00Z", 2025)


def two_figure_page() -> Page:
    return Page("overview", "Overview", "two figures", [
        Section("first", figure=go.Figure(go.Bar(x=["a"], y=[20]))),
        Section("second", figure=go.Figure(go.Bar(x=["b"], y=[30]))),
        Section("missing", unavailable="Not available yet: measures.plan_rate"),
    ])


def test_plotly_once_per_page_and_figures_embedded_as_json():
    text = render_page(two_figure_page(), PROVENANCE)
    assert text.count(plotly_bundle()) == 1 and len(plotly_bundle()) > 1_000_000
    assert [f["data"][0]["x"] for f in figures_of(text)] == [["a"], ["b"]]
    assert "<script src=" not in text and "<link" not in text and "fonts.googleapis" not in text


def test_a_page_without_figures_carries_no_bundle():
    text = render_page(Page("p", "P", "none", [Section("s", unavailable="Not available yet")]), PROVENANCE)
    assert plotly_bundle()[:500] not in text and "Not available yet" in text


def test_header_names_data_year_and_run_footer_the_privacy_note():
    text = render_page(two_figure_page(), PROVENANCE)
    assert "/data/landing" in text and "measurement year 2025" in text and "run run-abc" in text
    assert PRIVACY_NOTE.split(".")[0] in text


def test_script_closing_tag_in_figure_text_cannot_break_the_page():
    figure = go.Figure(go.Bar(x=["</script><b>x"], y=[20]))
    text = render_page(Page("p", "P", "d", [Section("s", figure=figure)]), PROVENANCE)
    assert figures_of(text)[0]["data"][0]["x"] == ["</script><b>x"]


def test_pages_write_manifests_and_the_index_links_them_by_year(tmp_path):
    written = write_page(two_figure_page(), PROVENANCE, tmp_path / "2025", "../index.html")
    assert written.figure_count == 2 and written.size_bytes == written.path.stat().st_size
    other = write_page(Page("data-quality", "Data quality", "dq", []), PROVENANCE.for_year(None), tmp_path, "index.html")
    manifest = json.loads((tmp_path / "2025" / "overview.json").read_text())
    assert manifest["figure_count"] == 2 and manifest["provenance"]["run_id"] == "run-abc"
    index = write_index(tmp_path).path.read_text()
    assert 'href="2025/overview.html"' in index and 'href="data-quality.html"' in index
    assert "Measurement year 2025" in index and "Not year-specific" in index and "run-abc" in index
    assert index.index("Not year-specific") < index.index("Measurement year 2025")
    assert other.path.name == "data-quality.html"
