"""The page scanner finds small cells and member ids in what a page ships, and passes a clean page."""

import plotly.graph_objects as go

from pipelines.dashboards.scan import member_ids_in, small_cells
from pipelines.dashboards.shell import Column, Page, Provenance, Section, Table, render_page

PROVENANCE = Provenance("landing", "hmoqa.duckdb", "run-1", "2026-01-01T00:00:00Z", 2025)


def page_with(figure=None, table=None) -> str:
    return render_page(Page("p", "Page", "test", [Section("s", figure=figure, table=table)]), PROVENANCE)


def test_clean_page_passes():
    figure = go.Figure(go.Bar(x=["a", "b"], y=[0, 25], customdata=[["0"], ["25"]], meta={"kind": "count"}))
    table = Table([Column("unit"), Column("n", "count")], [["a", "suppressed (<11)"], ["b", "1,234"]])
    assert small_cells(page_with(figure, table)) == []


def test_small_count_in_bars_hover_labels_and_tables_is_found():
    plotted = go.Figure(go.Bar(x=["a"], y=[7], meta={"kind": "count"}))
    hovered = go.Figure(go.Bar(x=["a"], y=[0.5], customdata=[["50.0%", "3"]], meta={"kind": "derived"}))
    tabled = Table([Column("unit"), Column("n", "count")], [["a", "9"]])
    assert any("plots the count 7" in p for p in small_cells(page_with(plotted)))
    assert any("shows the count 3" in p for p in small_cells(page_with(hovered)))
    assert small_cells(page_with(table=tabled)) == ["table cell shows the count 9"]


def test_a_value_plotted_behind_a_suppressed_label_is_found():
    leak = go.Figure(go.Bar(x=["a"], y=[0.4], customdata=[["suppressed (<11)"]], meta={"kind": "derived"}))
    assert any("labelled suppressed is plotted" in p for p in small_cells(page_with(leak)))


def test_binary_arrays_cannot_hide_values():
    import numpy as np
    figure = go.Figure(go.Bar(x=["a", "b"], y=np.array([3.0, 40.0]), meta={"kind": "count"}))
    assert any("binary array" in p for p in small_cells(page_with(figure)))


def test_member_ids_found_as_tokens_or_as_names():
    table = Table([Column("unit"), Column("n", "count")], [["P000000042", "12"], ["17", "15"]])
    text = page_with(table=table)
    assert member_ids_in(text, {"P000000042", "P000000043"}) == {"P000000042"}
    # Numeric ids: "17" is shown as a name, "15" only as a count and "10" only in prose.
    assert member_ids_in(text + "<p>fewer than 10 charts</p>", {"17", "15", "10"}) == {"17"}
