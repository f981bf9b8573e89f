"""Hybrid systematic sample: a hand-worked N = 1,000 draw, replacements, small populations, reproducibility."""

from __future__ import annotations

import hashlib
import math

import polars as pl
import pytest

from pipelines.stats.hybrid_sample import (HybridSample, draw_hybrid_sample, ordered_population,
                                           oversample_size, replace_excluded, sort_key_text)

MEMBERS = [f"M{i:04d}" for i in range(1, 1001)]


def _draw(members=MEMBERS, **overrides) -> HybridSample:
    arguments = {"measure_id": "CBP", "measurement_year": 2025, "seed": 20250101, "oversample_percentage": 10}
    arguments.update(overrides)
    return draw_hybrid_sample(members, **arguments)


def test_oversample_sizes_round_up():
    # 411 x 5% = 20.55 -> 21 ; x 10% = 41.1 -> 42 ; x 15% = 61.65 -> 62 ; x 20% = 82.2 -> 83
    assert [oversample_size(p) for p in (5, 10, 15, 20)] == [21, 42, 62, 83]
    with pytest.raises(ValueError):
        oversample_size(12)


def test_sort_keys_are_sha256_of_member_measure_year_seed():
    population = ordered_population(["B", "A", "C"], "CBP", 2025, 7)
    expected = sorted((hashlib.sha256(sort_key_text(m, "CBP", 2025, 7).encode()).hexdigest(), m)
                      for m in ["A", "B", "C"])
    assert population["sort_key"].to_list() == [key for key, _ in expected]
    assert population["member_id"].to_list() == [m for _, m in expected]
    assert population["sort_position"].to_list() == [1, 2, 3]
    with pytest.raises(ValueError):
        ordered_population(["A", "A"], "CBP", 2025, 7)


def test_hand_worked_draw_of_1000_with_recorded_start():
    # N = 1,000, oversample 10% = 42, sample size 453, interval = floor(1000 / 453) = 2
    # replaying start 2: main = positions 2, 4, ..., 2 + 410 x 2 = 822 (411 members)
    #                    oversample = 824, 826, ..., 824 + 41 x 2 = 906 (42 members)
    sample = _draw(start=2)
    p = sample.parameters
    assert (p.eligible_population, p.oversample_size, p.sample_size, p.interval, p.start) == (1000, 42, 453, 2, 2)
    assert p.random_number is None and not p.everyone_sampled
    main = sample.draw.filter(pl.col("selection") == "main")
    over = sample.draw.filter(pl.col("selection") == "oversample")
    assert main["sort_position"].to_list() == list(range(2, 823, 2))
    assert over["sort_position"].to_list() == list(range(824, 907, 2))
    assert sample.draw["draw_order"].to_list() == list(range(1, 454))
    # the member at each position is the one the SHA-256 order puts there
    population = ordered_population(MEMBERS, "CBP", 2025, 20250101)
    assert main["member_id"][0] == population["member_id"][1]
    assert over["member_id"][-1] == population["member_id"][905]


def test_random_start_is_drawn_from_the_seed_and_recorded():
    sample = _draw()
    p = sample.parameters
    assert p.random_number is not None and 0 <= p.random_number < 1
    # start = ceil(R x interval) = ceil(R x 2)
    assert p.start == max(1, math.ceil(p.random_number * 2))
    replay = _draw(start=p.start)
    assert replay.draw["member_id"].to_list() == sample.draw["member_id"].to_list()


def test_same_input_and_seed_give_the_same_members_whatever_the_input_order():
    first = _draw()
    second = _draw(members=list(reversed(MEMBERS)))
    assert first.draw.equals(second.draw)
    assert first.parameters == second.parameters
    other_seed = _draw(seed=99)
    assert set(other_seed.draw["member_id"]) != set(first.draw["member_id"])


def test_excluded_main_members_replaced_from_the_oversample_in_order():
    # exclude main draws 3 and 10, and oversample draw 412 (the first oversample member):
    # draw 3 -> replaced by draw 413 (412 is itself excluded and skipped), draw 10 -> draw 414
    sample = _draw(start=1)
    by_order = dict(zip(sample.draw["draw_order"].to_list(), sample.draw["member_id"].to_list()))
    result = replace_excluded(sample, [by_order[3], by_order[10], by_order[412], "NOT-DRAWN"])
    draw = {row["draw_order"]: row for row in result.draw.iter_rows(named=True)}
    assert draw[3]["replaced_by_draw_order"] == 413 and not draw[3]["in_final_sample"]
    assert draw[10]["replaced_by_draw_order"] == 414
    assert draw[413]["selection"] == "replacement" and draw[413]["replaces_draw_order"] == 3
    assert draw[414]["selection"] == "replacement" and draw[414]["replaces_draw_order"] == 10
    assert draw[412]["selection"] == "oversample" and draw[412]["reason"] == "excluded oversample member, skipped"
    assert draw[415]["reason"] == "oversample, not needed" and not draw[415]["in_final_sample"]
    assert result.draw["in_final_sample"].sum() == 411
    p = result.parameters
    assert (p.excluded_in_main_sample, p.replacements_made, p.shortfall) == (2, 2, 0)
    # idempotent: the same exclusions applied again give the same table
    assert replace_excluded(result, [by_order[3], by_order[10], by_order[412]]).draw.equals(result.draw)


def test_oversample_exhausted_records_a_shortfall():
    # 5% oversample = 21 members; 25 main-sample exclusions -> 21 replaced, shortfall 4
    sample = _draw(oversample_percentage=5)
    main_ids = sample.draw.filter(pl.col("selection") == "main")["member_id"].to_list()
    result = replace_excluded(sample, main_ids[:25])
    assert (result.parameters.replacements_made, result.parameters.shortfall) == (21, 4)
    assert result.draw["in_final_sample"].sum() == 411 - 4
    assert (result.draw["reason"] == "excluded; oversample exhausted, not replaced").sum() == 4
    # when every oversample member is excluded too, each one was looked at and skipped
    over_ids = sample.draw.filter(pl.col("selection") == "oversample")["member_id"].to_list()
    drained = replace_excluded(sample, main_ids[:2] + over_ids)
    assert drained.parameters.shortfall == 2
    assert (drained.draw["reason"] == "excluded oversample member, skipped").sum() == 21


def test_everyone_sampled_when_population_is_small():
    small = _draw(members=MEMBERS[:300])
    assert small.parameters.everyone_sampled and small.parameters.interval == 1
    assert small.draw.height == 300 and (small.draw["selection"] == "main").all()
    assert small.draw["sort_position"].to_list() == list(range(1, 301))
    # 430 eligible, sample size 453: all drawn, the first 411 in key order main, 19 oversample
    between = _draw(members=MEMBERS[:430])
    assert between.draw.height == 430
    assert (between.draw["selection"] == "oversample").sum() == 19
    empty = _draw(members=[])
    assert empty.draw.height == 0 and empty.parameters.eligible_population == 0


def test_recorded_start_outside_the_interval_is_refused():
    with pytest.raises(ValueError):
        _draw(start=3)
