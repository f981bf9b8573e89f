"""Documentation compliance per element and provider, with the minimum number of charts."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.stats.audit_compliance import compliance_rates, provider_audit_scores


def _audit_rows(provider: str, charts: int, results: list[str], review_round: int = 1) -> list[dict]:
    return [{"audit_id": f"{provider}-{chart}", "review_round": review_round, "provider_npi": provider,
             "reviewer_id": "R1", "element": element, "result": result}
            for chart in range(charts) for element, result in zip(["allergies", "care_plan", "signature"], results)]


def test_compliance_counts_passes_over_applicable_elements():
    # provider P1: 10 charts x (pass, fail, not_applicable): passes 10, applicable 20 -> 0.5
    # provider P2: 3 charts x (pass, pass, pass) -> 9 / 9 = 1.0, but only 3 charts: not scored
    # a round-2 re-review of P1 is not counted again
    audits = pl.DataFrame(_audit_rows("P1", 10, ["pass", "fail", "not_applicable"])
                          + _audit_rows("P2", 3, ["pass", "pass", "pass"])
                          + _audit_rows("P1", 2, ["fail", "fail", "fail"], review_round=2))
    scores = {r["provider_npi"]: r for r in provider_audit_scores(audits).iter_rows(named=True)}
    assert (scores["P1"]["charts"], scores["P1"]["passes"], scores["P1"]["applicable"]) == (10, 10, 20)
    assert scores["P1"]["compliance"] == pytest.approx(0.5) and scores["P1"]["scored"]
    assert scores["P2"]["compliance"] == 1.0 and not scores["P2"]["scored"]
    by_element = {r["element"]: r for r in compliance_rates(audits, ["element"]).iter_rows(named=True)}
    assert by_element["allergies"]["compliance"] == 1.0
    assert by_element["care_plan"]["compliance"] == pytest.approx(3 / 13)
    assert by_element["signature"]["compliance"] == pytest.approx(3 / 3)
    # all not applicable -> no compliance value
    only_na = pl.DataFrame(_audit_rows("P3", 1, ["not_applicable"] * 3))
    assert compliance_rates(only_na, ["provider_npi"])["compliance"].to_list() == [None]
    both_rounds = compliance_rates(audits, ["reviewer_id"], rounds=(1, 2))
    assert both_rounds["applicable"].to_list() == [20 + 9 + 6]
