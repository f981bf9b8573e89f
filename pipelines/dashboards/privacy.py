"""Small-cell suppression: the one place every dashboard page goes through before plotting.

Rules (docs/dashboards.md, "Privacy"):
- a count from 1 to 10 is suppressed; zero is shown (it identifies nobody, as in the CMS cell-size
  policy of suppressing 1-10);
- a derived value (rate, PMPM, per-1,000, observed/expected, mean score) is suppressed when any count
  behind it is suppressed, or when its denominator count is under 11 (zero included: a rate over
  nobody is not a rate);
- complementary suppression: in a group of cells shown next to their total (or whose total can be read
  elsewhere on the page), a single suppressed cell could be derived by subtraction, so the next
  smallest cell of the group is suppressed too.

Suppression happens on the data frame: the suppressed value becomes null and its label column says
"suppressed (<11)", so the number itself never reaches the figure JSON, the hover text or a table.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

MINIMUM_CELL = 11
SUPPRESSED_LABEL = f"suppressed (<{MINIMUM_CELL})"
LABEL_SUFFIX = "_label"


def is_small(value: float | int | None) -> bool:
    """A count that must not be shown (1-10)."""
    return value is not None and 0 < value < MINIMUM_CELL


def small_count_expr(column: str) -> pl.Expr:
    return (pl.col(column) > 0) & (pl.col(column) < MINIMUM_CELL)


def format_count(value: float | int | None) -> str:
    if value is None:
        return SUPPRESSED_LABEL
    return f"{int(round(value)):,}"


def format_value(value: float | None, kind: str) -> str:
    """Label of a derived value: kind is percent (0-1 stored), money, ratio or number."""
    if value is None:
        return SUPPRESSED_LABEL
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind == "money":
        return f"${value:,.2f}"
    if kind == "ratio":
        return f"{value:.2f}"
    return f"{value:,.1f}"


def _label(frame: pl.DataFrame, column: str, kind: str) -> pl.DataFrame:
    values = frame[column].to_list()
    labels = [format_count(v) if kind == "count" else format_value(v, kind) for v in values]
    return frame.with_columns(pl.Series(column + LABEL_SUFFIX, labels, dtype=pl.String))


def suppress_counts(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """Null every count of `columns` from 1 to 10 and add `<column>_label` columns."""
    out = frame.with_columns([
        pl.when(small_count_expr(c)).then(None).otherwise(pl.col(c)).alias(c) for c in columns
    ])
    for column in columns:
        out = _label(out, column, "count")
    return out


def suppress_derived(frame: pl.DataFrame, values: dict[str, str], *, counts: Sequence[str],
                     denominator: str | None = None) -> pl.DataFrame:
    """Suppress derived `values` ({column: kind}) and the `counts` behind them.

    A value is nulled when any of `counts` is 1-10 (or already null) or the `denominator` count is under 11.
    The counts themselves are then suppressed as counts. Label columns are added for all of them.
    """
    hidden = pl.lit(False)
    for column in counts:
        hidden = hidden | pl.col(column).is_null() | small_count_expr(column)
    if denominator is not None:
        hidden = hidden | pl.col(denominator).is_null() | (pl.col(denominator) < MINIMUM_CELL)
    out = frame.with_columns([
        pl.when(hidden).then(None).otherwise(pl.col(v)).alias(v) for v in values
    ])
    out = suppress_counts(out, counts)
    for column, kind in values.items():
        out = _label(out, column, kind)
    return out


def complementary_suppression(frame: pl.DataFrame, count: str, group_by: Sequence[str] = ()) -> pl.DataFrame:
    """Within each group, when exactly one cell of `count` is suppressed (null) and the group total is
    known, null the smallest other non-zero cell too, so the suppressed one cannot be derived.

    Call after `suppress_counts`; the label column is refreshed.
    """
    if frame.is_empty():
        return frame
    keyed = frame.with_row_index("_row")
    groups = keyed.partition_by(list(group_by), maintain_order=True) if group_by else [keyed]
    extra: list[int] = []
    for group in groups:
        if group[count].null_count() != 1:
            continue
        candidates = group.filter(pl.col(count).is_not_null() & (pl.col(count) > 0)).sort(count)
        if candidates.height:
            extra.append(int(candidates["_row"][0]))
    if not extra:
        return frame
    out = keyed.with_columns(
        pl.when(pl.col("_row").is_in(extra)).then(None).otherwise(pl.col(count)).alias(count)
    ).drop("_row")
    return _label(out, count, "count")
