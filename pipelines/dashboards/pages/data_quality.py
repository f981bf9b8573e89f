"""Data quality: per source the rows read, rejected, quarantined and loaded; each expectation's result;
the quarantine reasons; the freshness of each input. Not tied to a measurement year."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.contract import SOURCES
from pipelines.dashboards import figures
from pipelines.dashboards.pages.common import all_suppressed, any_shown, missing_tables, not_available, query, table
from pipelines.dashboards.privacy import complementary_suppression, suppress_counts
from pipelines.dashboards.shell import Page, Section
from pipelines.duck import row_count, table_exists

SLUG = "data-quality"
TITLE = "Data quality"
DESCRIPTION = "Rows read, rejected, quarantined and loaded per source; expectation results; quarantine reasons; freshness."
INVENTORY, REJECTED, QUARANTINE, VALIDATION = (
    "raw.landing_inventory", "raw.rejected_rows", "staging.quarantine", "staging.validation_result")


def row_flow(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Per source: rows read from the landing files, rejected (no partition), quarantined (distinct rows) and
    loaded into staging. Counts are file rows, suppressed like any other count."""
    read = query(con, f"select source, sum(rows)::bigint as rows_read from {INVENTORY} group by source")
    rejected = (query(con, f"select source, count(*)::bigint as rows_rejected from {REJECTED} group by source")
                if table_exists(con, REJECTED) else pl.DataFrame(schema={"source": pl.String, "rows_rejected": pl.Int64}))
    quarantined = (query(con, f"select source, count(distinct (source_file, source_row))::bigint as rows_quarantined "
                              f"from {QUARANTINE} group by source")
                   if table_exists(con, QUARANTINE) else pl.DataFrame(schema={"source": pl.String, "rows_quarantined": pl.Int64}))
    loaded = pl.DataFrame({"source": list(SOURCES),
                           "rows_loaded": [row_count(con, f"staging.{name}") for name in SOURCES]})
    frame = (pl.DataFrame({"source": list(SOURCES)})
             .join(read, on="source", how="left").join(rejected, on="source", how="left")
             .join(quarantined, on="source", how="left").join(loaded, on="source", how="left")
             .with_columns(pl.col("rows_read", "rows_rejected", "rows_quarantined", "rows_loaded").fill_null(0)))
    counts = ["rows_read", "rows_rejected", "rows_quarantined", "rows_loaded"]
    suppressed = suppress_counts(frame, counts)
    # read = rejected + quarantined + loaded: with one small cell suppressed the loaded count would give it
    # away, so a source with a suppressed rejected or quarantined count also has its loaded count suppressed.
    hide_loaded = pl.col("rows_rejected").is_null() | pl.col("rows_quarantined").is_null()
    suppressed = suppressed.with_columns(
        pl.when(hide_loaded).then(None).otherwise(pl.col("rows_loaded")).alias("rows_loaded"))
    return suppress_counts(suppressed.drop([c + "_label" for c in counts]), counts)


def expectation_results(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    frame = query(con, f"""
        select source, expectation, column_name, rule,
               count(*) as partitions, count(*) filter (where not success) as partitions_failed,
               sum(element_count)::bigint as rows_checked, sum(unexpected_count)::bigint as rows_unexpected,
               sum(quarantined_count)::bigint as rows_quarantined, bool_and(agrees) as gx_agrees_with_quarantine
        from {VALIDATION} group by all order by source, column_name, rule""")
    frame = frame.with_columns(
        pl.when(pl.col("partitions_failed") > 0).then(pl.lit("failed")).otherwise(pl.lit("passed")).alias("result"),
        pl.col("gx_agrees_with_quarantine").cast(pl.String),
        pl.col("partitions").cast(pl.String), pl.col("partitions_failed").cast(pl.String))
    return suppress_counts(frame, ["rows_checked", "rows_unexpected", "rows_quarantined"])


def quarantine_reasons(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    frame = query(con, f"""
        select source, rule, reason, count(distinct (source_file, source_row))::bigint as rows
        from {QUARANTINE} group by all order by source, rows desc""")
    return suppress_counts(frame, ["rows"])


def freshness(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    frame = query(con, f"""
        select source, count(distinct source_file)::varchar as files,
               strftime(max(file_modified), '%Y-%m-%d %H:%M') as newest_file_modified,
               strftime(max(inventoried_at), '%Y-%m-%d %H:%M') as last_inventoried,
               coalesce(strftime(max(service_month), '%Y-%m'), 'not partitioned') as latest_service_month,
               (date_diff('day', max(file_modified), max(inventoried_at)))::varchar as file_age_days_at_inventory
        from {INVENTORY} group by source order by source""")
    return frame


def build(con: duckdb.DuckDBPyConnection, year: int | None = None) -> Page:
    page = Page(slug=SLUG, title=TITLE, description=DESCRIPTION)
    if missing_tables(con, [INVENTORY]):
        page.sections.append(not_available("Rows per source", [INVENTORY], "what landed"))
        return page

    flow = row_flow(con)
    long = pl.concat([
        flow.select(pl.col("source"), pl.lit(stage).alias("stage"), pl.col(col).alias("rows"),
                    pl.col(col + "_label").alias("rows_label"))
        for stage, col in (("read", "rows_read"), ("rejected", "rows_rejected"),
                           ("quarantined", "rows_quarantined"), ("loaded", "rows_loaded"))])
    page.sections.append(Section(
        title="Rows per source",
        note="Rows read from the landing files = rejected (no usable service month) + quarantined (broke a row rule) "
             "+ loaded into staging. Log scale.",
        figure=figures.count_bars(long, category="source", count="rows", color="stage", title="Rows by stage",
                                  count_title="rows").update_yaxes(type="log"),
        table=table(flow, [("source", "source", "label"), ("read", "rows_read", "count"),
                           ("rejected", "rows_rejected", "count"), ("quarantined", "rows_quarantined", "count"),
                           ("loaded", "rows_loaded", "count")]),
    ))

    if missing_tables(con, [VALIDATION]):
        page.sections.append(not_available("Expectation results", [VALIDATION], "the Great Expectations results"))
    else:
        results = expectation_results(con)
        failed = results.filter(pl.col("result") == "failed")
        page.sections.append(Section(
            title="Expectation results",
            note=f"{results.height} expectations over all validated partitions; {failed.height} failed in at least "
                 "one partition. A failed expectation's rows are quarantined, not loaded.",
            table=table(results.sort(["result", "source"]), [
                ("source", "source", "label"), ("column", "column_name", "label"), ("rule", "rule", "label"),
                ("expectation", "expectation", "label"), ("result", "result", "label"),
                ("partitions", "partitions", "label"), ("failed partitions", "partitions_failed", "label"),
                ("rows checked", "rows_checked", "count"), ("unexpected rows", "rows_unexpected", "count"),
                ("quarantined rows", "rows_quarantined", "count"),
                ("GX agrees with quarantine", "gx_agrees_with_quarantine", "label")]),
        ))

    if missing_tables(con, [QUARANTINE]):
        page.sections.append(not_available("Quarantine reasons", [QUARANTINE], "the quarantine"))
    else:
        reasons = quarantine_reasons(con)
        by_rule = suppress_counts(query(con, f"""
            select source, rule, count(distinct (source_file, source_row))::bigint as rows
            from {QUARANTINE} group by all order by source, rule"""), ["rows"])
        by_rule = complementary_suppression(by_rule, "rows", ["source"])
        if reasons.is_empty():
            page.sections.append(Section(title="Quarantine reasons", note="No row was quarantined."))
        elif not any_shown(by_rule, "rows"):
            page.sections.append(all_suppressed("Quarantine reasons", "the quarantine counts by rule"))
        else:
            page.sections.append(Section(
                title="Quarantine reasons",
                note="Distinct rows quarantined per source and rule (a row breaking two rules counts under each).",
                figure=figures.count_bars(by_rule, category="source", count="rows", color="rule", horizontal=True,
                                          title="Quarantined rows by source and rule", count_title="rows",
                                          barmode="stack"),
                table=table(reasons, [("source", "source", "label"), ("rule", "rule", "label"),
                                      ("reason", "reason", "label"), ("rows", "rows", "count")]),
            ))

    fresh = freshness(con)
    page.sections.append(Section(
        title="Freshness of each input",
        note="When each source's newest landing file was modified and when the pipeline last inventoried it.",
        table=table(fresh, [("source", "source", "label"), ("files", "files", "label"),
                            ("newest file modified (UTC)", "newest_file_modified", "label"),
                            ("last inventoried (UTC)", "last_inventoried", "label"),
                            ("latest service month", "latest_service_month", "label"),
                            ("file age at inventory (days)", "file_age_days_at_inventory", "label")]),
    ))
    return page
