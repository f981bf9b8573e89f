"""Utilization and cost: PMPM by service category month by month, admissions and ED visits per 1,000,
readmissions, and observed / expected per PCP (tables of docs/scores.md section 4)."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.dashboards import figures
from pipelines.dashboards.pages.common import all_suppressed, any_shown, missing_tables, no_rows, not_available, query, table
from pipelines.dashboards.privacy import suppress_derived
from pipelines.dashboards.shell import Page, Section

SLUG = "utilization"
TITLE = "Utilization and cost"
DESCRIPTION = "PMPM by service category over time, admissions and ED visits per 1,000, readmissions, observed / expected by PCP."
METRIC = "scores.utilization_metric"
MEMBER_MONTH = "scores.utilization_member_month"
CLAIM_LINES = "scores.claim_line_category"

# Event metrics: their numerator is a count of events and is suppressed like any count.
EVENT_METRICS = {"admissions_per_1000": "Admissions per 1,000 member-years",
                 "ed_visits_per_1000": "ED visits per 1,000 member-years",
                 "readmission_rate": "30-day readmission rate"}


def monthly_pmpm(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame:
    """Paid PMPM per month and service category for members enrolled that month: paid / member months,
    with the members who had a paid service in the cell (the count behind the figure)."""
    return query(con, f"""
        with enrolled_month as (
            select person_id, month_start, sum(member_months) as member_months
            from {MEMBER_MONTH} where measurement_year = $year group by all
        ),
        month_exposure as (
            select month_start, sum(member_months) as member_months, count(*) as members
            from enrolled_month group by all
        ),
        member_month_spend as (
            select c.person_id, date_trunc('month', c.service_date)::date as month_start, c.service_category,
                   sum(c.paid_amount) as paid
            from {CLAIM_LINES} c
            where c.service_date >= make_date($year, 1, 1) and c.service_date < make_date($year + 1, 1, 1)
            group by all
        )
        select strftime(e.month_start, '%Y-%m') as month, s.service_category,
               sum(s.paid) / any_value(e.member_months) as paid_pmpm,
               count(*) filter (where s.paid > 0) as members_with_paid,
               any_value(e.members) as members_enrolled
        from member_month_spend s
        join enrolled_month m using (person_id, month_start)
        join month_exposure e on e.month_start = s.month_start
        group by all order by month, s.service_category""", {"year": year})


def metrics(con: duckdb.DuckDBPyConnection, year: int, level: str, names: list[str]) -> pl.DataFrame:
    return query(con, f"""
        select unit_id, metric, service_category, members, numerator, denominator, observed,
               expected, observed_to_expected
        from {METRIC}
        where measurement_year = $year and level = $level and list_contains($names, metric)
        order by unit_id, metric, service_category""", {"year": year, "level": level, "names": names})


def _suppress_metric_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Event metrics: the event numerator and the members (or index stays) are counts; money metrics: members."""
    if frame.is_empty():
        return frame
    event = frame.filter(pl.col("metric").is_in(list(EVENT_METRICS)))
    money = frame.filter(~pl.col("metric").is_in(list(EVENT_METRICS)))
    parts = []
    if event.height:
        event = event.with_columns(
            pl.col("numerator").round(0).cast(pl.Int64).alias("events"),
            pl.when(pl.col("metric") == "readmission_rate").then(pl.col("denominator").round(0))
            .otherwise(pl.col("members")).cast(pl.Int64).alias("base"))
        parts.append(suppress_derived(event, {"observed": "number", "expected": "number", "observed_to_expected": "ratio"},
                                      counts=["events", "base"], denominator="base"))
    if money.height:
        money = money.with_columns(pl.lit(None, pl.Int64).alias("events"), pl.col("members").cast(pl.Int64).alias("base"))
        parts.append(suppress_derived(money, {"observed": "money", "expected": "money", "observed_to_expected": "ratio"},
                                      counts=["base"], denominator="base")
                     .with_columns(pl.lit("n/a").alias("events_label")))
    out = pl.concat(parts, how="diagonal_relaxed") if parts else frame
    # Readmission rates are proportions; show them as percentages.
    return out.with_columns(
        pl.when(pl.col("metric") == "readmission_rate")
        .then(pl.format("{}%", (pl.col("observed") * 100).round(1)))
        .otherwise(pl.col("observed_label")).fill_null(pl.col("observed_label")).alias("observed_label"))


def build(con: duckdb.DuckDBPyConnection, year: int) -> Page:
    page = Page(slug=SLUG, title=TITLE, description=DESCRIPTION)
    if missing_tables(con, [METRIC, MEMBER_MONTH]):
        page.sections.append(not_available("Utilization and cost", [METRIC, MEMBER_MONTH],
                                           "utilization and cost (the scores layer)"))
        return page

    if not missing_tables(con, [CLAIM_LINES]):
        monthly = monthly_pmpm(con, year)
        if monthly.is_empty():
            page.sections.append(no_rows("Medical paid PMPM by service category, month by month", "no paid claims in enrolled months"))
        else:
            monthly = suppress_derived(monthly, {"paid_pmpm": "money"}, counts=["members_with_paid", "members_enrolled"],
                                       denominator="members_enrolled")
            if any_shown(monthly, "paid_pmpm"):
                page.sections.append(Section(
                    title="Medical paid PMPM by service category, month by month",
                    note="Paid amount of the month's medical claim lines (net of reversals; pharmacy is in the yearly figures below) of members enrolled that month, per "
                         "member month. A cell is suppressed when fewer than 11 members had a paid service in it.",
                    figure=figures.value_bars(monthly, category="month", value="paid_pmpm", color="service_category",
                                              title=f"Paid PMPM by month, {year}", value_title="paid PMPM ($)",
                                              hover={"paid PMPM": "paid_pmpm_label",
                                                     "members with a paid service": "members_with_paid_label",
                                                     "members enrolled": "members_enrolled_label"})
                    .update_layout(barmode="stack")))
            else:
                page.sections.append(all_suppressed("Medical paid PMPM by service category, month by month", "monthly PMPM"))

    lines = _suppress_metric_rows(metrics(con, year, "product_line", list(EVENT_METRICS) + ["paid_pmpm"]))
    plan = _suppress_metric_rows(metrics(con, year, "plan", list(EVENT_METRICS) + ["paid_pmpm"]))
    if lines.is_empty():
        page.sections.append(no_rows("Utilization by product line", "no member months in the year"))
        return page
    both = pl.concat([plan.with_columns(pl.lit("whole plan").alias("unit_id")), lines], how="diagonal_relaxed")
    for metric, label in EVENT_METRICS.items():
        part = both.filter(pl.col("metric") == metric)
        if not any_shown(part, "observed"):
            page.sections.append(all_suppressed(label, f"the {label.lower()} by product line"))
            continue
        page.sections.append(Section(
            title=f"{label} by product line",
            note="Events belong to the product line of the month they fall in (docs/scores.md 4.1).",
            figure=figures.value_bars(part, category="unit_id", value="observed", title=label, value_title=label,
                                      hover={label: "observed_label", "events": "events_label",
                                             "index stays" if metric == "readmission_rate" else "members": "base_label"})))
    pmpm = both.filter((pl.col("metric") == "paid_pmpm") & (pl.col("service_category") != "all"))
    page.sections.append(Section(
        title="Paid PMPM by service category and product line",
        figure=figures.value_bars(pmpm, category="unit_id", value="observed", color="service_category",
                                  title=f"Paid PMPM, {year}", value_title="paid PMPM ($)",
                                  hover={"paid PMPM": "observed_label", "members": "base_label"}).update_layout(barmode="stack"),
        table=table(both.filter(pl.col("service_category").is_in(["all", "inpatient", "ed"]) | (pl.col("metric") != "paid_pmpm")),
                    [("unit", "unit_id", "label"), ("metric", "metric", "label"), ("category", "service_category", "label"),
                     ("observed", "observed", "value"), ("events", "events", "count"), ("members / index stays", "base", "count")])))

    pcp_metrics = list(EVENT_METRICS) + ["paid_pmpm"]
    pcps = _suppress_metric_rows(metrics(con, year, "pcp", pcp_metrics)).filter(pl.col("service_category").is_in(["all", "inpatient", "ed"]))
    pcps = pcps.filter((pl.col("metric") != "paid_pmpm") | (pl.col("service_category") == "all"))
    if pcps.is_empty():
        page.sections.append(no_rows("Observed / expected by PCP", "no attributed members"))
    elif not any_shown(pcps, "observed_to_expected"):
        page.sections.append(all_suppressed("Observed / expected by PCP", "the PCP panels"))
    else:
        page.sections.append(Section(
            title="Observed / expected by PCP",
            note="Expected = what the whole plan would produce with this PCP's mix of age band, sex and product line "
                 "(docs/scores.md 4.6). 1 = as expected; above 1 = more events or cost than expected.",
            figure=figures.value_bars(pcps, category="unit_id", value="observed_to_expected", color="metric",
                                      horizontal=True, title="Observed / expected per attributed PCP (NPI)",
                                      value_title="observed / expected", reference=1.0, reference_label="expected",
                                      hover={"O/E": "observed_to_expected_label", "observed": "observed_label",
                                             "expected": "expected_label", "events": "events_label",
                                             "members / index stays": "base_label"}),
            table=table(pcps.sort(["metric", "unit_id"]), [
                ("PCP NPI", "unit_id", "label"), ("metric", "metric", "label"), ("observed", "observed", "value"),
                ("expected", "expected", "value"), ("O/E", "observed_to_expected", "value"),
                ("events", "events", "count"), ("members / index stays", "base", "count")])))
    return page
