"""Measure drill-down: the population waterfall of each measure (eligible -> excluded by reason -> denominator ->
numerator) for the plan program beside the eCQM program, the plan program's rates by product line, age band and
sex, and administrative vs hybrid rate."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.dashboards import figures
from pipelines.dashboards.pages import measure_tables as mt
from pipelines.dashboards.pages import plan_overview
from pipelines.dashboards.pages.common import all_suppressed, any_shown, missing_tables, not_available, query, table
from pipelines.dashboards.privacy import complementary_suppression, suppress_counts
from pipelines.dashboards.shell import Column, Page, Section, Table
from pipelines.stats.rates import wilson_exprs

SLUG = "measure-drilldown"
TITLE = "Measure drill-down"
DESCRIPTION = ("Population waterfall per measure (plan and eCQM programs), plan-program rates by product line, "
               "age band and sex, administrative vs hybrid rate.")
ELIGIBILITY = "staging.eligibility"
PROGRAM_NAMES = {"plan": "plan program", "ecqm": "eCQM program"}
# Steps 2, 4, 5 and 6 split the eligible members (step 1) between them; step 3 splits step 2 by reason.
ELIGIBLE, EXCLUDED, REASON, EXCEPTION, OUTSIDE, DENOMINATOR, NUMERATOR = range(1, 8)


def waterfall(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame:
    """Members at each step per program and measure (strata together). An excluded member counts once under
    'excluded (any reason)' and once under each reason in its comma-separated exclusion_reason."""
    return query(con, f"""
        with eligible_result as materialized (
            select program, measure_id, denominator, denominator_exclusion, denominator_exception, numerator,
                   exclusion_reason
            from {mt.MEASURE_RESULT}
            where measurement_year = $year and initial_population
        ),
        excluded_reason as (
            select program, measure_id,
                   trim(unnest(string_split(coalesce(nullif(exclusion_reason, ''), 'unspecified'), ','))) as reason
            from eligible_result where denominator_exclusion
        ),
        steps as (
            select program, measure_id, {ELIGIBLE} as step_order, 'eligible (initial population)' as step,
                   count(*) as members
            from eligible_result group by all
            union all
            select program, measure_id, {EXCLUDED}, 'excluded (any reason)', count(*) filter (where denominator_exclusion)
            from eligible_result group by all
            union all
            select program, measure_id, {REASON}, 'excluded: ' || reason, count(*)
            from excluded_reason where reason <> '' group by all
            union all
            select program, measure_id, {EXCEPTION}, 'exception',
                   count(*) filter (where denominator_exception and not denominator_exclusion)
            from eligible_result group by all
            union all
            select program, measure_id, {OUTSIDE}, 'eligible but outside the denominator',
                   count(*) filter (where not denominator and not denominator_exclusion and not denominator_exception)
            from eligible_result group by all
            union all
            select program, measure_id, {DENOMINATOR}, 'denominator',
                   count(*) filter (where denominator and not denominator_exclusion and not denominator_exception)
            from eligible_result group by all
            union all
            select program, measure_id, {NUMERATOR}, 'numerator',
                   count(*) filter (where numerator and denominator and not denominator_exclusion
                                    and not denominator_exception)
            from eligible_result group by all
        )
        select program, measure_id, step_order, step, members::bigint as members
        from steps
        -- steps that no program uses for a measure (exceptions in the plan program) are left out
        where members > 0 or step_order in ({ELIGIBLE}, {EXCLUDED}, {DENOMINATOR}, {NUMERATOR})
        order by measure_id, program desc, step_order, step""", {"year": year})


def suppressed_waterfall(frame: pl.DataFrame) -> pl.DataFrame:
    """Small counts suppressed; a lone suppressed cell among the parts of the eligible members (excluded,
    exception, outside, denominator) or among the reasons of the exclusions takes the next smallest with it."""
    frame = suppress_counts(frame, ["members"]).with_row_index("_order")
    group = ["program", "measure_id"]
    splits = complementary_suppression(frame.filter(pl.col("step_order").is_in([EXCLUDED, EXCEPTION, OUTSIDE, DENOMINATOR])),
                                       "members", group)
    reasons = complementary_suppression(frame.filter(pl.col("step_order") == REASON), "members", group)
    rest = frame.filter(pl.col("step_order").is_in([ELIGIBLE, NUMERATOR]))
    out = pl.concat([splits, reasons, rest], how="vertical_relaxed").sort("_order").drop("_order")
    return out.with_columns((pl.col("program").replace_strict(PROGRAM_NAMES, default=pl.col("program"))).alias("program_name"))


def _waterfall_table(part: pl.DataFrame) -> Table:
    """One row per step, one column per program (0 where no member of a program reached the step)."""
    programs = part.unique("program_name", maintain_order=True)["program_name"].to_list()
    labels = {(step, program): label for step, program, label in part.select("step", "program_name", "members_label").iter_rows()}
    steps = part.unique("step", maintain_order=True)["step"].to_list()
    return Table(columns=[Column("step"), *[Column(f"members, {program}", "count") for program in programs]],
                 rows=[[step, *[labels.get((step, program), "0") for program in programs]] for step in steps])


def _waterfall_sections(con: duckdb.DuckDBPyConnection, year: int) -> list[Section]:
    if missing_tables(con, [mt.MEASURE_RESULT]):
        return [not_available("Population waterfall", [mt.MEASURE_RESULT], "the member-level measure results")]
    steps = waterfall(con, year)
    if steps.is_empty() or steps["members"].sum() == 0:
        return [Section(title="Population waterfall", unavailable=(
            f"No data for this measurement year: {mt.MEASURE_RESULT} holds no eligible members for {year}."))]
    steps = suppressed_waterfall(steps)
    sections = []
    for (measure_id,), part in steps.group_by(["measure_id"], maintain_order=True):
        name = mt.measure_name(measure_id)
        if part.filter(pl.col("members") > 0).is_empty():
            sections.append(Section(title=f"Population waterfall: {name}", unavailable=(
                "Every step with members is under 11 and suppressed (<11): too few members to show this measure.")))
            continue
        sections.append(Section(
            title=f"Population waterfall: {name}",
            note="Members at each step, plan program beside the eCQM program (the same measure logic; the plan "
                 "program adds enrollment, product lines, the plan's exclusions and supplemental data). A member "
                 "excluded for two reasons counts under both reasons and once in 'excluded (any reason)'. "
                 "Eligible = excluded + exception + outside the denominator + denominator.",
            figure=figures.count_bars(part, category="step", count="members", color="program_name", horizontal=True,
                                      title=name, count_title="members")
            .update_yaxes(autorange="reversed", categoryorder="array",
                          categoryarray=part.unique("step", maintain_order=True)["step"].to_list()),
            table=_waterfall_table(part)))
    return sections


def demographic_rates(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame:
    """Plan-program denominator and numerator per measure by age band (age on Dec 31 of the year) and by sex, from
    the members' enrollment records."""
    frame = query(con, f"""
        with member_demographics as (
            select person_id, min(birth_date) as birth_date, min(gender) as sex
            from {ELIGIBILITY} group by person_id
        ),
        plan_denominator as (
            select r.measure_id, r.numerator, d.birth_date, coalesce(d.sex, 'unknown') as sex
            from {mt.MEASURE_RESULT} as r
            left join member_demographics as d on d.person_id = r.patient_key
            where r.program = $program and r.measurement_year = $year
              and r.initial_population and r.denominator and not r.denominator_exclusion
        ),
        banded as (
            select measure_id, numerator, sex,
                   case when birth_date is null then 'unknown'
                        when date_sub('year', birth_date, make_date($year, 12, 31)) < 18 then '0-17'
                        when date_sub('year', birth_date, make_date($year, 12, 31)) < 35 then '18-34'
                        when date_sub('year', birth_date, make_date($year, 12, 31)) < 50 then '35-49'
                        when date_sub('year', birth_date, make_date($year, 12, 31)) < 65 then '50-64'
                        when date_sub('year', birth_date, make_date($year, 12, 31)) < 75 then '65-74'
                        else '75+' end as age_band
            from plan_denominator
        )
        select measure_id, case when grouping(age_band) = 0 then 'age band' else 'sex' end as dimension,
               coalesce(age_band, sex) as grp, count(*)::bigint as denominator,
               count(*) filter (where numerator)::bigint as numerator
        from banded
        group by grouping sets ((measure_id, age_band), (measure_id, sex))
        order by measure_id, dimension, grp""", {"program": mt.PLAN_PROGRAM, "year": year})
    if frame.is_empty():
        return frame
    low, high = wilson_exprs("numerator", "denominator")
    frame = frame.with_columns((pl.col("numerator") / pl.col("denominator")).alias("rate"),
                               low.alias("rate_low"), high.alias("rate_high"))
    # The groups of a dimension add up to the measure's denominator, shown on the plan overview.
    frame = mt.rate_frame(frame, parts_of=["measure_id", "dimension"])
    return mt.with_direction(frame)


def _demographic_sections(con: duckdb.DuckDBPyConnection, year: int) -> list[Section]:
    if missing_tables(con, [mt.MEASURE_RESULT, ELIGIBILITY]):
        return [not_available("Rates by age band and sex", [mt.MEASURE_RESULT, ELIGIBILITY],
                              "rates by age band and sex")]
    frame = demographic_rates(con, year)
    if frame.is_empty():
        return [Section(title="Rates by age band and sex", unavailable="No plan-program denominators this year.")]
    sections = []
    for dimension, label in (("age band", "Rates by age band"), ("sex", "Rates by sex")):
        part = frame.filter(pl.col("dimension") == dimension)
        if not any_shown(part, "rate"):
            sections.append(all_suppressed(label, f"the rates by {dimension}"))
            continue
        sections.append(Section(
            title=label,
            note=mt.PLAN_PROGRAM_NOTE + (" Age on December 31 of the measurement year" if dimension == "age band"
                                         else " Sex as enrolled") + ", from the member's enrollment records; "
                 "whiskers: Wilson 95% interval. GSD is inverse: lower is better.",
            figure=figures.value_bars(part, category="grp", value="rate", color="measure_label", low="rate_low",
                                      high="rate_high", title=f"{label}, {year}", value_title="rate",
                                      hover={"rate": "rate_label", "numerator": "numerator_label",
                                             "denominator": "denominator_label", "direction": "direction"})
            .update_yaxes(tickformat=".0%"),
            table=table(part, [("measure", "measure_label", "label"), (dimension, "grp", "label"),
                               ("denominator", "denominator", "count"), ("numerator", "numerator", "count"),
                               ("rate", "rate", "value")])))
    return sections


def _product_line_section(con: duckdb.DuckDBPyConnection, year: int) -> Section:
    title = "Rates by product line"
    problem = mt.readiness(con, mt.PLAN_RATE)
    if problem:
        return Section(title=title, unavailable=problem)
    frame = plan_overview.rates(con, year)
    if not any_shown(frame, "rate"):
        return all_suppressed(title, "the product-line rates") if frame.height else \
            Section(title=title, unavailable="No plan rates for this measurement year.")
    return Section(
        title=title,
        note=mt.PLAN_PROGRAM_NOTE + " Product line on the measure's anchor date; 'all' = every line together.",
        figure=figures.value_bars(frame, category="product_line", value="rate", color="measure_label", low="rate_low",
                                  high="rate_high", title=f"Rates by product line, {year}", value_title="rate",
                                  hover={"rate": "rate_label", "numerator": "numerator_label",
                                         "denominator": "denominator_label", "direction": "direction"})
        .update_yaxes(tickformat=".0%"))


def build(con: duckdb.DuckDBPyConnection, year: int) -> Page:
    page = Page(slug=SLUG, title=TITLE, description=DESCRIPTION)
    page.sections += _waterfall_sections(con, year)
    page.sections.append(_product_line_section(con, year))
    page.sections += _demographic_sections(con, year)
    page.sections.append(mt.hybrid_lift_section(con, year))
    return page
