"""Star cut points from 1-D k-means, the fallback for few distinct scores, and determinism."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.stats.stars import assign_stars, kmeans_1d, star_cut_points


def test_five_clear_groups_hand_worked():
    # five pairs; initial centres at the 10/30/50/70/90% quantiles of the ten distinct values:
    # 0.118, 0.314, 0.51, 0.706, 0.902 -> each pair joins its own centre, centres move to the pair means
    # 0.11, 0.31, 0.51, 0.71, 0.91. Cut points = lowest score of clusters 2..5 = 0.30, 0.50, 0.70, 0.90
    scores = [0.92, 0.10, 0.30, 0.12, 0.50, 0.32, 0.70, 0.52, 0.90, 0.72]
    stars, cuts = assign_stars(scores)
    assert cuts.method == "kmeans"
    assert cuts.cut_points == pytest.approx((0.30, 0.50, 0.70, 0.90))
    assert cuts.cluster_centres == pytest.approx((0.11, 0.31, 0.51, 0.71, 0.91))
    assert stars.tolist() == [5, 1, 2, 1, 3, 2, 4, 3, 5, 4]


def test_kmeans_moves_centres_away_from_a_skewed_start():
    # distinct values 1..9 and 30: quantile positions 0.9, 2.7, 4.5, 6.3, 8.1 give starting centres
    # 1.9, 3.7, 5.5, 7.3 and 9 + 0.1 * 21 = 11.1; after Lloyd's iterations the top centre sits on the
    # lone 30, which has a cluster to itself, so the cut for 5 stars is 30
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 30]
    labels, centres = kmeans_1d(values)
    assert labels[-1] == 4 and centres[-1] == 30
    assert np.all(np.diff(centres) > 0)
    assert star_cut_points(values).cut_points[-1] == 30


def test_fallback_when_fewer_than_five_distinct_scores():
    # 99 providers at 0.80 and one at 0.81: mid-rank percentiles 49.5 and 99.5 -> 3 and 5 stars,
    # not 1 and 5 as a forced split would give
    stars, cuts = assign_stars([0.80] * 99 + [0.81])
    assert cuts.method == "fallback_percentile_fifths"
    assert set(stars[:99]) == {3.0} and stars[99] == 5.0
    assert cuts.cut_points == (0.80, 0.80, 0.81, 0.81)


def test_identical_scores_and_a_single_provider_get_three_stars():
    stars, cuts = assign_stars([0.6, 0.6, 0.6])
    assert stars.tolist() == [3.0, 3.0, 3.0]
    assert cuts.cut_points == (0.6, 0.6, float("inf"), float("inf"))
    assert assign_stars([0.42])[0].tolist() == [3.0]


def test_unranked_providers_get_no_stars_and_do_not_move_cut_points():
    rng = np.random.default_rng(9)
    scores = rng.normal(0.7, 0.08, 400)
    with_missing = np.concatenate([scores, [np.nan, np.nan]])
    stars, cuts = assign_stars(with_missing)
    assert np.isnan(stars[-2:]).all()
    assert cuts.cut_points == star_cut_points(scores).cut_points
    assert assign_stars([np.nan])[1].method == "no_scores"


def test_stars_are_deterministic_monotone_and_use_every_level():
    rng = np.random.default_rng(4)
    scores = rng.beta(8, 3, 2000)
    stars, cuts = assign_stars(scores)
    again, cuts_again = assign_stars(scores[::-1])
    assert cuts.cut_points == cuts_again.cut_points
    np.testing.assert_array_equal(again, stars[::-1])
    order = np.argsort(scores)
    assert np.all(np.diff(stars[order]) >= 0)
    assert set(stars.tolist()) == {1.0, 2.0, 3.0, 4.0, 5.0}
    assert np.all(np.diff(cuts.cut_points) > 0)
