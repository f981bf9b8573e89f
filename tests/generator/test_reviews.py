"""Chart abstraction, chart audits and surveys."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from pipelines.contract import SURVEY_ITEMS
from pipelines.generator.claims import BlockClaims
from pipelines.generator.members import Window, build_members
from pipelines.generator.providers import build_roster
from pipelines.generator.reviews import AUDITOR_AGREEMENT, AUDITORS, audit_table
from pipelines.generator.arrays import prefixed_ids
from tests.generator.support import column_set, scalar


def test_abstraction_covers_the_hybrid_measures_with_results(con):
    clean = "(select * from medical_record_abstraction where abstraction_id not like '%-B%')"
    assert column_set(con, f"select distinct measure_id from {clean}") == {"CBP", "CCS", "CIS", "EED", "GSD"}
    assert {"numerator_event", "result_value", "no_evidence"} <= column_set(
        con, f"select distinct finding_type from {clean}")
    assert scalar(con, f"select count(*) from {clean} where finding_type = 'result_value' and result_value is null") == 0
    assert scalar(con, f"select count(*) from {clean} where measure_id = 'GSD' and result_value > 9") > 0
    assert scalar(con, f"""select count(*) from {clean} where measure_id = 'CBP'
                           and code = '8480-6' and result_value >= 140""") > 0
    assert scalar(con, f"select count(*) from {clean} where cast(abstraction_date as date) <= cast(service_date as date)") == 0


def test_audits_list_every_element_per_round(con):
    clean = "(select * from chart_audit where audit_id not like '%-B%')"
    per_round = con.execute(f"select count(*) from {clean} group by audit_id, review_round").fetchall()
    assert per_round and all(n == 8 for (n,) in per_round)
    assert scalar(con, f"""select count(*) from (select audit_id from {clean} group by audit_id
                           having count(distinct reviewer_id) != count(distinct review_round))""") == 0


def test_re_reviews_are_about_ten_percent_and_two_reviewers_agree_poorly():
    window = Window(2025, 2025)
    roster = build_roster(60_000, np.random.default_rng(1))
    rng = np.random.default_rng(2)
    members = build_members(0, 60_000, window, roster, rng)
    block = BlockClaims(members, roster, window, rng, prefixed_ids("P", members.number + 1))
    table, stats = audit_table(block, 0, block.person_ids, pa.array(roster.npi), np.full(len(roster), 0.8))
    assert 0.06 < stats["re_reviewed"] / stats["audits"] < 0.14
    rows = table.select(["audit_id", "review_round", "reviewer_id", "element", "result"]).to_pylist()
    first = {(r["audit_id"], r["element"]): r for r in rows if r["review_round"] == 1}
    pairs = [(first[(r["audit_id"], r["element"])], r) for r in rows if r["review_round"] == 2]
    poor = set(np.array(AUDITORS)[AUDITOR_AGREEMENT < 0.8])
    def agreement(with_poor: bool) -> float:
        chosen = [a["result"] == b["result"] for a, b in pairs
                  if (a["reviewer_id"] in poor or b["reviewer_id"] in poor) == with_poor]
        return sum(chosen) / len(chosen)
    assert agreement(False) > 0.85
    assert agreement(True) < 0.75


def test_surveys_use_the_contract_items_and_scales_with_case_mix(con):
    clean = "(select * from survey_response where respondent_id not like '%-B%')"
    assert column_set(con, f"select distinct survey_type from {clean}") == {"health_plan", "clinician_group"}
    assert column_set(con, f"select distinct item_id from {clean}") == set(SURVEY_ITEMS)
    composite = [k for k, v in SURVEY_ITEMS.items() if v == "composite"]
    in_list = ", ".join(f"'{k}'" for k in composite)
    assert scalar(con, f"select count(*) from {clean} where item_id in ({in_list}) and response not between 1 and 4") == 0
    assert scalar(con, f"select count(*) from {clean} where response not between 0 and 10") == 0
    assert scalar(con, f"select count(*) from {clean} where survey_type = 'clinician_group' and provider_npi is null") == 0
    assert scalar(con, f"""select count(*) from {clean} where age_band is null or education is null
                           or general_health is null or mental_health is null""") == 0
