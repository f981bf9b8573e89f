"""Small helpers every layer's assets share: the years a partition run covers, Markdown tables, and the
year-by-year consistency check."""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg
import duckdb


def measurement_years(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> list[int]:
    """The measurement years of the run's partition window (one year, or a backfilled range)."""
    window = context.partition_time_window
    return list(range(window.start.year, window.end.year))


def markdown_table(rows: list[dict], empty: str = "(no rows)") -> str:
    """Rows of aggregates (never member ids) as a Markdown table for asset metadata."""
    if not rows:
        return empty
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if r[h] is None else str(r[h]) for h in header) + " |" for r in rows]
    return "\n".join(lines)


def yearly_problems_check(context: dg.AssetCheckExecutionContext, con: duckdb.DuckDBPyConnection,
                          problems: Callable[[duckdb.DuckDBPyConnection, int], dict[str, int]]) -> dg.AssetCheckResult:
    """An ERROR check over the run's measurement years: `problems(con, year)` counts rows breaking each rule;
    the check fails when any count is above zero, and its metadata names the rules broken (counts only)."""
    found: dict[str, int] = {}
    for year in measurement_years(context):
        for rule, n in problems(con, year).items():
            found[rule] = found.get(rule, 0) + n
    broken = {rule: n for rule, n in found.items() if n}
    return dg.AssetCheckResult(passed=not broken, severity=dg.AssetCheckSeverity.ERROR,
                               metadata={"rules_checked": len(found), "broken": dg.MetadataValue.json(broken)})
