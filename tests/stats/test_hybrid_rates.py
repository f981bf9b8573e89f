"""Administrative rate, hybrid rate and lift, against a hand-worked sample."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.stats.hybrid_rates import hybrid_rates
from pipelines.stats.hybrid_sample import draw_hybrid_sample, replace_excluded


def _members(count: int, product_line: str, admin_every: int, record_every: int, prefix: str) -> pl.DataFrame:
    return pl.DataFrame({
        "member_id": [f"{prefix}{i:04d}" for i in range(count)],
        "product_line": product_line,
        "administrative_numerator": [i % admin_every == 0 for i in range(count)],
        "record_numerator": [i % record_every == 0 for i in range(count)],
    })


def test_small_population_everyone_sampled_hand_worked():
    # 100 members, all sampled (population under 411). Administrative hits: every 4th member -> 25.
    # Record hits: every 5th member -> 20, of whom those also divisible by 4 (every 20th: 5) already
    # count administratively, so charts add 15. Hybrid = (25 + 15) / 100 = 0.40 ; admin = 0.25 ; lift 0.15
    members = _members(100, "commercial", admin_every=4, record_every=5, prefix="C")
    sample = draw_hybrid_sample(members["member_id"], measure_id="CCS", measurement_year=2025, seed=3)
    result = hybrid_rates(sample.draw, members).row(0, named=True)
    assert (result["eligible"], result["administrative_hits"], result["sample_size"]) == (100, 25, 100)
    assert (result["sample_administrative_hits"], result["record_hits"], result["hybrid_numerator"]) == (25, 15, 40)
    assert result["administrative_rate"] == pytest.approx(0.25)
    assert result["hybrid_rate"] == pytest.approx(0.40)
    assert result["lift"] == pytest.approx(0.15)
    assert result["hybrid_lower"] < 0.40 < result["hybrid_upper"]


def test_excluded_members_leave_the_sample_and_product_lines_are_separate():
    medicare = _members(100, "medicare", admin_every=2, record_every=3, prefix="M")
    medicaid = _members(50, "medicaid", admin_every=5, record_every=5, prefix="D")
    members = pl.concat([medicare, medicaid])
    # drawn per product line, as HEDIS does; exclude two medicare members
    medicare_sample = replace_excluded(
        draw_hybrid_sample(medicare["member_id"], measure_id="CBP", measurement_year=2025, seed=1), ["M0000", "M0001"])
    medicaid_sample = draw_hybrid_sample(medicaid["member_id"], measure_id="CBP", measurement_year=2025, seed=1)
    draws = pl.concat([medicare_sample.draw, medicaid_sample.draw])
    result = {r["product_line"]: r for r in hybrid_rates(draws, members, by=["product_line"]).iter_rows(named=True)}
    # medicare: 98 in the final sample (M0000 admin hit and M0001 no hit removed); admin hits in
    # sample = 50 - 1 = 49 ; record hits without admin: odd multiples of 3 below 100 = 17, M0001 is not one
    assert result["medicare"]["eligible"] == 100 and result["medicare"]["sample_size"] == 98
    assert result["medicare"]["sample_administrative_hits"] == 49 and result["medicare"]["record_hits"] == 17
    assert result["medicare"]["hybrid_rate"] == pytest.approx(66 / 98)
    # medicaid: record hits coincide with administrative hits, so the charts add nothing: lift 0
    assert result["medicaid"]["lift"] == pytest.approx(0.0) and result["medicaid"]["record_hits"] == 0
