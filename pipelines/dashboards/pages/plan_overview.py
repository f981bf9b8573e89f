"""Plan overview: every measure's rate by product line with its Wilson interval against the plan's target
(inverse measures marked), and the rolling monthly trend."""

from __future__ import annotations

import duckdb
import plotly.graph_objects as go
import polars as pl

from pipelines.dashboards import figures
from pipelines.dashboards.pages import measure_tables as mt
from pipelines.dashboards.pages.common import all_suppressed, any_shown, query, table
from pipelines.dashboards.privacy import suppress_counts
from pipelines.dashboards.shell import Page, Section

SLUG = "plan-overview"
TITLE = "Plan overview"
DESCRIPTION = "Every measure's rate by product line with its 95% interval against the plan's target; the rolling monthly trend."


def rates(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame:
    frame = query(con, f"""select measure_id, product_line, eligible_population, denominator, numerator, rate,
                                  rate_low, rate_high, reportable
                           from {mt.PLAN_RATE} where measurement_year = $year order by measure_id, product_line""",
                  {"year": year})
    frame = mt.with_direction(mt.rate_frame(frame.with_columns(pl.col("eligible_population").cast(pl.Int64))))
    frame = frame.with_columns(
        (pl.col("measure") + pl.when(pl.col("direction") == "lower is better").then(pl.lit(" (lower is better)"))
         .otherwise(pl.lit(""))).alias("measure_label"),
        pl.when(pl.col("reportable")).then(pl.lit("yes")).otherwise(pl.lit("no: denominator under 30")).alias("reportable_text"))
    return suppress_counts(frame, ["eligible_population"])


def build(con: duckdb.DuckDBPyConnection, year: int) -> Page:
    page = Page(slug=SLUG, title=TITLE, description=DESCRIPTION)
    problem = mt.readiness(con, mt.PLAN_RATE)
    if problem:
        page.sections.append(Section(title="Rates by measure and product line", unavailable=problem))
    else:
        frame = rates(con, year)
        if frame.is_empty():
            page.sections.append(Section(title="Rates by measure and product line",
                                         unavailable="No plan rates for this measurement year."))
        elif not any_shown(frame, "rate"):
            page.sections.append(all_suppressed("Rates by measure and product line", "the plan rates"))
        else:
            goal = mt.targets()
            figure = figures.value_bars(frame, category="measure_label", value="rate", color="product_line",
                                        low="rate_low", high="rate_high", title=f"Rates by product line, {year}",
                                        value_title="rate", hover={"rate": "rate_label", "95% interval from": "rate_low_label",
                                                                   "to": "rate_high_label", "numerator": "numerator_label",
                                                                   "denominator": "denominator_label",
                                                                   "direction": "direction"})
            measures = frame.unique("measure_label", maintain_order=True)
            with_target = [(label, goal[m]) for label, m in zip(measures["measure_label"], measures["measure_id"]) if m in goal]
            if with_target:
                figure.add_trace(go.Scatter(x=[l for l, _ in with_target], y=[t for _, t in with_target], mode="markers",
                                            marker=dict(symbol="line-ew-open", size=40, color="#c0392b", line=dict(width=3)),
                                            name="plan target", meta={"kind": "reference"},
                                            hovertemplate="target %{y:.1%}<extra></extra>"))
            figure.update_yaxes(tickformat=".0%")
            page.sections.append(Section(
                title="Rates by measure and product line",
                note="Bars: rate with its Wilson 95% interval; red marks: the plan's target (configuration: "
                     "HMOQA_MEASURE_TARGETS). GSD (HbA1c > 9%) is inverse: lower is better. A rate is reportable from "
                     "a denominator of 30.",
                figure=figure,
                table=table(frame, [("measure", "measure_label", "label"), ("product line", "product_line", "label"),
                                    ("eligible", "eligible_population", "count"), ("denominator", "denominator", "count"),
                                    ("numerator", "numerator", "count"), ("rate", "rate", "value"),
                                    ("low", "rate_low", "value"), ("high", "rate_high", "value"),
                                    ("reportable", "reportable_text", "label"), ("direction", "direction", "label")])))

    problem = mt.readiness(con, mt.ROLLING)
    if problem:
        page.sections.append(Section(title="Rolling monthly trend", unavailable=problem))
        return page
    trend = query(con, f"""select measure_id, strftime(month_end, '%Y-%m') as month, sum(numerator) as numerator,
                                  sum(denominator) as denominator, sum(numerator) / nullif(sum(denominator), 0) as rate
                           from {mt.ROLLING} where measurement_year = $year group by all order by measure_id, month""",
                  {"year": year})
    trend = mt.rate_frame(trend, values={"rate": "percent"})
    if trend.is_empty() or not any_shown(trend, "rate"):
        page.sections.append(all_suppressed("Rolling monthly trend", "the monthly rates") if trend.height else
                             Section(title="Rolling monthly trend", unavailable="No monthly rates for this year."))
    else:
        page.sections.append(Section(
            title="Rolling monthly trend",
            note="The whole plan's rate as of each month end (product lines summed).",
            figure=figures.value_lines(trend, x="month", value="rate", color="measure_id", title=f"Rate as of month end, {year}",
                                       value_title="rate", hover={"rate": "rate_label", "numerator": "numerator_label",
                                                                  "denominator": "denominator_label"})
            .update_yaxes(tickformat=".0%")))
    return page
