"""Small helpers every layer's assets share: the years a partition run covers, Markdown tables."""

from __future__ import annotations

import dagster as dg


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
