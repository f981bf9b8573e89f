"""Measure drill-down: the population waterfall (eligible -> excluded by reason -> denominator -> numerator)
from the engine's member-level results, rates by product line, and administrative vs hybrid rate."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.dashboards import figures
from pipelines.dashboards.pages import measure_tables as mt
from pipelines.dashboards.pages.common import any_shown, missing_tables, not_available, query, table
from pipelines.dashboards.privacy import complementary_suppression, suppress_counts
from pipelines.dashboards.shell import Page, Section

SLUG = "measure-drilldown"
TITLE = "Measure drill-down"
DESCRIPTION = "Population waterfall per measure, rates by product line, administrative vs hybrid rate."


def waterfall(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame:
    """Per measure (and program): eligible, each exclusion reason, exceptions, denominator, numerator.
    `order` keeps the waterfall's steps in reading order."""
    return query(con, f"""
        with period_result as (
            select program, measure_id, coalesce(stratum, '') as stratum, initial_population, denominator,
                   denominator_exclusion, denominator_exception, numerator, exclusion_reason
            from {mt.MEASURE_RESULT} where year(period_end) = $year
        ),
        steps as (
            select program, measure_id, stratum, 1 as step_order, 'eligible (initial population)' as step,
                   count(*) filter (where initial_population) as members
            from period_result group by all
            union all
            select program, measure_id, stratum, 2, 'excluded: ' || coalesce(exclusion_reason, 'unspecified'),
                   count(*)
            from period_result where denominator_exclusion group by all
            union all
            select program, measure_id, stratum, 3, 'exception', count(*)
            from period_result where denominator_exception and not denominator_exclusion group by all
            union all
            select program, measure_id, stratum, 4, 'denominator',
                   count(*) filter (where denominator and not denominator_exclusion and not denominator_exception)
            from period_result group by all
            union all
            select program, measure_id, stratum, 5, 'numerator',
                   count(*) filter (where numerator and denominator and not denominator_exclusion and not denominator_exception)
            from period_result group by all
        )
        select program, measure_id, stratum, step_order, step, members::bigint as members
        from steps order by program, measure_id, stratum, step_order, step""", {"year": year})


def suppressed_waterfall(frame: pl.DataFrame) -> pl.DataFrame:
    frame = suppress_counts(frame, ["members"])
    # eligible = exclusions + exceptions + denominator (+ members outside the denominator): among the cells
    # that add up under the eligible total, one suppressed cell must not be left alone.
    parts = frame.with_columns(pl.col("step_order").is_in([2, 3, 4]).alias("_in_sum"))
    summed = complementary_suppression(parts.filter(pl.col("_in_sum")), "members", ["program", "measure_id", "stratum"])
    rest = parts.filter(~pl.col("_in_sum"))
    return pl.concat([summed, rest]).drop("_in_sum").sort(["program", "measure_id", "stratum", "step_order", "step"])


def build(con: duckdb.DuckDBPyConnection, year: int) -> Page:
    page = Page(slug=SLUG, title=TITLE, description=DESCRIPTION)
    if missing_tables(con, [mt.MEASURE_RESULT]):
        page.sections.append(not_available("Population waterfall", [mt.MEASURE_RESULT], "the member-level measure results"))
    else:
        steps = waterfall(con, year)
        if steps.is_empty() or steps["members"].sum() == 0:
            page.sections.append(Section(title="Population waterfall", unavailable=(
                f"Not available yet: {mt.MEASURE_RESULT} holds no member results for a period ending in {year} "
                "(the measure engine has not produced them for this data).")))
        else:
            steps = suppressed_waterfall(steps)
            for (program, measure_id, stratum), part in steps.group_by(["program", "measure_id", "stratum"], maintain_order=True):
                name = mt.measure_name(measure_id) + (f" ({stratum})" if stratum else "") + f" - {program}"
                if not any_shown(part, "members"):
                    page.sections.append(Section(title=f"Population waterfall: {name}", unavailable=(
                        "Every step is under 11 members and suppressed: too few members to show this measure.")))
                    continue
                page.sections.append(Section(
                    title=f"Population waterfall: {name}",
                    note="Members at each step; an exclusion counts members removed for that reason.",
                    figure=figures.count_bars(part, category="step", count="members", horizontal=True,
                                              title=name, count_title="members").update_yaxes(autorange="reversed"),
                    table=table(part, [("step", "step", "label"), ("members", "members", "count")])))

    problem = mt.readiness(con, mt.PLAN_RATE)
    if problem:
        page.sections.append(Section(title="Rates by product line", unavailable=problem))
    else:
        frame = query(con, f"""select measure_id, product_line, denominator, numerator, rate, rate_low, rate_high
                               from {mt.PLAN_RATE} where measurement_year = $year order by measure_id, product_line""",
                      {"year": year})
        frame = mt.rate_frame(frame)
        if any_shown(frame, "rate"):
            page.sections.append(Section(
                title="Rates by product line",
                figure=figures.value_bars(frame, category="measure_id", value="rate", color="product_line", low="rate_low",
                                          high="rate_high", title="Rate by product line", value_title="rate",
                                          hover={"rate": "rate_label", "numerator": "numerator_label",
                                                 "denominator": "denominator_label"}).update_yaxes(tickformat=".0%")))
        else:
            page.sections.append(Section(title="Rates by product line",
                                         unavailable="Every product-line rate is suppressed (<11) or there are none this year."))
    page.sections.append(Section(title="Rates by age band and sex", unavailable=(
        "Not available yet: rates by age band and sex need the plan program's member-level results with the "
        "member's product line and demographics (plan-reporting work in progress); nothing is estimated in their place.")))
    page.sections.append(mt.hybrid_lift_section(con, year))
    return page
