"""The generator's answer key: enrollment rules on hand-checked segments, the planted edge members'
outcomes, and coverage of every rule of plan-program.md sections 1-5."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow.parquet as pq

from pipelines.generator.answer_key import ANSWER_KEY_NAME, add_years, answer_key_coverage
from pipelines.generator.arrays import NO_DATE, day_number
from pipelines.generator.edge_cases import REQUIRED_RULES
from pipelines.generator.enrollment_rules import CoverageGrid, continuous_enrollment, product_line_on


def _day(text: str) -> int:
    return day_number(dt.date.fromisoformat(text))


def _segments(*members: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    width = max(len(m) for m in members)
    start = np.full((len(members), width), NO_DATE, dtype=np.int64)
    end = np.full((len(members), width), -1, dtype=np.int64)
    for i, member in enumerate(members):
        for j, (lo, hi) in enumerate(member):
            start[i, j], end[i, j] = _day(lo), _day(hi)
    return start, end


def _my_2025(start, end):
    grid = CoverageGrid(start, end, _day("2023-12-31"), _day("2026-01-01"))
    n = start.shape[0]
    years = [(np.full(n, _day(f"{y}-01-01")), np.full(n, _day(f"{y}-12-31"))) for y in (2024, 2025)]
    return continuous_enrollment(grid, years, np.full(n, _day("2025-12-31")))


def test_gap_of_45_days_passes_and_46_fails():
    start, end = _segments([("2024-01-01", "2025-03-31"), ("2025-05-16", "2025-12-31")],   # Apr 1 - May 15
                           [("2024-01-01", "2025-03-31"), ("2025-05-17", "2025-12-31")])   # Apr 1 - May 16
    ok, rule = _my_2025(start, end)
    assert ok.tolist() == [True, False]
    assert rule.tolist() == ["continuous_enrollment.gap_of_45_days_allowed", "continuous_enrollment.gap_over_45_days"]


def test_two_short_gaps_in_one_year_fail_and_one_short_gap_in_each_year_passes():
    start, end = _segments([("2024-01-01", "2025-02-28"), ("2025-03-11", "2025-08-31"), ("2025-09-11", "2025-12-31")],
                           [("2024-01-01", "2024-02-28"), ("2024-03-11", "2025-08-31"), ("2025-09-11", "2025-12-31")])
    ok, rule = _my_2025(start, end)
    assert ok.tolist() == [False, True]
    assert rule[0] == "continuous_enrollment.two_gaps_in_year"


def test_gap_crossing_jan_1_is_split_at_the_year_boundary():
    # 30 days in 2024 + 30 in 2025 = 60 in a row, but each year holds one gap of 30: enrolled.
    # 61 days in 2024 (Nov 1 - Dec 31) + 20 in 2025: the 2024 part alone is too long.
    start, end = _segments([("2024-01-01", "2024-12-01"), ("2025-01-31", "2025-12-31")],
                           [("2024-01-01", "2024-10-31"), ("2025-01-21", "2025-12-31")])
    ok, rule = _my_2025(start, end)
    assert ok.tolist() == [True, False]
    assert rule.tolist() == ["continuous_enrollment.gap_split_at_jan1", "continuous_enrollment.gap_over_45_days"]


def test_overlapping_and_touching_segments_merge_and_the_anchor_date_must_be_covered():
    start, end = _segments([("2024-01-01", "2025-06-30"), ("2025-06-01", "2025-12-31")],
                           [("2024-01-01", "2024-12-31"), ("2025-01-01", "2025-12-31")],
                           [("2024-01-01", "2025-12-30")])
    ok, rule = _my_2025(start, end)
    assert ok.tolist() == [True, True, False]
    assert rule.tolist()[:2] == ["continuous_enrollment.ok"] * 2
    assert rule[2] == "anchor_date_not_enrolled"


def test_product_line_latest_start_wins_then_medicare_medicaid_commercial():
    start, end = _segments([("2023-01-01", "2025-12-31"), ("2025-07-01", "2025-12-31")],
                           [("2025-01-01", "2025-12-31"), ("2025-01-01", "2025-12-31")],
                           [("2025-01-01", "2025-12-31"), ("2025-01-01", "2025-12-31")],
                           [("2025-01-01", "2025-12-30"), ("2023-01-01", "2023-02-01")])
    line = np.array([[2, 1], [2, 0], [1, 2], [2, 2]])  # 0 medicare, 1 medicaid, 2 commercial
    chosen, rule = product_line_on(start, end, line, np.full(4, _day("2025-12-31")))
    assert chosen.tolist() == ["medicaid", "medicare", "medicaid", None]
    assert rule.tolist() == ["product_line.latest_segment_wins", "product_line.tie_on_anchor",
                             "product_line.tie_on_anchor", "product_line.none_on_anchor"]


def test_birthdays_use_calendar_years_and_29_february_maps_to_28():
    born = np.array([_day("2023-06-15"), _day("2020-02-29")])
    assert add_years(born, 2).tolist() == [_day("2025-06-15"), _day("2022-02-28")]


def _key(plan_dir):
    return pq.read_table(plan_dir / "_generator" / ANSWER_KEY_NAME).to_pandas()


def test_every_rule_of_the_plan_program_has_a_planted_member(edge_plan_dir):
    coverage = answer_key_coverage(edge_plan_dir).to_pandas()
    print("\n" + coverage.to_string(index=False))
    members = dict(zip(coverage["rule"], coverage["members"]))
    missing = [rule for rule in REQUIRED_RULES if members.get(rule, 0) < 1]
    assert missing == []


def test_populations_nest_as_in_measures_md(edge_plan_dir):
    key = _key(edge_plan_dir)
    known = key.dropna(subset=["denominator", "numerator", "exclusion"])
    known = known.astype({"denominator": bool, "numerator": bool, "exclusion": bool})
    assert len(known) > 0
    assert not (known.numerator & ~known.denominator).any()
    assert not (known.numerator & known.exclusion).any()
    assert not (known.exclusion & ~known.denominator).any()
    assert (key.eligible_population.fillna(False) == key.denominator.fillna(False)).all()
    assert key.groupby(["person_id", "measure", "measurement_year"]).size().max() == 1


def test_planted_members_get_the_outcomes_worked_out_by_hand(edge_plan_dir):
    key = _key(edge_plan_dir).set_index(["case", "measure"])

    def row(case, measure):
        return key.loc[(case, measure)]

    assert row("gap_45_days", "BCS").denominator and not row("gap_46_days", "BCS").denominator
    assert not row("bcs_gap_oct_dec", "BCS").denominator and row("bcs_gap_oct_dec", "COL").denominator
    assert row("gap_crossing_jan1_long_part", "CCS").denominator and not row("gap_crossing_jan1_long_part", "COL").denominator
    assert row("tie_medicare_first", "COL").product_line == "medicare"
    assert row("tie_medicaid_over_commercial", "BCS").product_line == "medicaid"
    assert row("cis_switch_on_2nd_birthday", "CIS").product_line == "medicaid"
    assert row("death_in_my", "CCS").exclusion_reason == "death"
    assert row("institutional_snp_70", "BCS").exclusion_reason == "long_term_institution"
    assert not row("institutional_65_not_excluded", "COL").exclusion
    assert row("mastectomy_rt_plus_lt", "BCS").exclusion and not row("mastectomy_right_only", "BCS").exclusion
    assert not row("reversed_mammogram", "BCS").numerator and row("mammogram_lower_case", "BCS").numerator
    assert row("hba1c_without_result", "GSD").numerator and not row("hba1c_cptii_below_7", "GSD").numerator
    assert row("eye_exam_eye_care_provider", "EED").numerator
    assert not row("eye_exam_non_eye_care_provider", "EED").numerator
    assert not row("diabetes_one_visit", "GSD").denominator and row("diabetes_one_inpatient_stay", "EED").denominator
    assert row("bp_ed_day_ignored", "CBP").numerator and not row("bp_not_controlled", "CBP").numerator
    assert row("cis_complete", "CIS").numerator and not row("cis_missing_dtap_dose", "CIS").numerator
    assert ("no_enrollment", "BCS") in key.index and not row("no_enrollment", "BCS").denominator


def test_planted_claims_carry_the_edges_they_stand_for(edge_con, edge_plan_dir):
    import json

    con = edge_con
    planted = json.loads((edge_plan_dir / "generator_manifest.json").read_text())["planted_edge_members"]
    assert planted["count"] >= len({"gap_45_days", "cis_complete"}) and planted["first_member_index"] == 1500
    first_id = f"P{planted['first_member_index'] + 1:09d}"
    assert con.execute("select count(*) from medical_claim where hcpcs_modifier_5 = '50' and person_id >= ?",
                       [first_id]).fetchone()[0] == 1
    reversed_lines = con.execute("""
        select count(*) from medical_claim r join medical_claim o using (claim_id, claim_line_number)
        where r.paid_amount < 0 and o.paid_amount > 0 and r.person_id >= ? and r.hcpcs_code = '77067'""",
                                 [first_id]).fetchone()[0]
    assert reversed_lines == 1
    no_enrollment = con.execute("""
        select count(distinct c.person_id) from medical_claim c
        where c.person_id >= ? and c.person_id < 'P9' and c.person_id not in (select person_id from eligibility)""",
                                [first_id]).fetchone()[0]
    assert no_enrollment == 1


def test_drawn_members_are_keyed_in_full_except_where_the_spec_leaves_a_point_open(plan_dir, manifest):
    assert manifest["planted_edge_members"]["count"] == 0  # off by default
    key = _key(plan_dir)
    drawn = key[key.case.isna()]
    assert drawn.member_index.max() < 1500
    partial = drawn[drawn.key_scope == "partial"]
    assert len(partial) < 0.01 * len(drawn)
    assert partial.rule.str.contains("ambiguous.").all()
    # Every measure has members in and out of the numerator.
    counted = drawn[drawn.denominator.eq(True) & drawn.exclusion.eq(False)]
    rates = counted.groupby("measure").numerator.apply(lambda s: s.astype(float).mean())
    assert set(rates.index) == {"BCS", "COL", "CCS", "CBP", "EED", "GSD", "CIS"}
    assert rates.between(0.15, 0.9).all(), rates.to_dict()


def test_drawn_bcs_and_col_numerators_match_the_screening_claims(plan_dir, con):
    key = _key(plan_dir)
    screened = {measure: {p for (p,) in con.execute(f"""
        select distinct person_id from medical_claim
        where upper(hcpcs_code) in ({codes}) and paid_amount >= 0
          and cast(claim_line_start_date as date) between '{start}' and '2025-12-31'""").fetchall()}
        for measure, codes, start in (("BCS", "'77067', '77063', '77065', 'G0202'", "2023-10-01"),
                                      ("COL", "'45378', '45380', '45385', 'G0121', '81528', '74263'", "2023-01-01"))}
    for measure, people in screened.items():
        counted = key[(key.measure == measure) & key.denominator.eq(True) & key.exclusion.eq(False)]
        hits = set(counted.person_id[counted.numerator.eq(True)])
        misses = set(counted.person_id[counted.numerator.eq(False)])
        assert hits and misses
        assert misses.isdisjoint(people), measure
        if measure == "BCS":
            assert hits <= people


def test_comparison_with_plan_results_finds_each_kind_of_disagreement():
    import pyarrow as pa

    from pipelines.generator.answer_key import compare_with_key

    def key_row(person, measure, denominator, exclusion, numerator, line, reasons=None, source=None):
        return {"person_id": person, "member_index": int(person[1:]), "case": None, "measure": measure,
                "measurement_year": 2025, "eligible_population": denominator, "denominator": denominator,
                "exclusion": exclusion, "exclusion_reason": reasons.split(";")[0] if reasons else None,
                "exclusion_reasons": reasons, "numerator": numerator, "product_line": line, "rule": "r",
                "key_scope": "full", "numerator_source_category": source}

    key = pa.Table.from_pylist([
        key_row("P1", "BCS", True, False, True, "medicaid", source="administrative"),  # agrees
        key_row("P9", "GSD", True, False, True, "medicaid", source="supplemental"),    # engine cites a claim
        key_row("P2", "BCS", True, False, None, "commercial"),        # numerator unknown: not compared
        key_row("P3", "BCS", False, False, False, "commercial"),      # no result row = in no population: agrees
        key_row("P4", "COL", True, True, False, "medicare", "death;hospice"),   # engine lists both: agrees
        key_row("P8", "COL", True, True, False, "medicare", "hospice"),         # engine adds a reason
        key_row("P5", "COL", True, False, False, "commercial"),       # engine puts it in the numerator
        key_row("P6", "COL", True, False, False, "medicare"),         # engine picks another product line
    ])
    results = pa.Table.from_pylist([
        {"person_id": p, "measure": m, "measurement_year": 2025, "denominator": d, "exclusion": e,
         "numerator": n, "product_line": line, "exclusion_reason": reason,
         "numerator_source_category": "administrative" if n else None}
        for p, m, d, e, n, line, reason in [
            ("P1", "BCS", True, False, True, "medicaid", None), ("P2", "BCS", True, False, True, "commercial", None),
            ("P9", "GSD", True, False, True, "medicaid", None),
            ("P4", "COL", True, True, False, "medicare", "hospice_flag,death"),
            ("P8", "COL", True, True, False, "medicare", "hospice,palliative_care"),
            ("P5", "COL", True, False, True, "commercial", None), ("P6", "COL", True, False, False, "commercial", None),
            ("P7", "CCS", True, False, False, "commercial", None)]])   # no key row: outside the band
    summary, wrong = compare_with_key(key, results, reason_names={"hospice_flag": "hospice"})
    assert summary.to_dicts() == [{"measure": "BCS", "cases": 3, "agree": 3, "disagree": 0},
                                  {"measure": "CCS", "cases": 1, "agree": 0, "disagree": 1},
                                  {"measure": "COL", "cases": 4, "agree": 1, "disagree": 3},
                                  {"measure": "GSD", "cases": 1, "agree": 0, "disagree": 1}]
    assert sorted(w["person_id"] for w in wrong) == ["P5", "P6", "P7", "P8", "P9"]
    # Results without a source category: that column is not compared (P9 then agrees).
    summary, wrong = compare_with_key(key, results.drop_columns(["numerator_source_category"]),
                                      reason_names={"hospice_flag": "hospice"})
    assert sorted(w["person_id"] for w in wrong) == ["P5", "P6", "P7", "P8"]


def test_drawn_gsd_controlled_members_have_an_hba1c_value_of_9_or_less_in_my(plan_dir, con):
    key = _key(plan_dir)
    counted = key[(key.measure == "GSD") & key.denominator.eq(True) & key.exclusion.eq(False)]
    controlled = set(counted.person_id[counted.numerator.eq(False)])
    with_value = {p for (p,) in con.execute("""
        select person_id from lab_result
        where source_component_code = '4548-4' and try_cast(result as double) <= 9
          and substr(result_datetime, 1, 4) = '2025'
        union
        select person_id from medical_claim
        where upper(hcpcs_code) in ('3044F', '3051F', '3052F') and claim_line_start_date like '2025%'""").fetchall()}
    assert controlled and controlled <= with_value


def test_supplemental_conditions_are_written_as_fhir_and_keyed_by_hand(edge_plan_dir, plan_dir):
    import json

    key = _key(edge_plan_dir).set_index(["case", "measure"])
    lines = (edge_plan_dir / "fhir" / "planted_conditions.ndjson").read_text().splitlines()
    conditions = {json.loads(line)["subject"]["reference"]: json.loads(line) for line in lines}
    assert len(conditions) == len(lines) == 4
    by_case = {case: f"Patient/{key.loc[(case, 'COL')].person_id}" for case in (
        "fhir_hypertension_condition", "fhir_hypertension_onset_after_june_30", "fhir_diabetes_condition",
        "fhir_diabetes_abated_before_my")}
    assert set(by_case.values()) == set(conditions)
    assert conditions[by_case["fhir_hypertension_condition"]]["code"]["coding"][0]["code"] == "I10"
    assert conditions[by_case["fhir_hypertension_onset_after_june_30"]]["onsetDateTime"] == "2025-07-01"
    assert conditions[by_case["fhir_diabetes_abated_before_my"]]["abatementDateTime"] == "2024-11-30"
    assert "abatementDateTime" not in conditions[by_case["fhir_diabetes_condition"]]
    # Known only from the Condition: none of these members has a claim.
    claims = pq.read_table(edge_plan_dir / "medical_claim.parquet", columns=["person_id"])["person_id"].to_pylist()
    assert not {ref.removeprefix("Patient/") for ref in conditions} & set(claims)
    assert row_flags(key, "fhir_hypertension_condition", "CBP") == (True, "cbp.supplemental_condition")
    assert row_flags(key, "fhir_hypertension_onset_after_june_30", "CBP")[0] is False
    for measure in ("EED", "GSD"):
        assert row_flags(key, "fhir_diabetes_condition", measure) == (True, "diabetes.supplemental_condition")
        assert row_flags(key, "fhir_diabetes_abated_before_my", measure)[0] is False
    assert not (plan_dir / "fhir").exists()  # other outputs do not change without edge members


def row_flags(key, case, measure) -> tuple[bool, str]:
    """(denominator, the condition rule named in `rule`) of a planted member's key row."""
    row = key.loc[(case, measure)]
    named = [r for r in row.rule.split(";") if "supplemental_condition" in r]
    return bool(row.denominator), (named[0] if named else "")
