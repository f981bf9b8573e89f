"""Care gaps: open gaps of the plan program by measure and product line, by the month they must close by and by
PCP (counts only: measures.care_gap is member-level PHI and only counts leave it)."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.dashboards import figures
from pipelines.dashboards.pages import measure_tables as mt
from pipelines.dashboards.pages.common import all_suppressed, any_shown, query, table
from pipelines.dashboards.privacy import SUPPRESSED_LABEL, complementary_suppression, suppress_counts
from pipelines.dashboards.shell import Column, Page, Section, Table

SLUG = "care-gaps"
TITLE = "Care gaps"
DESCRIPTION = "Open care gaps by measure, product line, PCP and the month they must close by (counts only, no members)."
TOP_PCPS = 30
NO_PCP = "no PCP"


def counts(con: duckdb.DuckDBPyConnection, year: int, dimension: str) -> pl.DataFrame:
    """Open gaps per measure and `dimension` (a column expression of measures.care_gap), suppressed: the cells of a
    measure add up to its total (shown on this page), so a lone suppressed cell takes the next smallest with it."""
    frame = query(con, f"""select measure_id, {dimension} as grp, count(*)::bigint as gaps
                           from {mt.CARE_GAP} where measurement_year = $year
                           group by all order by measure_id, grp""", {"year": year})
    return complementary_suppression(suppress_counts(frame, ["gaps"]), "gaps", ["measure_id"])


def _pcp_table(by_pcp: pl.DataFrame, measures: list[str]) -> Table:
    """One row per PCP, one column per measure (suppressed cells say so; no gap is 0)."""
    labels = {(pcp, m): label for pcp, m, label in by_pcp.select("grp", "measure_id", "gaps_label").iter_rows()}
    pcps = by_pcp.unique("grp", maintain_order=True)["grp"].to_list()
    rows = [[pcp, *[labels.get((pcp, m), "0") for m in measures]] for pcp in pcps]
    return Table(columns=[Column("PCP NPI"), *[Column(m, "count") for m in measures]], rows=rows)


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
    if not any_shown(by_measure, "gaps"):
        page.sections.append(all_suppressed("Open care gaps", "the gap counts"))
        return page
    by_line = counts(con, year, "product_line")
    page.sections.append(Section(
        title="Open gaps by measure and product line",
        note=mt.PLAN_PROGRAM_NOTE + " A gap is a member in the denominator, not excluded and not in the numerator "
             "(GSD, inverse: in the numerator, i.e. HbA1c above 9% or no test). Counts of members only.",
        figure=figures.count_bars(by_line, category="measure_id", count="gaps", color="grp", barmode="stack",
                                  title=f"Open gaps by measure and product line, {year}", count_title="open gaps"),
        table=table(by_measure.join(by_line.with_columns(pl.col("grp") + "_label")
                                    .pivot(on="grp", index="measure_id", values="gaps_label"),
                                    on="measure_id", how="left").fill_null("0"),
                    [("measure", "measure_id", "label"), ("open gaps", "gaps", "count"),
                     *[(line, line, "count") for line in sorted(set(by_line["grp"].to_list()))]])))

    by_month = counts(con, year, "strftime(close_by, '%Y-%m')")
    page.sections.append(Section(
        title="Open gaps by the month they must close by",
        note="The last day a gap can be closed within the measurement year (CIS: the second birthday).",
        figure=figures.count_bars(by_month, category="grp", count="gaps", color="measure_id", barmode="stack",
                                  title="Open gaps by close-by month", count_title="open gaps")))

    by_pcp = counts(con, year, f"coalesce(pcp_npi, '{NO_PCP}')")
    by_source = counts(con, year, "pcp_source")
    totals = by_pcp.group_by("grp").agg(pl.col("gaps").fill_null(0).sum().alias("_total")).sort("_total", descending=True)
    top = totals.head(TOP_PCPS)["grp"].to_list()
    measures = by_measure["measure_id"].to_list()
    page.sections.append(Section(
        title="Open gaps by PCP",
        note=f"PCP of the member with the gap: attributed by visits, else assigned on enrollment, else {NO_PCP!r}. "
             f"The figure shows the {min(TOP_PCPS, totals.height)} PCPs with the most open gaps; the table lists every "
             f"PCP. Cells under 11 are {SUPPRESSED_LABEL}, and one more cell per measure when a single suppressed cell "
             "could be worked out from the measure's total.",
        figure=figures.count_bars(by_pcp.filter(pl.col("grp").is_in(top)), category="grp", count="gaps",
                                  color="measure_id", horizontal=True, barmode="stack",
                                  title=f"Open gaps by PCP (NPI), top {len(top)}", count_title="open gaps")
        .update_yaxes(categoryorder="array", categoryarray=list(reversed(top))),
        table=_pcp_table(by_pcp.join(totals, on="grp").sort("_total", "grp", descending=[True, False]), measures)))
    page.sections.append(Section(
        title="How each gap's PCP was found",
        figure=figures.count_bars(by_source, category="grp", count="gaps", color="measure_id", barmode="stack",
                                  title="Open gaps by PCP source", count_title="open gaps"),
        table=table(by_source, [("measure", "measure_id", "label"), ("PCP source", "grp", "label"),
                                ("open gaps", "gaps", "count")])))
    return page
