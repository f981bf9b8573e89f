"""Continuous enrollment and product lines (plan-program.md sections 3 and 4), vectorised over members.

Used by the generator's answer key. Members are rows of padded segment matrices (`start`, `end`: day
numbers, unused slots start at NO_DATE); segments may overlap or touch, exactly as written to the
eligibility file. Coverage is evaluated on a day grid, so overlapping and touching segments merge by
construction and a gap is simply a run of uncovered days.
"""

from __future__ import annotations

import numpy as np

from pipelines.generator.arrays import NO_DATE

LINE_PRIORITY = ("medicare", "medicaid", "commercial")  # tie-break on the anchor date, first wins
MAX_GAP_DAYS = 45


class CoverageGrid:
    """Bool matrix (members x days of [first_day, last_day]): True where some segment covers the day.

    Make the grid one day wider than every window it is asked about on both sides, so that the days
    just outside a window are known (a gap that crosses Jan 1 is seen on both sides).
    """

    def __init__(self, start: np.ndarray, end: np.ndarray, first_day: int, last_day: int) -> None:
        self.first_day = first_day
        days = last_day - first_day + 1
        # +1 at each segment start, -1 after each end, then a running sum: no loop over days or segments.
        delta = np.zeros((start.shape[0], days + 1), dtype=np.int16)
        valid = (start != NO_DATE) & (end >= start)
        lo = np.clip(start.astype(np.int64) - first_day, 0, days)
        hi = np.clip(end.astype(np.int64) - first_day + 1, 0, days)
        use = valid & (hi > lo)
        rows = np.broadcast_to(np.arange(start.shape[0])[:, None], start.shape)
        np.add.at(delta, (rows[use], lo[use]), 1)
        np.add.at(delta, (rows[use], hi[use]), -1)
        self.covered = np.cumsum(delta[:, :days], axis=1, dtype=np.int16) > 0

    def subset(self, rows: np.ndarray) -> "CoverageGrid":
        """The grid of some members only."""
        grid = CoverageGrid.__new__(CoverageGrid)
        grid.first_day = self.first_day
        grid.covered = self.covered[rows]
        return grid

    def on(self, day: np.ndarray) -> np.ndarray:
        """Whether each member is covered on its `day` (days outside the grid are not covered)."""
        index = np.asarray(day, dtype=np.int64) - self.first_day
        inside = (index >= 0) & (index < self.covered.shape[1])
        return inside & self.covered[np.arange(self.covered.shape[0]), np.clip(index, 0, self.covered.shape[1] - 1)]

    def gaps(self, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per member: the number of gaps (runs of uncovered days) within [lo, hi] and the longest one's length."""
        n, width = self.covered.shape
        lo, hi = np.asarray(lo), np.asarray(hi)
        if n and (lo == lo[0]).all() and (hi == hi[0]).all():
            # Same period for everybody (all but CIS): just the period's columns.
            first = max(int(lo[0]) - self.first_day, 0)
            last = min(int(hi[0]) - self.first_day, width - 1)
            uncovered = ~self.covered[:, first:last + 1]
            width = uncovered.shape[1]
        else:
            day = self.first_day + np.arange(width)[None, :]
            uncovered = (day >= lo[:, None]) & (day <= hi[:, None]) & ~self.covered
        padded = np.zeros((n, width + 2), dtype=np.int8)
        padded[:, 1:-1] = uncovered
        change = np.diff(padded.ravel())
        starts = np.flatnonzero(change == 1)
        ends = np.flatnonzero(change == -1)
        row = starts // (width + 2)
        count = np.bincount(row, minlength=n)
        longest = np.zeros(n, dtype=np.int64)
        np.maximum.at(longest, row, ends - starts)
        return count, longest


def continuous_enrollment(grid: CoverageGrid, periods: list[tuple[np.ndarray, np.ndarray]], anchor: np.ndarray,
                          no_gap_period: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Section 3 per member: (enrolled, deciding rule).

    `periods` are the calendar years of the window (bounds per member, inclusive; a CIS window is one
    period): each may hold at most one gap of at most 45 days. `no_gap_period` may hold none (BCS, Oct 1 -
    Dec 31 two years before MY). The member must also be covered on `anchor`.
    """
    n = grid.covered.shape[0]
    ok = np.ones(n, dtype=bool)
    rule = np.full(n, "continuous_enrollment.ok", dtype=object)
    if no_gap_period is not None:
        count, _ = grid.gaps(*no_gap_period)
        failed = count > 0
        rule[failed] = "bcs.no_gap_oct_dec"
        ok &= ~failed
    with_gap = np.zeros(n, dtype=bool)
    exactly_45 = np.zeros(n, dtype=bool)
    for lo, hi in periods:
        count, longest = grid.gaps(lo, hi)
        two = count > 1
        long = longest > MAX_GAP_DAYS
        rule[ok & two] = "continuous_enrollment.two_gaps_in_year"
        rule[ok & ~two & long] = "continuous_enrollment.gap_over_45_days"
        ok &= ~(two | long)
        with_gap |= count > 0
        exactly_45 |= longest == MAX_GAP_DAYS
    anchored = grid.on(anchor)
    rule[ok & ~anchored] = "anchor_date_not_enrolled"
    ok &= anchored
    # Which allowed-gap rule let the member through (the edges the answer key is asked to show).
    split = np.zeros(n, dtype=bool)
    for (_, hi), (lo, _) in zip(periods, periods[1:]):
        split |= ~grid.on(hi) & ~grid.on(lo)
    rule[ok & with_gap] = "continuous_enrollment.one_gap_allowed"
    rule[ok & exactly_45] = "continuous_enrollment.gap_of_45_days_allowed"
    rule[ok & split] = "continuous_enrollment.gap_split_at_jan1"
    return ok, rule


def product_line_on(start: np.ndarray, end: np.ndarray, line: np.ndarray, anchor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Section 4: the line of the segment covering `anchor`; latest start wins, ties by LINE_PRIORITY.

    `line` is a matrix of LINE_PRIORITY indices (0 medicare, 1 medicaid, 2 commercial) like `start`.
    Returns (line name or None, rule) per member.
    """
    covers = (start != NO_DATE) & (start <= anchor[:, None]) & (end >= anchor[:, None])
    latest = np.where(covers, start.astype(np.int64), np.iinfo(np.int64).min).max(axis=1)
    at_latest = covers & (start == latest[:, None])
    present = np.stack([(at_latest & (line == k)).any(axis=1) for k in range(len(LINE_PRIORITY))], axis=1)
    found = covers.any(axis=1)
    winner = present.argmax(axis=1)  # first True in priority order
    names = np.array(LINE_PRIORITY + (None,), dtype=object)
    chosen = names[np.where(found, winner, len(LINE_PRIORITY))]
    rule = np.where(~found, "product_line.none_on_anchor",
                    np.where(present.sum(axis=1) > 1, "product_line.tie_on_anchor",
                             np.where(covers.sum(axis=1) > 1, "product_line.latest_segment_wins",
                                      "product_line.anchor_segment")))
    return chosen, rule.astype(object)
