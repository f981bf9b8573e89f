"""The hybrid method on hand-written plan-program results and chart abstractions."""

import datetime as dt
import hashlib
import math

import numpy as np
import pytest

from pipelines.scores import validity
from pipelines.scores.hybrid import HybridSettings, build_hybrid, draw_seed, hybrid_members
from tests.scores.support import insert, insert_results, member, result, scores_db

_ids = iter(range(1, 10_000))


def finding(person_id: str, measure_id: str, finding_type: str, day: str, *, code: str | None = None,
            system: str | None = None, value: float | None = None) -> dict:
    return {"abstraction_id": f"A{next(_ids):05d}", "person_id": person_id, "measure_id": measure_id,
            "finding_type": finding_type, "code_system": system, "code": code, "result_value": value,
            "service_date": dt.date.fromisoformat(day), "reviewer_id": "ABS01",
            "abstraction_date": dt.date(2026, 3, 1)}


def hand_sorted(person_ids: list[str], measure_id: str, year: int, seed: int) -> list[str]:
    """The documented order, recomputed with hashlib: sha256 of "person|measure|year|seed"."""
    return sorted(person_ids, key=lambda p: hashlib.sha256(f"{p}|{measure_id}|{year}|{seed}".encode()).hexdigest())


def test_systematic_draw_interval_start_and_replacement_of_an_excluded_member(tmp_path):
    # 20 eligible, MRSS 5 + 20% oversample (ceil(5 x 0.2) = 1): sample size 6, interval floor(20 / 6) = 3,
    # start = ceil(R x 3) with R the first uniform of default_rng(seed); draws at start, start + 3, ..., start + 15.
    people = [f"h{i:02d}" for i in range(1, 21)]
    seed = draw_seed(2025, "CBP", "commercial")
    order = hand_sorted(people, "CBP", 2025, seed)
    start = max(1, math.ceil(np.random.default_rng(seed).random() * 3))
    drawn = [order[start - 1 + 3 * k] for k in range(6)]
    excluded = drawn[1]  # the second main-sample draw is excluded: the oversample member (draw 6) replaces it
    con = scores_db(tmp_path / "s.duckdb")
    insert_results(con, [result(p, "CBP", excluded=p == excluded, reason="hospice" if p == excluded else None)
                         for p in people])
    settings = HybridSettings(oversample_percentage=20, minimum_required_sample=5)
    build_hybrid(con, 2025, settings)

    parameters = con.execute("select eligible_population, oversample_size, sample_size, interval, start, seed, "
                             "excluded_in_main_sample, replacements_made, shortfall "
                             "from measures.hybrid_sample_parameters").fetchall()
    assert parameters == [(20, 1, 6, 3, start, seed, 1, 1, 0)]
    sample = con.execute("select person_id, sort_position, draw_order, selection, excluded, exclusion_source, "
                         "replaces_draw_order, replaced_by_draw_order, in_final_sample "
                         "from measures.hybrid_sample order by draw_order").fetchall()
    assert [r[0] for r in sample] == drawn
    assert [r[1] for r in sample] == [start + 3 * k for k in range(6)]
    assert sample[1][3:] == ("main", True, "administrative", None, 6, False)
    assert sample[5][3:] == ("replacement", False, None, 2, None, True)
    assert [r[0] for r in sample if r[8]] == drawn[:1] + drawn[2:]

    # reproducible: the same data and seed draw the same members; another base seed draws others
    build_hybrid(con, 2025, settings)
    assert [r[0] for r in con.execute("select person_id from measures.hybrid_sample order by draw_order").fetchall()] == drawn
    build_hybrid(con, 2025, HybridSettings(oversample_percentage=20, minimum_required_sample=5, base_seed=7))
    other = [r[0] for r in con.execute("select person_id from measures.hybrid_sample order by draw_order").fetchall()]
    assert other != drawn and len(other) == 6


CIS_ANTIGEN_CVX = {  # one CVX code per antigen value set (the CIS immunization value sets' OIDs)
    "2.16.840.1.113883.3.464.1003.196.12.1214": "20", "2.16.840.1.113883.3.464.1003.196.12.1219": "10",
    "2.16.840.1.113883.3.464.1003.196.12.1224": "03", "2.16.840.1.113883.3.464.1003.110.12.1085": "48",
    "2.16.840.1.113883.3.464.1003.196.12.1216": "08", "2.16.840.1.113883.3.464.1003.196.12.1170": "21",
    "2.16.840.1.113883.3.464.1003.196.12.1221": "133", "2.16.840.1.113883.3.464.1003.196.12.1215": "83",
    "2.16.840.1.113883.3.464.1003.196.12.1223": "116", "2.16.840.1.113883.3.464.1003.196.12.1218": "150",
}


@pytest.fixture
def reviewed(tmp_path):
    """Everyone is sampled (populations far below 411); the record closes some gaps, not others."""
    con = scores_db(tmp_path / "s.duckdb")
    rows = [result("c1", "CBP", num=True), result("c2", "CBP", num=True), result("c3", "CBP", excluded=True),
            result("c4", "CBP"), result("c5", "CBP"), result("c6", "CBP"),
            result("m1", "CBP", line="medicaid"),
            # GSD counts poor control: g1 no test at all, g2 > 9 on Sep 1, g3 controlled, g4 and g5 > 9
            result("g1", "GSD", num=True), result("g2", "GSD", num=True, numerator_date="2025-09-01"),
            result("g3", "GSD"), result("g4", "GSD", num=True, numerator_date="2025-02-01"),
            result("g5", "GSD", num=True, numerator_date="2025-03-01"),
            result("s1", "CCS"), result("s2", "CCS"), result("s3", "CCS"),
            result("e1", "EED"), result("e2", "EED"),
            result("k1", "CIS"), result("k2", "CIS"),
            result("b1", "BCS", num=True)]  # not a hybrid measure
    insert_results(con, rows)
    bp = lambda p, day, s, d: [finding(p, "CBP", "result_value", day, code="8480-6", system="LOINC", value=s),  # noqa: E731
                               finding(p, "CBP", "result_value", day, code="8462-4", system="LOINC", value=d)]
    charts = [*bp("c4", "2025-02-01", 150, 95), *bp("c4", "2025-05-01", 130, 80),      # latest controlled
              *bp("c5", "2025-03-01", 120, 70), *bp("c5", "2025-06-01", 150, 85),      # latest not controlled
              finding("c6", "CBP", "result_value", "2025-04-01", code="8480-6", system="LOINC", value=120),
              finding("m1", "CBP", "exclusion", "2025-04-01", code="Z99.2", system="ICD10CM"),
              finding("g1", "GSD", "result_value", "2025-07-01", code="4548-4", system="LOINC", value=8.0),
              finding("g2", "GSD", "result_value", "2025-05-01", code="4548-4", system="LOINC", value=7.0),
              finding("g5", "GSD", "result_value", "2025-08-01", code="4548-4", system="LOINC", value=9.5),
              finding("s1", "CCS", "numerator_event", "2023-02-01", code="88175", system="CPT"),
              finding("s2", "CCS", "numerator_event", "2021-05-01", code="87624", system="CPT"),
              finding("s3", "CCS", "numerator_event", "2022-06-01", code="88175", system="CPT"),
              finding("e1", "EED", "numerator_event", "2025-03-01", code="92014", system="CPT"),
              finding("e2", "EED", "numerator_event", "2024-11-01", code="92014", system="CPT")]
    cvx = list(CIS_ANTIGEN_CVX.values())
    charts += [finding("k1", "CIS", "numerator_event", "2024-12-01", code=c, system="CVX") for c in cvx]
    charts += [finding("k2", "CIS", "numerator_event", "2024-12-01", code=c, system="CVX") for c in cvx[:-1]]
    insert(con, "medical_record_abstraction", charts)
    insert(con, "eligibility", [member(k, "2023-01-01", "2025-12-31", birth_date="2023-03-10") for k in ("k1", "k2")])
    for oid, code in CIS_ANTIGEN_CVX.items():
        con.execute("insert into measures.valueset_code values (?, 'http://hl7.org/fhir/sid/cvx', ?, ?)", [oid, code, code])
    build_hybrid(con, 2025)
    yield con
    con.close()


def rates(con) -> dict:
    frame = con.execute("select * from measures.hybrid_rate order by measure_id, product_line").pl()
    return {(r["measure_id"], r["product_line"]): r for r in frame.to_dicts()}


def test_record_hits_follow_each_measure_rule(reviewed):
    members = {(r["measure_id"], r["person_id"]): r for r in hybrid_members(reviewed, 2025).to_dicts()}
    record = {k for k, r in members.items() if r["record_met"]}
    assert record == {("CBP", "c4"), ("GSD", "g1"), ("CCS", "s1"), ("CCS", "s2"), ("EED", "e1"), ("CIS", "k1")}
    assert members[("CBP", "m1")]["record_exclusion"] and members[("CBP", "c3")]["administrative_exclusion"]
    assert ("BCS", "b1") not in members
    # performance orientation for GSD: only g3 (controlled) is an administrative "met"
    assert {p for (m, p), r in members.items() if m == "GSD" and r["administrative_met"]} == {"g3"}


def test_rates_count_administrative_hits_first_and_the_record_closes_the_rest(reviewed):
    found = rates(reviewed)
    cbp = found[("CBP", "commercial")]
    # 6 eligible, c3 excluded -> 5; admin hits c1 c2 -> 2/5; everyone sampled: c1 c2 + record c4 -> 3/5
    assert (cbp["eligible_population"], cbp["administrative_exclusions"], cbp["eligible"]) == (6, 1, 5)
    assert (cbp["administrative_hits"], cbp["sample_size"], cbp["record_hits"], cbp["hybrid_numerator"]) == (2, 5, 1, 3)
    assert cbp["administrative_rate"] == pytest.approx(0.4) and cbp["hybrid_rate"] == pytest.approx(0.6)
    assert cbp["lift"] == pytest.approx(0.2) and cbp["shortfall"] == 1  # nobody left to replace c3
    medicaid = found[("CBP", "medicaid")]  # m1 excluded by the chart: nobody left in the sample
    assert (medicaid["eligible"], medicaid["sample_size"], medicaid["hybrid_rate"]) == (1, 0, None)
    gsd = found[("GSD", "commercial")]
    # poor control: admin g1 g2 g4 g5 = 4/5; the chart's 8.0 on Jul 1 takes g1 out (no admin test); g2's chart
    # 7.0 is older than its admin 9+ result; g5's chart says 9.5 -> 3/5, a lift of -0.2 (better)
    assert gsd["inverse"] and (gsd["administrative_hits"], gsd["hybrid_numerator"], gsd["record_hits"]) == (4, 3, 1)
    assert gsd["administrative_rate"] == pytest.approx(0.8) and gsd["hybrid_rate"] == pytest.approx(0.6)
    assert gsd["lift"] == pytest.approx(-0.2)
    assert gsd["hybrid_lower"] < 0.6 < gsd["hybrid_upper"]
    assert ("BCS", "commercial") not in found


def test_member_rows_say_what_closed_each_gap(reviewed):
    rows = {r[0]: r[1:] for r in reviewed.execute(
        "select person_id, administrative_hit, hybrid_hit, gap_closed_by, excluded from measures.hybrid_sample "
        "where measure_id in ('CBP', 'GSD')").fetchall()}
    assert rows["c1"] == (True, True, "administrative", False)
    assert rows["c4"] == (False, True, "medical_record", False)
    assert rows["c5"] == (False, False, None, False)
    assert rows["c3"] == (None, None, None, True)
    assert rows["g1"] == (True, False, "medical_record", False)   # was poor control, the chart shows 8.0
    assert rows["g2"] == (True, True, None, False)
    assert rows["g3"] == (False, False, "administrative", False)


def test_checks_pass_and_catch_a_rate_outside_0_1(reviewed):
    assert not any(validity.hybrid_problems(reviewed, 2025).values())
    reviewed.execute("update measures.hybrid_rate set hybrid_rate = 1.4, hybrid_numerator = sample_size + 1 "
                     "where measure_id = 'EED'")
    broken = {k: v for k, v in validity.hybrid_problems(reviewed, 2025).items() if v}
    assert broken == {"hybrid rate: hybrid_rate outside 0-1": 1, "hybrid sample: numerator > denominator": 1}


def test_only_allowed_oversamples(tmp_path):
    con = scores_db(tmp_path / "s.duckdb")
    insert_results(con, [result("x1", "CBP")])
    with pytest.raises(ValueError, match="oversample"):
        build_hybrid(con, 2025, HybridSettings(oversample_percentage=7))
