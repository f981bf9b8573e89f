"""Provider scorecards (plan program): funnel plot per measure, caterpillar plot of shrunken rates with intervals,
composite ranking and stars; providers with too few cases are shown but not ranked."""

from __future__ import annotations

import duckdb
import plotly.graph_objects as go
import polars as pl

from pipelines.dashboards import figures
from pipelines.dashboards.pages import measure_tables as mt
from pipelines.dashboards.pages.common import any_shown, query, table
from pipelines.dashboards.privacy import SUPPRESSED_LABEL, format_value
from pipelines.dashboards.shell import Page, Section
from pipelines.stats.funnel import funnel_limits

SLUG = "provider-scorecards"
TITLE = "Provider scorecards"
DESCRIPTION = "Funnel plots, caterpillar plots of shrunken rates, composite ranking and stars per provider (plan program)."
FLAG_NAMES = {"better": "better than the plan", "worse": "worse than the plan", "as_expected": "as expected"}


def scores(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame:
    frame = query(con, f"""select measure_id, provider_npi, numerator, denominator, raw_rate, shrunken_rate,
                                  shrunken_lower, shrunken_upper, reliability, plan_rate, funnel_tau2,
                                  coalesce(flag, 'as_expected') as flag, ranked
                           from {mt.PROVIDER_SCORE} where measurement_year = $year and program = $program
                           order by measure_id, provider_npi""", {"year": year, "program": mt.PLAN_PROGRAM})
    frame = mt.rate_frame(frame, values={"raw_rate": "percent", "shrunken_rate": "percent",
                                         "shrunken_lower": "percent", "shrunken_upper": "percent",
                                         "reliability": "ratio"})
    return frame.with_columns(
        pl.col("flag").replace_strict(FLAG_NAMES, default=pl.col("flag")).alias("flag_text"),
        pl.when(pl.col("ranked") & pl.col("shrunken_rate").is_not_null()).then(pl.lit("ranked"))
        .when(pl.col("ranked")).then(pl.lit(f"ranked; counts {SUPPRESSED_LABEL}, not plotted"))
        .otherwise(pl.lit("too few cases: not ranked")).alias("status"))


def funnel_figure(part: pl.DataFrame, plan_rate: float, tau2: float, measure_id: str) -> go.Figure:
    shown = part.filter(pl.col("raw_rate").is_not_null())
    limits = funnel_limits(plan_rate, shown["denominator"].to_list(), tau2=tau2)
    figure = figures.value_scatter(shown, x="denominator", y="raw_rate", color="flag_text",
                                   title=f"Funnel plot: {mt.measure_name(measure_id)}",
                                   x_title="denominator (members)", y_title="observed rate",
                                   hover={"rate": "raw_rate_label", "provider": "provider_npi",
                                          "numerator": "numerator_label", "denominator": "denominator_label",
                                          "flag": "flag_text"})
    for column, dash in (("lower_95", "dash"), ("upper_95", "dash"), ("lower_998", "dot"), ("upper_998", "dot")):
        figure.add_trace(go.Scatter(x=limits["n"].to_list(), y=limits[column].to_list(), mode="lines",
                                    line=dict(dash=dash, color="#7f8c8d"), name=column.replace("_", " ") + "% limit",
                                    meta={"kind": "reference"}, hoverinfo="skip"))
    figure.add_hline(y=plan_rate, line_color="#c0392b", annotation_text="plan rate")
    return figure.update_yaxes(tickformat=".0%")


def _measure_sections(measure_id: str, part: pl.DataFrame) -> list[Section]:
    name = mt.measure_name(measure_id) + (" (lower is better)" if mt.direction_text(measure_id) == "lower is better" else "")
    plan_rate = part["plan_rate"].drop_nulls()
    if not any_shown(part, "raw_rate") or plan_rate.is_empty():
        return [Section(title=f"{name}: providers", unavailable=(
            f"Every provider's numerator or denominator is under 11: all {SUPPRESSED_LABEL}."))]
    plan_rate_value = float(plan_rate[0])
    tau2 = float(part["funnel_tau2"].drop_nulls()[0]) if part["funnel_tau2"].drop_nulls().len() else 0.0
    hidden = part["raw_rate"].null_count()
    sections = [Section(
        title=f"{name}: funnel plot",
        note=mt.PLAN_PROGRAM_NOTE + f" Each point is an attributed PCP. Outside the dashed (95%) or dotted (99.8%) "
             f"limits a provider differs from the plan rate ({format_value(plan_rate_value, 'percent')}) by more than "
             "chance (limits widened for overdispersion). "
             f"{hidden} provider(s) with a numerator or denominator under 11 are not plotted.",
        figure=funnel_figure(part, plan_rate_value, tau2, measure_id))]
    ranked = part.filter(pl.col("status") == "ranked").sort("shrunken_rate", "provider_npi")
    unranked = part.filter(pl.col("status") != "ranked").sort("provider_npi")
    sections.append(Section(
        title=f"{name}: shrunken rates (caterpillar)",
        note=f"{ranked.height} ranked provider(s): shrunken (empirical Bayes) rates with 95% intervals, lowest first. "
             f"{unranked.height} provider(s) are shown in the table but not ranked: too few cases (denominator under "
             "20 or reliability under 0.7) or counts under 11.",
        figure=(figures.caterpillar(ranked, label="provider", value="shrunken_rate", low="shrunken_lower",
                                    high="shrunken_upper", title=f"Shrunken rates: {name}", value_title="shrunken rate",
                                    hover={"shrunken rate": "shrunken_rate_label", "provider": "provider_npi",
                                           "observed": "raw_rate_label", "denominator": "denominator_label",
                                           "reliability": "reliability_label"},
                                    reference=plan_rate_value, reference_label="plan rate")
                .update_yaxes(tickformat=".0%") if ranked.height else None),
        unavailable=None if ranked.height else "No provider has enough cases to be ranked for this measure.",
        table=table(unranked, [("provider NPI (not ranked)", "provider_npi", "label"), ("numerator", "numerator", "count"),
                               ("denominator", "denominator", "count"), ("observed", "raw_rate", "value"),
                               ("shrunken", "shrunken_rate", "value"), ("reliability", "reliability", "value"),
                               ("status", "status", "label")]) if unranked.height else None))
    return sections


def composite(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame:
    frame = query(con, f"""select provider_npi, mean_shrunken_score, opportunity_weighted_score, percentile_rank,
                                  stars, ranked
                           from {mt.PROVIDER_COMPOSITE} where measurement_year = $year and program = $program
                           order by ranked desc, mean_shrunken_score desc nulls last, provider_npi""",
                  {"year": year, "program": mt.PLAN_PROGRAM})
    ranked = pl.col("ranked") & pl.col("mean_shrunken_score").is_not_null()
    frame = frame.with_columns(
        pl.when(ranked).then(pl.col("mean_shrunken_score")).otherwise(None).alias("mean_shrunken_score"),
        pl.when(ranked).then(pl.col("percentile_rank")).otherwise(None).alias("percentile_rank"),
        pl.when(ranked & pl.col("stars").is_not_null()).then(pl.lit("\u2605").repeat_by(pl.col("stars").cast(pl.UInt32))
                                                           .list.join("")).otherwise(pl.lit("too few cases: not ranked"))
        .alias("stars_text"))
    return frame.with_columns(*[
        pl.Series(f"{c}_text", [("not ranked" if v is None else f"{v:.3f}") for v in frame[c].to_list()], dtype=pl.String)
        for c in ("mean_shrunken_score", "opportunity_weighted_score")],
        pl.Series("percentile_rank_text", ["not ranked" if v is None else f"{v:.0f}"
                                           for v in frame["percentile_rank"].to_list()], dtype=pl.String))


def _composite_section(con: duckdb.DuckDBPyConnection, year: int) -> Section:
    title = "Composite ranking and stars"
    problem = mt.readiness(con, mt.PROVIDER_COMPOSITE)
    if problem:
        return Section(title=title, unavailable=problem)
    frame = composite(con, year)
    if frame.is_empty():
        return Section(title=title, unavailable="No provider composites this year.")
    ranked = frame.filter(pl.col("mean_shrunken_score").is_not_null()).sort("mean_shrunken_score")
    note = (mt.PLAN_PROGRAM_NOTE + " Ranks and stars are on the mean of the provider's shrunken rates (GSD counted as "
            "1 - rate, so higher is better everywhere); the opportunity-weighted score is shown beside it. Providers "
            "with too few cases on every measure are listed but not ranked.")
    return Section(
        title=title, note=note,
        figure=(figures.caterpillar(ranked.with_columns(pl.col("mean_shrunken_score").alias("low"),
                                                        pl.col("mean_shrunken_score").alias("high")),
                                    label="provider", value="mean_shrunken_score", low="low", high="high",
                                    title="Composite (mean shrunken score) of ranked providers",
                                    value_title="composite score",
                                    hover={"composite": "mean_shrunken_score_text", "provider": "provider_npi",
                                           "stars": "stars_text", "percentile": "percentile_rank_text"})
                if ranked.height else None),
        unavailable=None if ranked.height else "No provider has enough cases to be ranked.",
        table=table(frame, [("provider NPI", "provider_npi", "label"), ("composite", "mean_shrunken_score_text", "label"),
                            ("opportunity-weighted", "opportunity_weighted_score_text", "label"),
                            ("percentile", "percentile_rank_text", "label"), ("stars", "stars_text", "label")]))


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
            page.sections += _measure_sections(measure_id, part)
    page.sections.append(_composite_section(con, year))
    return page
