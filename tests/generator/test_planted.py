"""Planted providers: their panels are clearly better or worse on the measures named in the manifest."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from pipelines.generator.providers import PLANTED_SHIFT, PLANTED_SHIFT_SCALE
from tests.generator.support import CLEAN_CLAIMS, CLEAN_ELIGIBILITY, CODE, scalar


def _planted(manifest: dict, label: str) -> dict:
    return next(p for p in manifest["planted_providers"] if p["label"] == label)


def test_manifest_lists_better_and_worse_pcps_from_the_roster(con, manifest):
    planted = manifest["planted_providers"]
    assert {p["direction"] for p in planted} == {"better", "worse"}
    measures = {m for p in planted for m in p["measures"]}
    assert measures == {"BCS", "COL", "CCS", "CBP", "EED", "GSD", "CIS"}
    for entry in planted:
        assert scalar(con, "select primary_care_flag from provider where npi = ?", [entry["npi"]]) == 1
        panel = scalar(con, f"select count(distinct person_id) from ({CLEAN_ELIGIBILITY}) where pcp_npi = ?",
                       [entry["npi"]])
        assert panel >= 30, entry["label"]


def test_planted_panels_have_shifted_propensities(plan_dir, manifest):
    truth = pq.read_table(plan_dir / "_generator" / "members.parquet").to_pandas()
    for better_label, worse_label in (("adult_better_screening", "adult_worse_screening"),
                                      ("adult_better_chronic", "adult_worse_chronic"),
                                      ("pediatric_better", "pediatric_worse")):
        better, worse = _planted(manifest, better_label), _planted(manifest, worse_label)
        for measure in better["measures"]:
            column = f"propensity_{measure}"
            gap = (truth.loc[truth.pcp_npi == better["npi"], column].mean()
                   - truth.loc[truth.pcp_npi == worse["npi"], column].mean())
            if measure == "GSD":
                gap = -gap  # GSD counts poor control
            assert gap > (0.2 if measure == "COL" else 0.4), (measure, gap)


def test_mammography_rates_differ_in_the_claims(con, manifest):
    def screened_share(npi: str) -> float:
        return scalar(con, f"""
            select avg(screened::int) from (
              select e.person_id, bool_or(upper(c.hcpcs_code) in ('77067', '77063', '77065', 'G0202')
                                          and c.claim_start_date >= '2024-01-01') as screened
              from ({CLEAN_ELIGIBILITY}) e left join medical_claim c on c.person_id = e.person_id
              where e.pcp_npi = ? and e.gender = 'female' and year(cast(e.birth_date as date)) between 1951 and 1973
              group by e.person_id)""", [npi])
    better = screened_share(_planted(manifest, "adult_better_screening")["npi"])
    worse = screened_share(_planted(manifest, "adult_worse_screening")["npi"])
    assert better - worse > 0.25, (better, worse)


def test_manifest_records_the_shift_of_each_planted_measure(manifest):
    for entry in manifest["planted_providers"]:
        assert set(entry["shift"]) == set(entry["measures"])
        for measure, shift in entry["shift"].items():
            assert shift == pytest.approx(PLANTED_SHIFT * PLANTED_SHIFT_SCALE[measure])
    shifts = {m: s for entry in manifest["planted_providers"] for m, s in entry["shift"].items()}
    assert shifts["COL"] < shifts["CCS"] == shifts["CBP"] < shifts["BCS"] == shifts["GSD"] < shifts["EED"] == shifts["CIS"]


def test_pcp_eye_exam_cpt2_codes_follow_the_eed_propensity(plan_dir, con):
    """The PCP reports CPT II eye-exam codes for diabetics in proportion to the member's EED propensity
    (0.09 x propensity per office visit), so the planted EED panels differ in these codes too."""
    con.register("truth", pq.read_table(plan_dir / "_generator" / "members.parquet"))
    rows = con.execute(f"""
        with visits as (
            select c.claim_id, any_value(t.pcp_planted_label) as label,
                   bool_or({CODE} in ('2022F', '2023F', '2024F', '2025F', '2026F', '2033F', '3072F')) as eye_cpt2
            from {CLEAN_CLAIMS} c join truth t on t.person_id = c.person_id and t.pcp_npi = c.rendering_npi
            where t.diabetes and t.pcp_planted_label in ('adult_better_chronic', 'adult_worse_chronic')
              and c.claim_id in (select claim_id from {CLEAN_CLAIMS} where {CODE} in ('99213', '99214', '99215'))
            group by all)
        select label, avg(eye_cpt2::int), count(*) from visits group by all order by label""").fetchall()
    (_, better_share, better_visits), (_, worse_share, worse_visits) = rows
    assert better_visits > 100 and worse_visits > 100
    assert better_share > 0.04 and worse_share < 0.02, (better_share, worse_share)


def test_complete_children_meet_cis_unless_enrollment_breaks_it(plan_dir):
    """A child drawn as "complete" gets every dose at every visit, so the key puts nearly every such child
    in the CIS numerator; the others almost never make it."""
    members = pq.read_table(plan_dir / "_generator" / "members.parquet").to_pandas()
    key = pq.read_table(plan_dir / "_generator" / "answer_key.parquet").to_pandas()
    cis = key[(key.measure == "CIS") & key.denominator.fillna(False) & ~key.exclusion.fillna(False)
              & key.case.isna()]
    cis = cis.merge(members[["person_id", "cis_complete"]], on="person_id")
    complete, other = cis[cis.cis_complete], cis[~cis.cis_complete]
    assert len(complete) >= 5 and len(other) >= 5
    assert complete.numerator.mean() >= 0.9, complete.numerator.mean()
    assert other.numerator.mean() <= 0.1, other.numerator.mean()
