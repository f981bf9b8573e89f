"""Counts of impossible values in score tables, for the asset checks of every score family.

Asset checks must fail on values that cannot happen (a rate outside 0-1, more numerator than
denominator cases, a reliability outside 0-1, an interval whose lower bound exceeds its upper
bound). Counting them here, in one place, keeps the rule identical across provider scores, plan
rates, audits and survey scores; the counts contain no member identifiers and can go straight into
check metadata.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

PROPORTION_COLUMNS = ("raw_rate", "rate", "wilson_lower", "wilson_upper", "shrunken_rate", "shrunken_lower",
                      "shrunken_upper", "reliability", "percent_agreement", "compliance",
                      "opportunity_weighted_score", "mean_shrunken_score")
INTERVALS = (("wilson_lower", "wilson_upper"), ("shrunken_lower", "shrunken_upper"))


def impossible_value_counts(frame: pl.DataFrame, *, numerator: str | None = "numerator",
                            denominator: str | None = "denominator",
                            proportion_columns: Sequence[str] = PROPORTION_COLUMNS,
                            intervals: Sequence[tuple[str, str]] = INTERVALS) -> dict[str, int]:
    """Number of rows breaking each rule; only rules whose columns exist in `frame` are counted.

    Rules: "<column> outside 0-1" for proportions (nulls are allowed: no cases, no rate),
    "negative <count>" and "numerator > denominator" for counts, "<lower> > <upper>" for intervals.
    """
    present = set(frame.columns)
    rules: dict[str, pl.Expr] = {}
    for column in proportion_columns:
        if column in present:
            rules[f"{column} outside 0-1"] = (pl.col(column) < 0) | (pl.col(column) > 1)
    for column in (numerator, denominator):
        if column is not None and column in present:
            rules[f"negative {column}"] = pl.col(column) < 0
    if numerator in present and denominator in present:
        rules["numerator > denominator"] = pl.col(numerator) > pl.col(denominator)  # type: ignore[arg-type]
    for lower, upper in intervals:
        if lower in present and upper in present:
            rules[f"{lower} > {upper}"] = pl.col(lower) > pl.col(upper)
    if not rules:
        return {}
    counts = frame.select(rule.fill_null(False).sum().alias(name) for name, rule in rules.items())
    return {name: int(counts[name][0]) for name in rules}


def has_impossible_values(counts: dict[str, int]) -> bool:
    """True when any rule was broken at least once."""
    return any(count > 0 for count in counts.values())
