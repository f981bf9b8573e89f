"""Survey scoring from the long response table: composites at respondent level, ratings, both scales."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from pipelines.stats.experience_scores import experience_scores


def _answers(respondent: str, unit: str, answers: dict[str, int], general_health: str = "good") -> list[dict]:
    return [{"respondent_id": respondent, "provider_npi": unit, "item_id": item, "response": response,
             "age_band": "45-54", "education": "high_school", "general_health": general_health,
             "mental_health": "good"} for item, response in answers.items()]


def test_hand_worked_composite_and_rating_scores():
    # unit A, r1: getting_needed_care 4 and 3 -> top box (100 + 0)/2 = 50, 0-100 (100 + 66.67)/2 = 83.33
    #             rating 9 -> top box 100, 0-100 90
    #         r2: getting_needed_care 4 and 4 -> 100, 100 ; rating 7 -> 0, 70
    #   A composite: top box (50 + 100)/2 = 75, mean (83.33 + 100)/2 = 91.67 ; rating: 50 and 80
    # unit B, r3: getting_needed_care_1 = 1 only -> 0, 0
    # all respondents share every adjuster value, so no adjustment is possible or made
    rows = (_answers("r1", "A", {"getting_needed_care_1": 4, "getting_needed_care_2": 3, "rating_health_plan": 9})
            + _answers("r2", "A", {"getting_needed_care_1": 4, "getting_needed_care_2": 4, "rating_health_plan": 7})
            + _answers("r3", "B", {"getting_needed_care_1": 1}))
    result = experience_scores(pl.DataFrame(rows), unit="provider_npi")
    table = {(r["provider_npi"], r["measure"], r["scoring"]): r for r in result.iter_rows(named=True)}
    assert table[("A", "getting_needed_care", "top_box")]["unadjusted_mean"] == pytest.approx(75.0)
    assert table[("A", "getting_needed_care", "mean_0_100")]["unadjusted_mean"] == pytest.approx(275 / 3)
    assert table[("A", "getting_needed_care", "top_box")]["respondents"] == 2
    assert table[("A", "rating_health_plan", "top_box")]["unadjusted_mean"] == pytest.approx(50.0)
    assert table[("A", "rating_health_plan", "mean_0_100")]["unadjusted_mean"] == pytest.approx(80.0)
    assert table[("B", "getting_needed_care", "mean_0_100")]["unadjusted_mean"] == pytest.approx(0.0)
    assert ("B", "rating_health_plan", "top_box") not in table
    adjustments = result["adjustment"].to_numpy()
    np.testing.assert_allclose(adjustments, 0.0, atol=1e-9)
    assert set(result["display_status"]) == {"suppressed_privacy"}


def test_healthier_respondents_are_adjusted_down():
    # in both units healthier members (excellent = 1) rate 10 and the others 6; unit H has mostly
    # healthy respondents, so its raw mean is higher but the adjusted means are equal
    rows = []
    for unit, healthy_count in (("H", 30), ("S", 10)):
        for i in range(40):
            healthy = i < healthy_count
            rows += _answers(f"{unit}{i}", unit, {"rating_health_care": 10 if healthy else 6},
                             general_health="excellent" if healthy else "fair")
    result = experience_scores(pl.DataFrame(rows), unit="provider_npi").filter(pl.col("scoring") == "mean_0_100")
    raw = dict(zip(result["provider_npi"], result["unadjusted_mean"]))
    adjusted = dict(zip(result["provider_npi"], result["adjusted_mean"]))
    # raw: H = (30 x 100 + 10 x 60)/40 = 90 ; S = (10 x 100 + 30 x 60)/40 = 70 ; overall mix is 50/50
    assert raw["H"] == pytest.approx(90.0) and raw["S"] == pytest.approx(70.0)
    assert adjusted["H"] == pytest.approx(80.0) and adjusted["S"] == pytest.approx(80.0)
    assert set(result["display_status"]) == {"shown"}
