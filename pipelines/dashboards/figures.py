"""Figure builders for frames that already went through `privacy` (suppressed values are null and each
plotted column has a `<column>_label`). Every trace built here carries `meta.kind`:

- `count`: the plotted values are counts (null where suppressed);
- `derived`: rates, money or ratios; `customdata` holds the labels shown in the hover, the first being
  the value's own label ("suppressed (<11)" where the value is null);
- `suppressed`: markers at zero saying which bars are suppressed, so a suppressed cell is seen, not missing.

Traces are built from Python lists, never numpy arrays, so the figure JSON holds plain numbers
(Plotly would otherwise write base64 typed arrays that no reader can scan).
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl

from pipelines.dashboards.privacy import LABEL_SUFFIX, SUPPRESSED_LABEL

LAYOUT = dict(template="plotly_white", margin=dict(l=60, r=20, t=50, b=60), height=440,
              legend=dict(orientation="h", y=-0.2))


def _groups(frame: pl.DataFrame, color: str | None) -> list[tuple[str | None, pl.DataFrame]]:
    if color is None:
        return [(None, frame)]
    return [(str(key[0]), part) for key, part in frame.group_by(color, maintain_order=True)]


def _suppressed_markers(categories: list, horizontal: bool, name: str) -> go.Scatter:
    zeros = [0] * len(categories)
    return go.Scatter(
        x=zeros if horizontal else categories, y=categories if horizontal else zeros,
        mode="markers", marker=dict(symbol="x", size=9, color="#8a6d00"), name=name,
        text=[SUPPRESSED_LABEL] * len(categories),
        hovertemplate="%{text}<extra></extra>", meta={"kind": "suppressed"}, showlegend=True,
    )


def count_bars(frame: pl.DataFrame, *, category: str, count: str, title: str, color: str | None = None,
               horizontal: bool = False, count_title: str = "count", barmode: str = "group") -> go.Figure:
    """Bars of a suppressed count column; suppressed cells are marked at zero."""
    figure = go.Figure()
    hidden: list = []
    for name, part in _groups(frame, color):
        categories = [str(v) for v in part[category].to_list()]
        values = part[count].to_list()
        labels = part[count + LABEL_SUFFIX].to_list()
        hidden += [c for c, v in zip(categories, values) if v is None]
        figure.add_trace(go.Bar(
            x=values if horizontal else categories, y=categories if horizontal else values,
            orientation="h" if horizontal else "v", name=name or count_title,
            customdata=[[label] for label in labels], meta={"kind": "count"},
            hovertemplate=("%{y}" if horizontal else "%{x}") + ": %{customdata[0]}<extra>" + (name or "") + "</extra>",
        ))
    if hidden:
        figure.add_trace(_suppressed_markers(hidden, horizontal, SUPPRESSED_LABEL))
    axis = dict(title=count_title)
    figure.update_layout(title=title, barmode=barmode, **LAYOUT,
                         **({"xaxis": axis} if horizontal else {"yaxis": axis}))
    if horizontal:
        figure.update_layout(height=max(440, 24 * len(set(frame[category].to_list())) + 120))
    return figure


def _hover(labels: Sequence[str]) -> str:
    lines = [f"{name}: %{{customdata[{i}]}}" for i, name in enumerate(labels)]
    return "<br>".join(lines)


def value_bars(frame: pl.DataFrame, *, category: str, value: str, title: str, value_title: str,
               hover: dict[str, str], color: str | None = None, low: str | None = None, high: str | None = None,
               horizontal: bool = False, reference: float | None = None, reference_label: str = "") -> go.Figure:
    """Bars of a derived value with optional interval whiskers; `hover` maps hover names to label columns
    (the first should be the value's own label)."""
    figure = go.Figure()
    hidden: list = []
    for name, part in _groups(frame, color):
        categories = [str(v) for v in part[category].to_list()]
        values = part[value].to_list()
        hidden += [c for c, v in zip(categories, values) if v is None]
        error = None
        if low and high:
            lows, highs = part[low].to_list(), part[high].to_list()
            plus = [None if v is None or h is None else h - v for v, h in zip(values, highs)]
            minus = [None if v is None or lo is None else v - lo for v, lo in zip(values, lows)]
            error = dict(type="data", array=plus, arrayminus=minus, visible=True)
        customdata = [list(row) for row in zip(*(part[col].to_list() for col in hover.values()))]
        bar = go.Bar(
            x=values if horizontal else categories, y=categories if horizontal else values,
            orientation="h" if horizontal else "v", name=name or value_title, customdata=customdata,
            meta={"kind": "derived"},
            hovertemplate=("%{y}" if horizontal else "%{x}") + "<br>" + _hover(list(hover)) + "<extra>" + (name or "") + "</extra>",
        )
        if error:
            bar.update(error_x=error) if horizontal else bar.update(error_y=error)
        figure.add_trace(bar)
    if hidden:
        figure.add_trace(_suppressed_markers(hidden, horizontal, SUPPRESSED_LABEL))
    if reference is not None:
        line = dict(type="line", line=dict(dash="dash", color="#c0392b"))
        if horizontal:
            figure.add_shape(**line, x0=reference, x1=reference, y0=0, y1=1, yref="paper")
        else:
            figure.add_shape(**line, y0=reference, y1=reference, x0=0, x1=1, xref="paper")
        if reference_label:
            figure.add_annotation(text=reference_label, showarrow=False, font=dict(color="#c0392b"),
                                  **({"x": reference, "y": 1.02, "yref": "paper"} if horizontal
                                     else {"y": reference, "x": 1, "xref": "paper", "xanchor": "right", "yanchor": "bottom"}))
    axis = dict(title=value_title)
    figure.update_layout(title=title, barmode="group", **LAYOUT, **({"xaxis": axis} if horizontal else {"yaxis": axis}))
    if horizontal:
        figure.update_layout(height=max(440, 22 * len(set(frame[category].to_list())) + 140))
    return figure


def value_lines(frame: pl.DataFrame, *, x: str, value: str, title: str, value_title: str,
                hover: dict[str, str], color: str | None = None) -> go.Figure:
    """Lines of a derived value over `x` (suppressed points are gaps, labelled in the hover of their neighbours'
    trace via customdata)."""
    figure = go.Figure()
    for name, part in _groups(frame, color):
        customdata = [list(row) for row in zip(*(part[col].to_list() for col in hover.values()))]
        figure.add_trace(go.Scatter(
            x=[str(v) for v in part[x].to_list()], y=part[value].to_list(), mode="lines+markers",
            name=name or value_title, customdata=customdata, meta={"kind": "derived"},
            hovertemplate="%{x}<br>" + _hover(list(hover)) + "<extra>" + (name or "") + "</extra>",
        ))
    figure.update_layout(title=title, yaxis=dict(title=value_title), **LAYOUT)
    return figure


def value_scatter(frame: pl.DataFrame, *, x: str, y: str, title: str, x_title: str, y_title: str,
                  hover: dict[str, str], color: str | None = None) -> go.Figure:
    """Points of two derived values (suppressed rows must be filtered out or have null coordinates)."""
    figure = go.Figure()
    for name, part in _groups(frame, color):
        customdata = [list(row) for row in zip(*(part[col].to_list() for col in hover.values()))]
        figure.add_trace(go.Scatter(
            x=part[x].to_list(), y=part[y].to_list(), mode="markers", name=name or y_title,
            customdata=customdata, meta={"kind": "derived"},
            hovertemplate=_hover(list(hover)) + "<extra>" + (name or "") + "</extra>",
        ))
    figure.update_layout(title=title, xaxis=dict(title=x_title), yaxis=dict(title=y_title), **LAYOUT)
    return figure


def caterpillar(frame: pl.DataFrame, *, label: str, value: str, low: str, high: str, title: str, value_title: str,
                hover: dict[str, str], reference: float | None = None, reference_label: str = "") -> go.Figure:
    """Points of a derived value in rank order (1 = lowest) with their interval whiskers; `label` names each point in
    the hover (the frame must be sorted and hold no suppressed value)."""
    values = frame[value].to_list()
    plus = [h - v for v, h in zip(values, frame[high].to_list())]
    minus = [v - lo for v, lo in zip(values, frame[low].to_list())]
    customdata = [list(row) for row in zip(*(frame[col].to_list() for col in hover.values()))]
    figure = go.Figure(go.Scatter(
        x=list(range(1, len(values) + 1)), y=values, mode="markers", name=value_title, customdata=customdata,
        error_y=dict(type="data", array=plus, arrayminus=minus, visible=True, thickness=1, width=0),
        marker=dict(size=6), meta={"kind": "derived"},
        hovertemplate="rank %{x}<br>" + _hover(list(hover)) + "<extra></extra>"))
    if reference is not None:
        figure.add_hline(y=reference, line_dash="dash", line_color="#c0392b",
                         annotation_text=reference_label or None)
    figure.update_layout(title=title, xaxis=dict(title=f"{label} in order of {value_title}", dtick=max(1, round(len(values) / 10))),
                         yaxis=dict(title=value_title), **LAYOUT)
    return figure
