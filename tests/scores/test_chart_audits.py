"""Chart-audit tables built from a hand-written staging.chart_audit (stats library's worked kappa)."""

import datetime as dt

import pytest

from pipelines.duck import transaction
from pipelines.scores.chart_audits import build_chart_audits, chart_audit_summary
from tests.scores.support import insert, member, scores_db

RESULTS = ("pass", "fail", "not_applicable")
PA, PB, PC = "2000000001", "2000000002", "2000000003"


def audit_rows(audit_id, provider, element, first, second, results, day=dt.date(2025, 5, 1), second_day=None):
    rows = [{"audit_id": audit_id, "review_round": 1, "provider_npi": provider, "person_id": "m1",
             "reviewer_id": first, "audit_date": day, "element": element, "result": results[0]}]
    if second is not None:
        rows.append({"audit_id": audit_id, "review_round": 2, "provider_npi": provider, "person_id": "m1",
                     "reviewer_id": second, "audit_date": second_day or day, "element": element,
                     "result": results[1]})
    return rows


@pytest.fixture()
def con(tmp_path):
    con = scores_db(tmp_path / "hmoqa.duckdb")
    insert(con, "eligibility", [member("m1", "2024-01-01", "2026-12-31")])
    rows = []
    # allergies, R1 (round 1) x R2 (round 2), the 2x2 table [[20, 5], [10, 15]] of docs/statistics.md:
    # p_o = 0.70, p_e = 0.50, kappa = 0.40. Round 1 has 25 pass and 25 fail.
    cells = [("pass", "pass")] * 20 + [("pass", "fail")] * 5 + [("fail", "pass")] * 10 + [("fail", "fail")] * 15
    for n, results in enumerate(cells, start=1):
        provider = PB if n <= 12 else PA     # PB: 12 charts, all pass; PA: 38 charts, 13 pass
        rows += audit_rows(f"a{n}", provider, "allergies", "R1", "R2", results)
    # signature, R3 x R4 on 12 charts all passing: agreement 1, kappa undefined (p_e = 1).
    for n in range(12):
        rows += audit_rows(f"s{n}", PA, "signature", "R3", "R4", ("pass", "pass"))
    # PC: 3 charts, one not applicable: compliance 1/2 = 0.5, but below the 10-chart minimum.
    for n, result in enumerate(("pass", "fail", "not_applicable")):
        rows += audit_rows(f"c{n}", PC, "care_plan", "R3", None, (result,))
    # Audited in 2024 (re-reviewed in 2025): belongs to 2024. Audited Dec 2025, re-reviewed Jan 2026: 2025.
    rows += audit_rows("old", PC, "care_plan", "R5", "R6", ("pass", "fail"), day=dt.date(2024, 12, 20),
                       second_day=dt.date(2025, 1, 10))
    rows += audit_rows("late", PC, "follow_up", "R3", "R4", ("pass", "pass"), day=dt.date(2025, 12, 20),
                       second_day=dt.date(2026, 1, 5))
    insert(con, "chart_audit", rows)
    yield con
    con.close()


def fetch(con, query):
    return con.execute(query).fetchall()


def test_compliance_per_element_provider_and_reviewer(con):
    with transaction(con):
        written = build_chart_audits(con, 2025)
    assert written["scores.chart_audit_provider_compliance"] == 3
    assert fetch(con, "select element, charts, passes, applicable, compliance from "
                      "scores.chart_audit_element_compliance order by 1") == [
        ("allergies", 50, 25, 50, 0.5), ("care_plan", 3, 1, 2, 0.5), ("follow_up", 1, 1, 1, 1.0),
        ("signature", 12, 12, 12, 1.0)]
    providers = fetch(con, "select provider_npi, charts, passes, applicable, scored, audit_score "
                           "from scores.chart_audit_provider_compliance order by 1")
    # PA: allergies 13/38 + signature 12/12 = 25/50 over 50 charts; PC: 2/3 applicable over 4 charts.
    assert providers == [(PA, 50, 25, 50, True, 0.5), (PB, 12, 12, 12, True, 1.0), (PC, 4, 2, 3, False, None)]
    assert fetch(con, "select reviewer_id, passes, applicable from scores.chart_audit_reviewer_compliance "
                      "order by 1") == [("R1", 25, 50), ("R3", 14, 15)]


def test_agreement_and_flags(con):
    with transaction(con):
        build_chart_audits(con, 2025)
    element = {r[0]: r[1:] for r in fetch(con, "select element, pairs_compared, agreements, percent_agreement, "
                                               "expected_agreement, kappa from scores.chart_audit_element_agreement")}
    assert element["allergies"][:2] == (50, 35)
    assert element["allergies"][2:] == pytest.approx((0.70, 0.50, 0.40))
    assert element["signature"] == (12, 12, 1.0, 1.0, None)
    assert set(element) == {"allergies", "signature", "follow_up"}     # 'old' belongs to 2024
    pairs = fetch(con, "select reviewer_a, reviewer_b, pairs_compared, round(kappa, 6) "
                       "from scores.chart_audit_reviewer_pair_agreement order by 1, 2")
    assert pairs == [("R1", "R2", 50, 0.4), ("R3", "R4", 13, None)]
    flags = fetch(con, "select reviewer_id, pairs_compared, percent_agreement, below_threshold "
                       "from scores.chart_audit_reviewer_agreement order by 1")
    assert flags == [("R1", 50, 0.7, True), ("R2", 50, 0.7, True), ("R3", 13, 1.0, False), ("R4", 13, 1.0, False)]
    summary = chart_audit_summary(con, 2025)
    assert summary == {"charts": 66, "compliance": round(39 / 65, 4), "re_reviewed_pairs": 63,
                       "percent_agreement": round(48 / 63, 4), "reviewers": 4, "reviewers_below_threshold": 2}


def test_each_year_keeps_its_own_audits(con):
    for year in (2025, 2024, 2025):
        with transaction(con):
            build_chart_audits(con, year)
    assert fetch(con, "select measurement_year, count(*) from scores.chart_audit_element_agreement "
                      "group by 1 order by 1") == [(2024, 1), (2025, 3)]
    assert fetch(con, "select kappa, percent_agreement from scores.chart_audit_element_agreement "
                      "where measurement_year = 2024") == [(0.0, 0.0)]   # p_o = 0, p_e = 1 x 0 + 0 x 1 = 0
