"""Member experience: CAHPS-style composites and ratings, adjusted vs unadjusted, plan and provider level
(scores.experience_score, docs/scores.md section 3)."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.dashboards import figures
from pipelines.dashboards.pages.common import all_suppressed, any_shown, missing_tables, no_rows, not_available, query, table
from pipelines.dashboards.privacy import suppress_derived
from pipelines.dashboards.shell import Page, Section

SLUG = "member-experience"
TITLE = "Member experience"
DESCRIPTION = "CAHPS-style composites and ratings: adjusted vs unadjusted, per plan, product line and provider."
SCORES = "scores.experience_score"
SCORING = "top_box"
WITHHELD_LABEL = "withheld (<30 respondents)"


def scores(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame:
    frame = query(con, f"""
        select survey_type, unit_type, unit_id, measure, respondents, unadjusted_mean, adjusted_mean,
               reliability, display_status, shown_score, coalesce(suppressed_reason, '') as suppressed_reason
        from {SCORES} where measurement_year = $year and scoring = $scoring
        order by survey_type, unit_type, unit_id, measure""", {"year": year, "scoring": SCORING})
    # The scores layer withholds a score below 30 respondents (too unreliable to compare); the page never
    # shows more than the layer shows, and its own small-cell rule covers the respondent counts.
    frame = frame.with_columns(
        pl.when(pl.col("display_status") == "shown").then(pl.col(c)).otherwise(None).alias(c)
        for c in ("unadjusted_mean", "adjusted_mean"))
    frame = frame.with_columns(pl.col("respondents").cast(pl.Int64))
    frame = suppress_derived(frame, {"unadjusted_mean": "number", "adjusted_mean": "number", "shown_score": "number",
                                     "reliability": "ratio"}, counts=["respondents"], denominator="respondents")
    withheld = (pl.col("display_status") == "too_few_respondents") & pl.col("respondents").is_not_null()
    return frame.with_columns(
        pl.when(withheld).then(pl.lit(WITHHELD_LABEL)).otherwise(pl.col(c + "_label")).alias(c + "_label")
        for c in ("unadjusted_mean", "adjusted_mean", "shown_score"))


def build(con: duckdb.DuckDBPyConnection, year: int) -> Page:
    page = Page(slug=SLUG, title=TITLE, description=DESCRIPTION)
    if missing_tables(con, [SCORES]):
        page.sections.append(not_available("Member experience", [SCORES], "member experience (the scores layer)"))
        return page
    frame = scores(con, year)
    if frame.is_empty():
        page.sections.append(no_rows("Member experience", "no survey responses dated in the year"))
        return page
    reason = (pl.when(pl.col("display_status") == "too_few_respondents").then(pl.lit("fewer than 30 respondents"))
              .when(pl.col("display_status") == "suppressed_privacy").then(pl.lit("suppressed (<11)"))
              .otherwise(pl.lit("shown")).alias("status"))
    frame = frame.with_columns(reason)
    columns = [("unit", "unit_id", "label"), ("measure", "measure", "label"), ("respondents", "respondents", "count"),
               ("unadjusted top-box %", "unadjusted_mean", "value"), ("adjusted top-box %", "adjusted_mean", "value"),
               ("reliability", "reliability", "value"), ("status", "status", "label")]

    plan = frame.filter(pl.col("survey_type") == "health_plan")
    if plan.is_empty() or not any_shown(plan, "adjusted_mean"):
        page.sections.append(all_suppressed("Health-plan survey", "the health-plan survey scores") if plan.height
                             else no_rows("Health-plan survey", "no health-plan survey responses"))
    else:
        whole = plan.filter(pl.col("unit_type") == "plan")
        long = pl.concat([
            whole.select("measure", pl.lit(kind).alias("scoring"), pl.col(col).alias("score"),
                         pl.col(col + "_label").alias("score_label"), "respondents_label")
            for kind, col in (("unadjusted", "unadjusted_mean"), ("case-mix adjusted", "adjusted_mean"))])
        page.sections.append(Section(
            title="Whole plan: composites and ratings",
            note="Percent of answers in the top box. The whole plan is a single unit, so its adjustment is zero "
                 "(docs/scores.md 3); product lines below are adjusted for age, education and self-rated health.",
            figure=figures.value_bars(long, category="measure", value="score", color="scoring",
                                      title="Top-box %, whole plan", value_title="top-box %",
                                      hover={"top-box %": "score_label", "respondents": "respondents_label"})))
        lines = plan.filter(pl.col("unit_type") == "product_line")
        if lines.height:
            page.sections.append(Section(
                title="By product line: adjusted vs unadjusted",
                figure=figures.value_bars(lines, category="measure", value="adjusted_mean", color="unit_id",
                                          title="Case-mix adjusted top-box % by product line", value_title="top-box %",
                                          hover={"adjusted": "adjusted_mean_label", "unadjusted": "unadjusted_mean_label",
                                                 "respondents": "respondents_label", "reliability": "reliability_label"}),
                table=table(plan, columns)))

    providers = frame.filter(pl.col("survey_type") == "clinician_group")
    if providers.is_empty():
        page.sections.append(no_rows("Clinician-group survey by provider", "no clinician-group survey responses"))
    elif not any_shown(providers, "adjusted_mean"):
        page.sections.append(all_suppressed("Clinician-group survey by provider",
                                            "the provider scores (or every provider has fewer than 30 respondents)"))
    else:
        shown = providers.filter(pl.col("adjusted_mean").is_not_null())
        page.sections.append(Section(
            title="Clinician-group survey by provider",
            note="Providers with at least 30 respondents to a measure are plotted; the table lists every provider, "
                 "with the reason a score is not shown.",
            figure=figures.value_scatter(shown, x="unadjusted_mean", y="adjusted_mean", color="measure",
                                         title="Adjusted vs unadjusted top-box % per provider",
                                         x_title="unadjusted top-box %", y_title="adjusted top-box %",
                                         hover={"provider": "unit_id", "adjusted": "adjusted_mean_label",
                                                "unadjusted": "unadjusted_mean_label",
                                                "respondents": "respondents_label", "reliability": "reliability_label"}),
            table=table(providers, columns)))
    return page
