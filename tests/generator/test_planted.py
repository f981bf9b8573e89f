"""Planted providers: their panels are clearly better or worse on the measures named in the manifest."""

from __future__ import annotations

import pyarrow.parquet as pq

from tests.generator.support import CLEAN_ELIGIBILITY, scalar


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
