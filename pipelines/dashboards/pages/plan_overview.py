"""Plan overview: every measure's plan-program rate by product line with its Wilson interval against the
plan's target (inverse measures marked), and the rolling monthly trend of the whole plan."""

from __future__ import annotations

import duckdb
import plotly.graph_objects as go
import polars as pl

from pipelines.dashboards import figures
from pipelines.dashboards.pages import measure_tables as mt
from pipelines.dashboards.pages.common import all_suppressed, any_shown, query, table
from pipelines.dashboards.privacy import MINIMUM_CELL, SUPPRESSED_LABEL, format_count, format_value
from pipelines.dashboards.shell import Page, Section

SLUG = "plan-overview"
TITLE = "Plan overview"
DESCRIPTION = ("Every measure's plan-program rate by product line with its 95% interval against the plan's target; "
               "the rolling monthly trend.")
LINE_ORDER = {mt.ALL_LINES: 0, "commercial": 1, "medicaid": 2, "medicare": 3}


def rates(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame:
    """measures.plan_rate of the year, suppressed: the product lines of a measure add up to its 'all' row, so one
    suppressed line takes the next smallest with it; eligible = exclusions + denominator in each row."""
    frame = query(con, f"""select measure_id, product_line, eligible_population, exclusions, denominator, numerator,
                                  rate, rate_low, rate_high, reportable
                           from {mt.PLAN_RATE} where measurement_year = $year order by measure_id, product_line""",
                  {"year": year})
    frame = frame.with_columns(pl.col("product_line").replace_strict(LINE_ORDER, default=9).alias("_line_order")) \
        .sort("measure_id", "_line_order", "product_line").drop("_line_order")
    frame = mt.rate_frame(frame, other_counts=["eligible_population", "exclusions"], parts_of=["measure_id"],
                          total_rows=pl.col("product_line") == mt.ALL_LINES)
    frame = mt.hide_total_with_one_hidden_part(frame, "eligible_population", ["exclusions", "denominator"])
    goal = mt.targets()
    return mt.with_direction(frame).with_columns(
        pl.when(pl.col("reportable")).then(pl.lit("yes")).otherwise(pl.lit("no: denominator under 30")).alias("reportable_text"),
        pl.col("measure_id").map_elements(lambda m: format_value(goal[m], "percent") if m in goal else "none set",
                                          return_dtype=pl.String).alias("target_label"))


def shown_trend(frame: pl.DataFrame) -> pl.DataFrame:
    """Suppress a month whose numerator is under 11, or differs from the next shown month's by 1 to 10.

    Months share the year's denominator, so two shown months would give away how many members closed (or, for
    GSD, opened) their gap in between. Walking back from the year's last month (whose numerator is the year's,
    shown on this page), a month is kept only when its numerator is 0 or at least 11 and differs from the last
    kept month's by 0 or at least 11."""
    keep: list[bool] = []
    for _, part in frame.group_by("measure_id", maintain_order=True):
        anchor: int | None = None
        kept: list[bool] = []
        for numerator, denominator in reversed(list(zip(part["numerator"].to_list(), part["denominator"].to_list()))):
            ok = denominator >= MINIMUM_CELL and not (0 < numerator < MINIMUM_CELL)
            if ok and anchor is not None:
                ok = not (0 < abs(anchor - numerator) < MINIMUM_CELL)
            if ok:
                anchor = numerator
            kept.append(ok)
        keep += reversed(kept)
    shown = pl.Series("_shown", keep, dtype=pl.Boolean)
    out = frame.with_columns(shown).with_columns(
        [pl.when(pl.col("_shown")).then(pl.col(c)).otherwise(None).alias(c) for c in ("numerator", "denominator", "rate")])
    return out.with_columns(
        pl.Series("rate_label", [format_value(v, "percent") for v in out["rate"].to_list()], dtype=pl.String),
        pl.Series("numerator_label", [format_count(v) for v in out["numerator"].to_list()], dtype=pl.String),
        pl.Series("denominator_label", [format_count(v) for v in out["denominator"].to_list()], dtype=pl.String),
    ).drop("_shown")


def trend(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame:
    frame = query(con, f"""select measure_id, strftime(month_end, '%Y-%m') as month, sum(numerator)::bigint as numerator,
                                  sum(denominator)::bigint as denominator,
                                  sum(numerator) / nullif(sum(denominator), 0) as rate
                           from {mt.ROLLING} where measurement_year = $year group by all order by measure_id, month""",
                  {"year": year})
    return mt.with_direction(shown_trend(frame)) if frame.height else frame


def _rates_section(con: duckdb.DuckDBPyConnection, year: int) -> Section:
    title = "Rates by measure and product line"
    problem = mt.readiness(con, mt.PLAN_RATE)
    if problem:
        return Section(title=title, unavailable=problem)
    frame = rates(con, year)
    if frame.is_empty():
        return Section(title=title, unavailable="No plan rates for this measurement year.")
    if not any_shown(frame, "rate"):
        return all_suppressed(title, "the plan rates")
    goal = mt.targets()
    figure = figures.value_bars(frame, category="measure_short", value="rate", color="product_line",
                                low="rate_low", high="rate_high", title=f"Plan-program rates by product line, {year}",
                                value_title="rate", hover={"rate": "rate_label", "95% interval from": "rate_low_label",
                                                           "to": "rate_high_label", "numerator": "numerator_label",
                                                           "denominator": "denominator_label",
                                                           "direction": "direction", "target": "target_label",
                                                           "measure": "measure"})
    measures = frame.unique("measure_short", maintain_order=True)
    with_target = [(label, goal[m]) for label, m in zip(measures["measure_short"], measures["measure_id"]) if m in goal]
    if with_target:
        figure.add_trace(go.Scatter(x=[label for label, _ in with_target], y=[t for _, t in with_target], mode="markers",
                                    marker=dict(symbol="line-ew-open", size=40, color="#c0392b", line=dict(width=3)),
                                    name="plan target", meta={"kind": "reference"},
                                    hovertemplate="target %{y:.1%}<extra></extra>"))
    figure.update_yaxes(tickformat=".0%")
    return Section(
        title=title,
        note=mt.PLAN_PROGRAM_NOTE + " Bars: rate with its Wilson 95% interval, 'all' = every product line together; "
             "red marks: the plan's target (configuration: HMOQA_MEASURE_TARGETS). GSD (HbA1c > 9%) is inverse: lower "
             "is better, and its target is a ceiling. A rate is reportable from a denominator of 30. "
             "Denominator = eligible - exclusions.",
        figure=figure,
        table=table(frame, [("measure", "measure_label", "label"), ("product line", "product_line", "label"),
                            ("eligible", "eligible_population", "count"), ("exclusions", "exclusions", "count"),
                            ("denominator", "denominator", "count"), ("numerator", "numerator", "count"),
                            ("rate", "rate", "value"), ("low", "rate_low", "value"), ("high", "rate_high", "value"),
                            ("target", "target_label", "label"), ("reportable", "reportable_text", "label"),
                            ("direction", "direction", "label")]))


def _trend_section(con: duckdb.DuckDBPyConnection, year: int) -> Section:
    title = "Rolling monthly trend"
    problem = mt.readiness(con, mt.ROLLING)
    if problem:
        return Section(title=title, unavailable=problem)
    frame = trend(con, year)
    if frame.is_empty():
        return Section(title=title, unavailable="No monthly rates for this measurement year.")
    if not any_shown(frame, "rate"):
        return all_suppressed(title, "the monthly rates")
    hidden = frame["rate"].null_count()
    return Section(
        title=title,
        note=mt.PLAN_PROGRAM_NOTE + " The whole plan's rate as of each month end (product lines summed; the year's "
             "denominator, numerator evidence dated on or before the month end). For GSD (lower is better) a member "
             "counts as poorly controlled until a controlled result is on file. "
             f"{hidden} month(s) are left out ({SUPPRESSED_LABEL}): a month is shown only when its numerator, and its "
             "change from the next month shown, is 0 or at least 11.",
        figure=figures.value_lines(frame, x="month", value="rate", color="measure_label",
                                   title=f"Plan-program rate as of month end, {year}", value_title="rate",
                                   hover={"rate": "rate_label", "numerator": "numerator_label",
                                          "denominator": "denominator_label", "direction": "direction"})
        .update_yaxes(tickformat=".0%"))


def build(con: duckdb.DuckDBPyConnection, year: int) -> Page:
    page = Page(slug=SLUG, title=TITLE, description=DESCRIPTION)
    page.sections.append(_rates_section(con, year))
    page.sections.append(_trend_section(con, year))
    return page
