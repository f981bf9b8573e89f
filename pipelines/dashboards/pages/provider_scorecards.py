"""Provider scorecards: funnel plot per measure, caterpillar plot of shrunken rates with intervals, composite
ranking and stars; providers with too few cases are listed but not ranked."""

from __future__ import annotations

import duckdb
import plotly.graph_objects as go
import polars as pl

from pipelines.dashboards import figures
from pipelines.dashboards.pages import measure_tables as mt
from pipelines.dashboards.pages.common import any_shown, query, table
from pipelines.dashboards.shell import Page, Section
from pipelines.stats.funnel import funnel_limits

SLUG = "provider-scorecards"
TITLE = "Provider scorecards"
DESCRIPTION = "Funnel plots, caterpillar plots of shrunken rates, composite ranking and stars per provider."


def scores(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame:
    frame = query(con, f"""select measure_id, provider_npi, numerator, denominator, raw_rate, shrunken_rate,
                                  shrunken_lower, shrunken_upper, ranked
                           from {mt.PROVIDER_SCORE} where measurement_year = $year order by measure_id, provider_npi""",
                  {"year": year})
    return mt.rate_frame(frame, values={"raw_rate": "percent", "shrunken_rate": "percent",
                                        "shrunken_lower": "percent", "shrunken_upper": "percent"})


def funnel_figure(part: pl.DataFrame, plan_rate: float, measure_id: str) -> go.Figure:
    shown = part.filter(pl.col("raw_rate").is_not_null())
    limits = funnel_limits(plan_rate, shown["denominator"].to_list())
    figure = figures.value_scatter(shown, x="denominator", y="raw_rate", title=f"Funnel plot: {mt.measure_name(measure_id)}",
                                   x_title="denominator (members)", y_title="observed rate",
                                   hover={"provider": "provider_npi", "rate": "raw_rate_label",
                                          "numerator": "numerator_label", "denominator": "denominator_label"})
    for column, dash in (("lower_95", "dash"), ("upper_95", "dash"), ("lower_998", "dot"), ("upper_998", "dot")):
        figure.add_trace(go.Scatter(x=limits["n"].to_list(), y=limits[column].to_list(), mode="lines",
                                    line=dict(dash=dash, color="#7f8c8d"), name=column.replace("_", " ") + "% limit",
                                    meta={"kind": "reference"}, hoverinfo="skip"))
    figure.add_hline(y=plan_rate, line_color="#c0392b", annotation_text="plan rate")
    return figure.update_yaxes(tickformat=".0%")


def build(con: duckdb.DuckDBPyConnection, year: int) -> Page:
    page = Page(slug=SLUG, title=TITLE, description=DESCRIPTION)
    problem = mt.readiness(con, mt.PROVIDER_SCORE)
    if problem:
        page.sections.append(Section(title="Provider measure scores", unavailable=problem))
    else:
        frame = scores(con, year)
        if frame.is_empty():
            page.sections.append(Section(title="Provider measure scores", unavailable="No provider scores this year."))
        for (measure_id,), part in frame.group_by(["measure_id"], maintain_order=True):
            name = mt.measure_name(measure_id)
            totals = query(con, f"select sum(numerator) / nullif(sum(denominator), 0) from {mt.PROVIDER_SCORE} "
                                "where measurement_year = $year and measure_id = $measure", {"year": year, "measure": measure_id})
            plan_rate = totals.item()
            if not any_shown(part, "raw_rate") or plan_rate is None:
                page.sections.append(Section(title=f"{name}: providers", unavailable=(
                    "Every provider's numerator or denominator is under 11: all suppressed (<11).")))
                continue
            page.sections.append(Section(
                title=f"{name}: funnel plot",
                note="Providers outside the dashed (95%) or dotted (99.8%) limits differ from the plan rate by more "
                     "than chance; providers with suppressed counts are not plotted.",
                figure=funnel_figure(part, plan_rate, measure_id)))
            ranked = part.filter(pl.col("ranked") & pl.col("shrunken_rate").is_not_null()).sort("shrunken_rate")
            unranked = part.filter(~pl.col("ranked") | pl.col("shrunken_rate").is_null())
            page.sections.append(Section(
                title=f"{name}: shrunken rates (caterpillar)",
                note=f"Ranked providers' shrunken rates with 95% intervals. {unranked.height} provider(s) with too few "
                     "cases (or suppressed counts) are listed below but not ranked.",
                figure=(figures.value_bars(ranked, category="provider_npi", value="shrunken_rate", low="shrunken_lower",
                                           high="shrunken_upper", horizontal=True, title=f"Shrunken rates: {name}",
                                           value_title="shrunken rate", reference=plan_rate, reference_label="plan rate",
                                           hover={"shrunken rate": "shrunken_rate_label", "observed": "raw_rate_label",
                                                  "denominator": "denominator_label"}).update_xaxes(tickformat=".0%")
                        if ranked.height else None),
                unavailable=None if ranked.height else "No provider has enough cases to be ranked for this measure.",
                table=table(part.with_columns(pl.when(pl.col("ranked")).then(pl.lit("ranked"))
                                              .otherwise(pl.lit("too few cases: not ranked")).alias("status")),
                            [("provider NPI", "provider_npi", "label"), ("numerator", "numerator", "count"),
                             ("denominator", "denominator", "count"), ("observed", "raw_rate", "value"),
                             ("shrunken", "shrunken_rate", "value"), ("status", "status", "label")])))

    problem = mt.readiness(con, mt.PROVIDER_COMPOSITE)
    if problem:
        page.sections.append(Section(title="Composite ranking and stars", unavailable=problem))
        return page
    composite = query(con, f"""select provider_npi, opportunity_weighted_score as composite, stars, ranked from {mt.PROVIDER_COMPOSITE}
                               where measurement_year = $year order by ranked desc, composite desc nulls last""",
                      {"year": year})
    composite = composite.with_columns(
        pl.when(pl.col("ranked")).then(pl.lit("\u2605").repeat_by(pl.col("stars").cast(pl.UInt32)).list.join(""))
        .otherwise(pl.lit("too few cases: not ranked")).alias("stars_text"),
        pl.when(pl.col("ranked")).then(pl.col("composite")).otherwise(None).alias("composite"))
    composite = composite.with_columns(pl.col("composite").map_batches(
        lambda values: pl.Series([None if v is None else f"{v:.3f}" for v in values], dtype=pl.String),
        return_dtype=pl.String).fill_null("not ranked")
                                       .alias("composite_text"))
    page.sections.append(Section(
        title="Composite ranking and stars",
        note="Providers with too few cases are shown but not ranked.",
        table=table(composite, [("provider NPI", "provider_npi", "label"), ("composite", "composite_text", "label"),
                                ("stars", "stars_text", "label")])))
    return page
