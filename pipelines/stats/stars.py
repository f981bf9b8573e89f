"""1-5 stars from cut points found by clustering provider scores, as CMS Star Ratings do.

CMS sets measure cut points by clustering contract scores into five groups; the lowest score in each
group is the cut point for its star. Here the clustering is a one-dimensional k-means (Lloyd's
algorithm) with five clusters, started deterministically at the 10th, 30th, 50th, 70th and 90th
percentiles of the distinct scores, so the same scores always give the same cut points.

cut point for s stars (s = 2..5) = the lowest score in clusters s-1 .. 4 (0-based, ordered by centre)
stars                           = 1 + number of cut points <= score

Fallback, when fewer than five distinct scores exist (k-means cannot form five groups): stars from
the mid-rank percentile in fifths ([0, 20) 1 star, [20, 40) 2, [40, 60) 3, [60, 80) 4, [80, 100] 5).
Identical scores all sit at the 50th percentile and get 3 stars; two tied groups get 2 and 4 stars.
A star level nobody reaches has an infinite cut point. Scores must be oriented higher-is-better
(see composite.py); NaN scores (unranked providers) get no stars and do not move the cut points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from pipelines.stats.composite import percentile_rank

STAR_LEVELS = 5


@dataclass(frozen=True)
class StarCutPoints:
    """Minimum score for 2, 3, 4 and 5 stars, how they were found, and the cluster centres (if any)."""

    cut_points: tuple[float, float, float, float]
    method: str  # "kmeans", "fallback_percentile_fifths" or "no_scores"
    cluster_centres: tuple[float, ...]

    def stars_for(self, scores: ArrayLike) -> NDArray[np.float64]:
        """Stars (1-5) for any score, NaN for NaN, using these cut points."""
        values = np.asarray(scores, dtype=np.float64)
        cuts = np.asarray(self.cut_points)
        stars = 1.0 + np.sum(values[..., None] >= cuts, axis=-1)
        return np.where(np.isfinite(values), stars, np.nan)


def kmeans_1d(values: ArrayLike, clusters: int = STAR_LEVELS,
              max_iterations: int = 300) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Lloyd's k-means on a line, initialised at evenly spaced quantiles of the distinct values.

    Returns labels 0..clusters-1 ordered by centre, and the centres. An emptied cluster keeps its
    previous centre. Needs at least `clusters` distinct values.
    """
    data = np.asarray(values, dtype=np.float64)
    distinct = np.unique(data)
    if distinct.size < clusters:
        raise ValueError(f"k-means needs at least {clusters} distinct values, got {distinct.size}")
    centres = np.quantile(distinct, (np.arange(clusters) + 0.5) / clusters)
    labels = np.argmin(np.abs(data[:, None] - centres[None, :]), axis=1)
    for _ in range(max_iterations):
        sums = np.bincount(labels, weights=data, minlength=clusters)
        counts = np.bincount(labels, minlength=clusters)
        centres = np.where(counts > 0, sums / np.maximum(counts, 1), centres)
        new_labels = np.argmin(np.abs(data[:, None] - centres[None, :]), axis=1)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    order = np.argsort(centres, kind="stable")
    rank_of_cluster = np.empty(clusters, dtype=np.int64)
    rank_of_cluster[order] = np.arange(clusters)
    return rank_of_cluster[labels], centres[order]


def _cut_points_from_levels(scores: NDArray[np.float64], levels: NDArray[np.int64]) -> tuple[float, ...]:
    """Lowest score at or above each star level 2..5 (levels are 0-based), +inf if nobody reaches it."""
    cuts = []
    for level in range(1, STAR_LEVELS):
        reached = scores[levels >= level]
        cuts.append(float(reached.min()) if reached.size else float("inf"))
    return tuple(cuts)


def star_cut_points(scores: ArrayLike) -> StarCutPoints:
    """Cut points for 2-5 stars from the finite scores (module docstring for the method and fallback)."""
    values = np.asarray(scores, dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return StarCutPoints(cut_points=(float("nan"),) * 4, method="no_scores", cluster_centres=())
    if np.unique(values).size < STAR_LEVELS:
        fifths = np.minimum(np.floor(percentile_rank(values) / 20.0), STAR_LEVELS - 1).astype(np.int64)
        return StarCutPoints(cut_points=_cut_points_from_levels(values, fifths),  # type: ignore[arg-type]
                             method="fallback_percentile_fifths", cluster_centres=())
    labels, centres = kmeans_1d(values)
    return StarCutPoints(cut_points=_cut_points_from_levels(values, labels),  # type: ignore[arg-type]
                         method="kmeans", cluster_centres=tuple(float(c) for c in centres))


def assign_stars(scores: ArrayLike) -> tuple[NDArray[np.float64], StarCutPoints]:
    """Stars for each score (NaN for NaN scores) and the cut points that produced them."""
    cuts = star_cut_points(scores)
    return cuts.stars_for(scores), cuts
