"""The provider roster and the planted performers."""

from __future__ import annotations

import numpy as np

from pipelines.generator.providers import PLANTED, build_roster, npi_check_digit, valid_npi


def test_npi_check_digit_uses_luhn_with_the_80840_prefix():
    assert npi_check_digit("123456789") == 3  # the CMS example NPI 1234567893
    assert valid_npi("1234567893")
    assert not valid_npi("1234567890")
    assert not valid_npi("123456789")


def test_roster_has_every_kind_of_provider_with_valid_npis():
    roster = build_roster(5000, np.random.default_rng(3))
    table = roster.table().to_pylist()
    assert all(valid_npi(row["npi"]) for row in table)
    assert len({row["npi"] for row in table}) == len(table)
    specialties = {row["specialty"] for row in table}
    assert {"family medicine", "internal medicine", "pediatrics", "cardiology", "endocrinology",
            "obstetrics and gynecology", "gastroenterology", "ophthalmology", "optometry", "hospital",
            "clinical laboratory", "radiology imaging center"} <= specialties
    pcps = [r for r in table if r["primary_care_flag"] == 1]
    assert {r["specialty"] for r in pcps} == {"family medicine", "internal medicine", "pediatrics"}
    assert all(r["network_status"] == "in_network" for r in pcps)
    assert any(r["network_status"] == "out_of_network" for r in table)
    facilities = [r for r in table if r["provider_type"] == "facility"]
    assert facilities and all(r["primary_care_flag"] == 0 for r in facilities)
    # Practices group several clinicians under one TIN.
    tins_per_practice = {}
    for r in table:
        tins_per_practice.setdefault(r["practice_id"], set()).add(r["tin"])
    assert all(len(t) == 1 for t in tins_per_practice.values())
    assert max(sum(1 for r in table if r["practice_id"] == p) for p in tins_per_practice) > 1


def test_planted_providers_are_distinct_pcps_with_better_and_worse_directions():
    roster = build_roster(1000, np.random.default_rng(8))
    npis = [p["npi"] for p in roster.planted]
    assert len(set(npis)) == len(PLANTED)
    assert {p["direction"] for p in roster.planted} == {"better", "worse"}
    for entry in roster.planted:
        index = roster.npi.index(entry["npi"])
        assert roster.specialty[index] == entry["specialty"]
        for measure in entry["measures"]:
            assert roster.shift[measure][index] == (1 if entry["direction"] == "better" else -1)
    # Everyone else is average.
    planted_indices = {roster.npi.index(n) for n in npis}
    others = [i for i in range(len(roster)) if i not in planted_indices]
    assert all(roster.shift[m][others].sum() == 0 for m in roster.shift)
