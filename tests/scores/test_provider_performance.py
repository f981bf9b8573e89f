"""Provider measure scores, composites and stars from hand-written plan-program results and attribution."""

import math

import pytest

from pipelines.scores import validity
from pipelines.scores.provider_performance import (build_provider_performance, provider_measure_counts,
                                                   provider_summary)
from tests.scores.support import attribute, insert_results, result, scores_db

A, B, C = "1000000001", "1000000002", "1000000003"


def members(prefix: str, count: int, numerators: int, measure: str = "BCS", **kwargs) -> list[dict]:
    return [result(f"{prefix}{i:02d}", measure, num=i <= numerators, **kwargs) for i in range(1, count + 1)]


@pytest.fixture
def three_providers(tmp_path):
    """BCS: A 2/10, B 5/10, C 8/10 (the docs' shrinkage example), plus an exclusion and a member outside the
    initial population on A's panel, two unattributed members in the numerator and an ecqm row that must not count."""
    con = scores_db(tmp_path / "s.duckdb")
    rows = members("a", 10, 2) + members("b", 10, 5) + members("c", 10, 8) + members("u", 2, 2)
    rows += [result("a11", "BCS", excluded=True, reason="bilateral_mastectomy"), result("a12", "BCS", ip=False),
             result("a01", "BCS", program="ecqm", num=True)]
    insert_results(con, rows)
    pcp = {f"{p}{i:02d}": npi for p, npi in (("a", A), ("b", B), ("c", C)) for i in range(1, 13)}
    attribute(con, pcp | {"u01": None, "u02": None})
    yield con
    con.close()


def row(con, measure: str, npi: str) -> dict:
    frame = con.execute("select * from scores.provider_measure_score where measure_id = ? and provider_npi = ?",
                        [measure, npi]).pl()
    assert frame.height == 1
    return frame.to_dicts()[0]


def test_counts_keep_exclusions_out_and_the_plan_rate_counts_unattributed_members(three_providers):
    counts = {r["provider_npi"]: r for r in provider_measure_counts(three_providers, 2025).to_dicts()}
    assert set(counts) == {A, B, C}
    a = counts[A]
    assert (a["initial_population"], a["exclusions"], a["denominator"], a["numerator"]) == (11, 1, 10, 2)
    # plan: 2 + 5 + 8 + 2 unattributed = 17 numerators over 32 members in the denominator, not excluded
    assert (a["plan_numerator"], a["plan_denominator"]) == (17, 32)
    assert a["plan_rate"] == pytest.approx(17 / 32)


def test_scores_match_the_hand_worked_example(three_providers):
    build_provider_performance(three_providers, 2025)
    a = row(three_providers, "BCS", A)
    assert a["raw_rate"] == pytest.approx(0.2)
    # Wilson 95% for 2/10: (0.2 + 0.19207 -/+ 1.96 sqrt(0.016 + 0.0096)) / 1.38415
    assert a["rate_low"] == pytest.approx(0.05668, abs=1e-4) and a["rate_high"] == pytest.approx(0.50984, abs=1e-4)
    # docs/statistics.md 2.1: 2/10, 5/10, 8/10 give alpha = beta = 1.2308 and (2 + 1.2308) / 12.4615 = 25.9%
    assert a["prior_alpha"] == pytest.approx(16 / 13, rel=1e-4)
    assert a["shrunken_rate"] == pytest.approx(3.2308 / 12.4615, abs=1e-4)
    # reliability = n / (n + alpha + beta + 1) = 10 / 13.4615
    assert a["reliability"] == pytest.approx(10 / (10 + 32 / 13 + 1), rel=1e-4)
    # funnel against the plan rate T = 17/32: z = (0.2 - T) / sqrt(T (1 - T) / 10)
    target = 17 / 32
    assert a["plan_rate"] == pytest.approx(target)
    assert a["z_score_unadjusted"] == pytest.approx((0.2 - target) / math.sqrt(target * (1 - target) / 10))
    spread = math.sqrt(target * (1 - target) / 10 + a["funnel_tau2"])
    assert a["limit_998_lower"] == pytest.approx(target - 3.090232 * spread, abs=1e-6)
    assert a["limit_998_upper"] == 1.0                      # T + 3.09 s = 1.02, clipped to 1
    assert a["too_few_cases"] and not a["ranked"]          # 10 cases < 20
    assert a["flag"] == "as_expected" and not a["inverse"]


@pytest.fixture
def outliers(tmp_path):
    """20 average providers at 15/50 on BCS and GSD; P21 at 40/50 on both; P22 at 2/50 on BCS only."""
    con = scores_db(tmp_path / "s.duckdb")
    rows, pcp = [], {}
    for k in range(1, 23):
        npi = f"20000000{k:02d}"
        for measure in ("BCS", "GSD"):
            if k == 22 and measure == "GSD":
                continue
            hits = {21: 40, 22: 2}.get(k, 15)
            prefix = f"{measure}{k:02d}-"
            rows += members(prefix, 50, hits, measure=measure)
            pcp |= {f"{prefix}{i:02d}": npi for i in range(1, 51)}
    insert_results(con, rows)
    attribute(con, pcp)
    yield con
    con.close()


def test_funnel_flags_follow_performance_and_the_inverse_measure(outliers):
    build_provider_performance(outliers, 2025)
    flags = dict(((m, p), f) for m, p, f in outliers.execute(
        "select measure_id, provider_npi, flag from scores.provider_measure_score").fetchall())
    # BCS: T = 342/1100 = 0.311, s = sqrt(T(1-T)/50) = 0.0655: P21 z = +7.5, P22 z = -4.1, the others -0.17
    assert flags[("BCS", "2000000021")] == "better" and flags[("BCS", "2000000022")] == "worse"
    # GSD is inverse: 40/50 in poor control against T = 340/1050 is worse, not better
    assert flags[("GSD", "2000000021")] == "worse"
    average = [f for (m, p), f in flags.items() if p not in ("2000000021", "2000000022")]
    assert len(average) == 40 and set(average) == {"as_expected"}
    p21 = row(outliers, "GSD", "2000000021")
    assert p21["inverse"] and p21["z_score"] > 3.090232 and p21["beyond_998"] and p21["beyond_95"]


def test_composites_invert_gsd_and_only_ranked_providers_get_stars(outliers):
    build_provider_performance(outliers, 2025)
    composite = {r["provider_npi"]: r for r in outliers.execute("select * from scores.provider_composite").pl().to_dicts()}
    assert len(composite) == 22
    # P21: BCS 40 of 50 met, GSD 40 of 50 in poor control = 10 of 50 controlled -> (40 + 10) / 100
    assert composite["2000000021"]["opportunity_weighted_score"] == pytest.approx(0.5)
    assert composite["2000000022"]["opportunity_weighted_score"] == pytest.approx(2 / 50)
    shrunk = dict(outliers.execute("select measure_id, shrunken_rate from scores.provider_measure_score "
                                   "where provider_npi = '2000000021'").fetchall())
    assert composite["2000000021"]["mean_shrunken_score"] == pytest.approx((shrunk["BCS"] + 1 - shrunk["GSD"]) / 2)
    ranked = {p: r for p, r in composite.items() if r["ranked"]}
    assert ranked, "50 cases with reliable measures must rank"
    for r in composite.values():
        assert (r["stars"] is not None) == r["ranked"] and (r["percentile_rank"] is not None) == r["ranked"]
    best = max(ranked.values(), key=lambda r: r["mean_shrunken_score"])
    worst = min(ranked.values(), key=lambda r: r["mean_shrunken_score"])
    assert best["stars"] == max(r["stars"] for r in ranked.values()) > worst["stars"]
    assert all(1 <= r["stars"] <= 5 for r in ranked.values())


def test_checks_pass_on_built_scores_and_catch_impossible_rows(outliers):
    build_provider_performance(outliers, 2025)
    assert not any(validity.provider_measure_score_problems(outliers, 2025).values())
    assert not any(validity.provider_composite_problems(outliers, 2025).values())
    outliers.execute("update scores.provider_measure_score set numerator = denominator + 1, ranked = true, "
                     "denominator = 5 where provider_npi = '2000000001' and measure_id = 'BCS'")
    outliers.execute("update scores.provider_composite set stars = 6 where provider_npi = '2000000001'")
    broken = {k: v for k, v in validity.provider_measure_score_problems(outliers, 2025).items() if v}
    assert broken == {"provider measure score: numerator > denominator": 1,
                      "provider measure score: ranked with denominator < 20 or reliability < 0.7": 1}
    assert validity.provider_composite_problems(outliers, 2025)["provider composite: stars outside 1-5"] == 1


def test_no_plan_rows_leave_the_year_empty_and_say_why(tmp_path):
    con = scores_db(tmp_path / "s.duckdb")
    insert_results(con, members("e", 30, 10, program="ecqm"))
    attribute(con, {f"e{i:02d}": A for i in range(1, 31)})
    assert build_provider_performance(con, 2025) == {"provider_measure_score": 0, "provider_composite": 0}
    assert "no 'plan' program rows" in provider_summary(con, 2025)["empty_because"]


def test_rebuilding_a_year_replaces_its_rows(three_providers):
    first = build_provider_performance(three_providers, 2025)
    again = build_provider_performance(three_providers, 2025)
    assert first == again == {"provider_measure_score": 3, "provider_composite": 3}
    assert three_providers.execute("select count(*) from scores.provider_measure_score").fetchone()[0] == 3
