"""Care gaps: open gaps by measure, by PCP and by the month they must close by (counts only)."""

from __future__ import annotations

import duckdb

from pipelines.dashboards import figures
from pipelines.dashboards.pages import measure_tables as mt
from pipelines.dashboards.pages.common import all_suppressed, any_shown, query, table
from pipelines.dashboards.privacy import complementary_suppression, suppress_counts
from pipelines.dashboards.shell import Page, Section

SLUG = "care-gaps"
TITLE = "Care gaps"
DESCRIPTION = "Open care gaps by measure, by PCP and by the month they must close by (counts only, no members)."


def build(con: duckdb.DuckDBPyConnection, year: int) -> Page:
    page = Page(slug=SLUG, title=TITLE, description=DESCRIPTION)
    problem = mt.readiness(con, mt.CARE_GAP)
    if problem:
        page.sections.append(Section(title="Open care gaps", unavailable=problem))
        return page
    by_measure = suppress_counts(query(con, f"""
        select measure_id, count(*)::bigint as gaps from {mt.CARE_GAP} where measurement_year = $year
        group by all order by measure_id""", {"year": year}), ["gaps"])
    if by_measure.is_empty():
        page.sections.append(Section(title="Open care gaps", unavailable="No open care gaps this measurement year."))
        return page
    by_measure = complementary_suppression(by_measure, "gaps")
    if not any_shown(by_measure, "gaps"):
        page.sections.append(all_suppressed("Open care gaps", "the gap counts"))
        return page
    page.sections.append(Section(
        title="Open gaps by measure",
        figure=figures.count_bars(by_measure, category="measure_id", count="gaps", title="Open gaps by measure",
                                  count_title="open gaps"),
        table=table(by_measure, [("measure", "measure_id", "label"), ("open gaps", "gaps", "count")])))

    by_month = suppress_counts(query(con, f"""
        select measure_id, strftime(close_by, '%Y-%m') as close_by_month, count(*)::bigint as gaps
        from {mt.CARE_GAP} where measurement_year = $year group by all order by close_by_month, measure_id""",
        {"year": year}), ["gaps"])
    by_month = complementary_suppression(by_month, "gaps", ["measure_id"])
    page.sections.append(Section(
        title="Open gaps by the month they must close by",
        figure=figures.count_bars(by_month, category="close_by_month", count="gaps", color="measure_id", barmode="stack",
                                  title="Open gaps by close-by month", count_title="open gaps")))

    by_pcp = suppress_counts(query(con, f"""
        select coalesce(pcp_npi, 'unattributed') as pcp, measure_id, count(*)::bigint as gaps
        from {mt.CARE_GAP} where measurement_year = $year group by all order by pcp, measure_id""",
        {"year": year}), ["gaps"])
    by_pcp = complementary_suppression(by_pcp, "gaps", ["measure_id"])
    page.sections.append(Section(
        title="Open gaps by PCP",
        note="Attributed (or assigned) PCP of the member with the gap; cells under 11 are suppressed, and one more "
             "cell per measure when a single suppressed cell could be worked out from the measure's total.",
        figure=figures.count_bars(by_pcp, category="pcp", count="gaps", color="measure_id", horizontal=True, barmode="stack",
                                  title="Open gaps by PCP (NPI)", count_title="open gaps"),
        table=table(by_pcp, [("PCP NPI", "pcp", "label"), ("measure", "measure_id", "label"), ("open gaps", "gaps", "count")])))
    return page
