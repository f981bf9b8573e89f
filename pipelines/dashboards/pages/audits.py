"""Medical-record audits: compliance by element and provider, reviewer agreement (kappa), and the hybrid
lift when the administrative vs hybrid rates exist (scores.chart_audit_*, docs/scores.md section 2)."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.dashboards import figures
from pipelines.dashboards.pages import measure_tables
from pipelines.dashboards.pages.common import all_suppressed, any_shown, missing_tables, no_rows, not_available, query, table
from pipelines.dashboards.privacy import suppress_counts, suppress_derived
from pipelines.dashboards.shell import Page, Section

SLUG = "audits"
TITLE = "Medical-record audits"
DESCRIPTION = "Documentation compliance by element and provider, reviewer agreement (Cohen's kappa), hybrid lift."
ELEMENT = "scores.chart_audit_element_compliance"
PROVIDER = "scores.chart_audit_provider_compliance"
AGREEMENT = "scores.chart_audit_element_agreement"
REVIEWER = "scores.chart_audit_reviewer_agreement"


def _compliance(con, year: int, source: str, unit: str, extra: str = "") -> pl.DataFrame:
    frame = query(con, f"""select {unit} as unit, charts, passes, applicable, compliance {extra}
                           from {source} where measurement_year = $year order by unit""", {"year": year})
    frame = frame.with_columns(pl.col("charts", "passes", "applicable").cast(pl.Int64))
    # Compliance is passes / applicable answers: those are its counts. The number of charts is a count of its own.
    frame = suppress_derived(frame, {"compliance": "percent"}, counts=["passes", "applicable"], denominator="applicable")
    return suppress_counts(frame, ["charts"])


def _agreement(con, year: int, source: str, unit: str, extra: str = "") -> pl.DataFrame:
    frame = query(con, f"""select {unit} as unit, pairs_compared, agreements, percent_agreement {extra}
                           from {source} where measurement_year = $year order by unit""", {"year": year})
    frame = frame.with_columns(pl.col("pairs_compared", "agreements").cast(pl.Int64))
    values = {"percent_agreement": "percent"}
    if "kappa" in frame.columns:
        values["kappa"] = "ratio"
    return suppress_derived(frame, values, counts=["agreements", "pairs_compared"], denominator="pairs_compared")


def build(con: duckdb.DuckDBPyConnection, year: int) -> Page:
    page = Page(slug=SLUG, title=TITLE, description=DESCRIPTION)
    if missing_tables(con, [ELEMENT, PROVIDER, AGREEMENT, REVIEWER]):
        page.sections.append(not_available("Medical-record audits", [ELEMENT, PROVIDER, AGREEMENT, REVIEWER],
                                           "chart-audit compliance and agreement (the scores layer)"))
    else:
        elements = _compliance(con, year, ELEMENT, "element")
        if elements.is_empty():
            page.sections.append(no_rows("Compliance by element", "no chart audits dated in the year"))
        elif not any_shown(elements, "compliance"):
            page.sections.append(all_suppressed("Compliance by element", "the element compliance"))
        else:
            page.sections.append(Section(
                title="Compliance by element",
                note="Round-1 reviews: passes / applicable (not-applicable answers left out).",
                figure=figures.value_bars(elements, category="unit", value="compliance", title="Compliance by element",
                                          value_title="compliance", hover={"compliance": "compliance_label",
                                                                           "passes": "passes_label",
                                                                           "applicable": "applicable_label"})
                .update_yaxes(tickformat=".0%"),
                table=table(elements, [("element", "unit", "label"), ("charts", "charts", "count"),
                                       ("passes", "passes", "count"), ("applicable", "applicable", "count"),
                                       ("compliance", "compliance", "value")])))
        providers = _compliance(con, year, PROVIDER, "provider_npi", ", scored, audit_score")
        providers = providers.with_columns(
            pl.when(pl.col("scored")).then(pl.lit("scored")).otherwise(pl.lit("fewer than 10 charts: not scored")).alias("status"))
        if providers.height:
            page.sections.append(Section(
                title="Compliance by provider",
                note="A provider's audit score needs 10 charts; below that the provider is listed but not scored.",
                figure=(figures.value_bars(providers, category="unit", value="compliance", color="status", horizontal=True,
                                           title="Compliance by provider (NPI)", value_title="compliance",
                                           hover={"compliance": "compliance_label", "charts": "charts_label",
                                                  "applicable": "applicable_label"}).update_xaxes(tickformat=".0%")
                        if any_shown(providers, "compliance") else None),
                unavailable=None if any_shown(providers, "compliance") else
                "Every provider has fewer than 11 applicable answers or passes: all suppressed (<11).",
                table=table(providers, [("provider NPI", "unit", "label"), ("charts", "charts", "count"),
                                        ("passes", "passes", "count"), ("applicable", "applicable", "count"),
                                        ("compliance", "compliance", "value"), ("status", "status", "label")])))
        agreement = _agreement(con, year, AGREEMENT, "element", ", kappa")
        reviewers = _agreement(con, year, REVIEWER, "reviewer_id", ", below_threshold")
        reviewers = reviewers.with_columns(
            pl.when(pl.col("percent_agreement").is_null()).then(pl.lit("suppressed (<11)"))
            .when(pl.col("below_threshold")).then(pl.lit("below 95%")).otherwise(pl.lit("at or above 95%")).alias("flag"))
        if agreement.is_empty():
            page.sections.append(no_rows("Reviewer agreement", "no round-2 re-reviews"))
        else:
            page.sections.append(Section(
                title="Reviewer agreement (round 1 vs round-2 re-review)",
                note="Cohen's kappa corrects percent agreement for chance. Elements or reviewers with fewer than 11 "
                     "re-reviewed pairs are suppressed.",
                figure=(figures.value_bars(agreement, category="unit", value="kappa", title="Cohen's kappa by element",
                                           value_title="kappa", hover={"kappa": "kappa_label",
                                                                       "percent agreement": "percent_agreement_label",
                                                                       "pairs": "pairs_compared_label"})
                        if any_shown(agreement, "kappa") else None),
                unavailable=None if any_shown(agreement, "kappa") else
                "Every element has fewer than 11 re-reviewed pairs (or agreements): kappa is suppressed (<11) throughout.",
                table=table(agreement, [("element", "unit", "label"), ("pairs", "pairs_compared", "count"),
                                        ("agreements", "agreements", "count"),
                                        ("percent agreement", "percent_agreement", "value"), ("kappa", "kappa", "value")])))
            page.sections.append(Section(
                title="Agreement by reviewer",
                table=table(reviewers, [("reviewer", "unit", "label"), ("pairs", "pairs_compared", "count"),
                                        ("agreements", "agreements", "count"),
                                        ("percent agreement", "percent_agreement", "value"), ("flag", "flag", "label")])))
    page.sections.append(measure_tables.hybrid_lift_section(con, year))
    return page
