"""Member-experience tables from a hand-written staging.survey_response."""

import datetime as dt

import pytest

from pipelines.duck import transaction
from pipelines.scores.experience import build_experience, experience_summary
from tests.scores.support import insert, member, scores_db

NPI_A, NPI_B = "3000000001", "3000000002"


def answers(respondent, person, survey_type, items, *, npi=None, health="good", day=dt.date(2025, 6, 1)):
    return [{"respondent_id": respondent, "person_id": person, "survey_type": survey_type, "provider_npi": npi,
             "survey_date": day, "item_id": item, "response": response, "general_health": health}
            for item, response in items.items()]


@pytest.fixture()
def con(tmp_path):
    con = scores_db(tmp_path / "hmoqa.duckdb")
    insert(con, "eligibility", [member("c1", "2025-01-01", "2025-12-31", payer_type="commercial"),
                                member("d1", "2024-01-01", "2024-12-31", payer_type="commercial"),
                                member("d1", "2025-01-01", "2025-12-31", payer_type="medicaid")])
    yield con
    con.close()


def score_rows(con, **where):
    clause = " and ".join(f"{k} = ?" for k in where)
    return {(r[0], r[1]): r[2:] for r in con.execute(
        "select unit_id, measure, respondents, unadjusted_mean, adjusted_mean, reliability, display_status, "
        f"shown_score, suppressed_reason from scores.experience_score where {clause} order by 1, 2",
        list(where.values())).fetchall()}


def test_provider_case_mix_adjustment_through_the_table(con):
    # rating_health_care (0-100 = 10 x answer); healthy = general health 'excellent' (code 1), else 'good' (3).
    # A: answers 6, 8, 9, 7 (scores 60, 80, 90, 70), healthy 0, 1, 1, 1: mean 75, mean healthy 0.75
    # B: answers 4, 6, 6, 9 (40, 60, 60, 90), healthy 0, 0, 0, 1: mean 62.5, mean healthy 0.25
    # within-unit slope on healthy: A sum x~y~ = 15, B = 0.25 x 22.5 + 2 x 0.25 x 2.5 + 0.75 x 27.5 = 27.5,
    # sum x~^2 = 1.5 -> b = 42.5 / 1.5 = 28.333; adjusted A = 75 - 0.25 b = 67.917, B = 62.5 + 0.25 b = 69.583.
    # Each respondent is repeated 8 times (32 per unit, over the minimum of 30): means and slope unchanged.
    rows = []
    for unit, pattern in ((NPI_A, [(6, 0), (8, 1), (9, 1), (7, 1)]), (NPI_B, [(4, 0), (6, 0), (6, 0), (9, 1)])):
        for copy in range(8):
            for i, (answer, healthy) in enumerate(pattern):
                rows += answers(f"{unit}-{copy}-{i}", "c1", "clinician_group", {"rating_health_care": answer},
                                npi=unit, health="excellent" if healthy else "good")
    insert(con, "survey_response", rows)
    with transaction(con):
        written = build_experience(con, 2025)
    assert written == 4          # 2 providers x 1 measure x 2 scorings
    scores = score_rows(con, unit_type="provider_npi", scoring="mean_0_100")
    a, b = scores[(NPI_A, "rating_health_care")], scores[(NPI_B, "rating_health_care")]
    assert a[:3] == (32, pytest.approx(75.0), pytest.approx(75 - 0.25 * 42.5 / 1.5))
    assert b[:3] == (32, pytest.approx(62.5), pytest.approx(62.5 + 0.25 * 42.5 / 1.5))
    assert a[4:] == ("shown", pytest.approx(a[2]), None)
    assert 0.0 <= a[3] <= 1.0
    top_box = score_rows(con, unit_type="provider_npi", scoring="top_box")
    assert top_box[(NPI_A, "rating_health_care")][1] == pytest.approx(25.0)   # one 9 of four answers


def test_plan_level_units_and_suppression(con):
    rows = []
    # 15 commercial respondents (too few to show) and 5 medicaid ones (under the privacy floor); d1's 2025
    # segment is medicaid, so d1's answers count there. A survey from 2024 is not part of 2025.
    for i in range(15):
        rows += answers(f"c{i}", "c1", "health_plan", {"customer_service_1": 4, "customer_service_2": 3,
                                                         "rating_health_plan": 10})
    for i in range(5):
        rows += answers(f"d{i}", "d1", "health_plan", {"customer_service_1": 1})
    rows += answers("old", "d1", "health_plan", {"rating_health_plan": 0}, day=dt.date(2024, 6, 1))
    insert(con, "survey_response", rows)
    with transaction(con):
        build_experience(con, 2025)
    lines = score_rows(con, unit_type="product_line", scoring="top_box")
    # customer service per respondent: commercial (100 + 0) / 2 = 50 top box; medicaid 0
    assert lines[("commercial", "customer_service")][:2] == (15, pytest.approx(50.0))
    assert lines[("commercial", "customer_service")][4:] == ("too_few_respondents", None, "too_few_respondents")
    assert lines[("medicaid", "customer_service")] == (5, None, None, None, "suppressed_privacy", None,
                                                       "suppressed_privacy")
    assert ("medicaid", "rating_health_plan") not in lines
    plan = score_rows(con, unit_type="plan", scoring="top_box")
    # one unit: 20 respondents, 15 x 50 / 20 = 37.5, no adjustment possible across a single unit
    assert plan[("plan", "customer_service")][:3] == (20, pytest.approx(37.5), pytest.approx(37.5))
    assert plan[("plan", "rating_health_plan")][:2] == (15, pytest.approx(100.0))
    summary = experience_summary(con, 2025)
    assert summary["plan_top_box"] == {"customer_service": None, "rating_health_plan": None}
    assert summary["rows_by_status"]["product_line:suppressed_privacy"] == 2
