"""Pharmacy claims, lab results and registry immunizations of one member block."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from pipelines.generator import codes as C
from pipelines.generator.arrays import coded, constant, iso_dates, money, prefixed_ids
from pipelines.generator.claims import PAYERS, PLANS, BlockClaims
from pipelines.generator.providers import npi_check_digit

DRUGS = C.ALL_DRUGS
_NDC = pa.array([d[1] for d in DRUGS])
_RXNORM = pa.array([d[2] for d in DRUGS])
_HAS_RXNORM = np.array([bool(d[2]) for d in DRUGS])
_DAYS_SUPPLY = np.array([d[3] for d in DRUGS])
_PRICE_PER_DAY = np.array([6.0 if "insulin" in d[0] else 1.2 if d[0].startswith(("donepezil", "memantine", "galantamine")) else 0.4
                           for d in DRUGS])


def _drug_range(group: tuple) -> np.ndarray:
    first = DRUGS.index(group[0])
    return np.arange(first, first + len(group))


def pharmacy_npis() -> list[str]:
    """Retail pharmacies that dispense (not in the provider roster, which lists clinicians and facilities)."""
    return [f"{b}{npi_check_digit(str(b))}" for b in range(133_000_001, 133_000_021)]


def pharmacy_table(block: BlockClaims, claim_id_base: int, member_ids: pa.Array, provider_npi: pa.Array) -> pa.Table:
    m, rng, window = block.m, block.rng, block.window
    parts_member, parts_drug = [], []
    # Chronic therapy: one drug per member per condition, refilled on its days supply with ~75% adherence.
    for mask, group, share in ((m.diabetes, C.DRUGS_DIABETES, 0.85), (m.hypertension, C.DRUGS_HYPERTENSION, 0.8),
                               (m.dementia, C.DRUGS_DEMENTIA, 0.9),
                               ((m.age_end >= 40) & (rng.random(len(m)) < 0.3), C.DRUGS_STATIN, 1.0)):
        treated = np.flatnonzero(mask & (rng.random(len(m)) < share))
        drug = _drug_range(group)[rng.integers(0, len(group), len(treated))]
        rate = 0.75 * 365.0 / _DAYS_SUPPLY[drug]
        parts_member.append(treated)
        parts_drug.append((drug, rate))
    members = np.concatenate(parts_member)
    drug_of_member = np.concatenate([d for d, _ in parts_drug])
    rate = np.concatenate([r for _, r in parts_drug])
    # events() works per member row; chronic rows may repeat a member, so draw on row indices.
    counts = rng.poisson(np.repeat(rate, len(window.years)))
    row = np.repeat(np.repeat(np.arange(len(members)), len(window.years)), counts)
    year = np.repeat(np.tile(np.arange(len(window.years)), len(members)), counts)
    length = block.year_starts[year + 1] - block.year_starts[year]
    day = (block.year_starts[year] + (rng.random(len(row)) * length).astype(np.int64)).astype(np.int32)
    member = members[row]
    drug = drug_of_member[row]
    # Acute prescriptions for everyone.
    acute_member, acute_day, _ = block.events(np.full(len(m), 0.9))
    acute_drug = _drug_range(C.DRUGS_ACUTE)[rng.integers(0, len(C.DRUGS_ACUTE), len(acute_member))]
    member = np.concatenate([member, acute_member])
    day = np.concatenate([day, acute_day])
    drug = np.concatenate([drug, acute_drug])
    keep = m.covered(member, day)
    member, day, drug = member[keep], day[keep], drug[keep]
    order = np.lexsort((day, member))
    member, day, drug = member[order], day[order], drug[order]
    n = len(member)

    days_supply = _DAYS_SUPPLY[drug]
    quantity = np.where(days_supply >= 30, days_supply * rng.choice([1, 1, 2], n), days_supply * 2).astype(np.float64)
    allowed = _PRICE_PER_DAY[drug] * days_supply * rng.lognormal(0, 0.1, n) + 2.0
    copay = np.where(m.line_on(member, day) == 1, 1.0, rng.choice([5.0, 10.0, 15.0], n))
    paid = np.maximum(allowed - copay, 0.0)
    line = m.line_on(member, day).astype(np.int32)
    pharmacies = pa.array(pharmacy_npis())
    dementia_drug = np.isin(drug, _drug_range(C.DRUGS_DEMENTIA))
    rxnorm_present = _HAS_RXNORM[drug] & (dementia_drug | (rng.random(n) < 0.5))
    return pa.table({
        "claim_id": prefixed_ids("R", claim_id_base + np.arange(n), width=10),
        "claim_line_number": pa.array(np.ones(n, dtype=np.int64)),
        "person_id": member_ids.take(pa.array(member)),
        "payer": coded(line, pa.array(PAYERS)),
        "plan": coded(line, pa.array(PLANS)),
        "prescribing_provider_npi": coded(np.where(rng.random(n) < 0.8, m.pcp[member], -1), provider_npi),
        "dispensing_provider_npi": coded(rng.integers(0, len(pharmacies), n).astype(np.int32), pharmacies),
        "dispensing_date": iso_dates(day),
        "ndc_code": coded(drug.astype(np.int32), _NDC),
        "rxnorm_code": coded(np.where(rxnorm_present, drug, -1).astype(np.int32), _RXNORM),
        "quantity": pa.array(quantity),
        "days_supply": pa.array(days_supply.astype(np.int64)),
        "refills": pa.array(rng.integers(0, 6, n).astype(np.int64)),
        "paid_date": iso_dates((day + rng.integers(1, 20, n)).astype(np.int32)),
        "paid_amount": money(paid),
        "allowed_amount": money(allowed),
        "copayment_amount": money(np.minimum(copay, allowed)),
        "in_network_flag": pa.array((rng.random(n) < 0.97).astype(np.int64)),
        "data_source": constant("hmoqa synthetic plan", n),
    })


PHARMACY_COLUMNS = {
    "claim_id": "text", "claim_line_number": "int", "person_id": "text", "payer": "coded", "plan": "coded",
    "prescribing_provider_npi": "coded", "dispensing_provider_npi": "coded", "dispensing_date": "coded",
    "ndc_code": "coded", "rxnorm_code": "coded", "quantity": "float", "days_supply": "int", "refills": "int",
    "paid_date": "coded", "paid_amount": "float", "allowed_amount": "float", "copayment_amount": "float",
    "in_network_flag": "int", "data_source": "coded",
}

_LAB_TESTS = (  # (LOINC, description, unit, low, high)
    (*C.LOINC_HBA1C, "%", "4.0", "5.6"),
    (*C.LOINC_CHOLESTEROL, "mg/dL", "0", "199"),
    (*C.LOINC_GLUCOSE, "mg/dL", "70", "99"),
)


def lab_table(block: BlockClaims, id_base: int, member_ids: pa.Array, provider_npi: pa.Array,
              ingest_day: int) -> pa.Table:
    labs, rng = block.labs, block.rng
    member = np.concatenate(labs.member) if labs.member else np.zeros(0, np.int64)
    n = len(member)
    day = np.concatenate(labs.day).astype(np.int32) if n else np.zeros(0, np.int32)
    test = np.concatenate(labs.test).astype(np.int32) if n else np.zeros(0, np.int32)
    value = np.concatenate(labs.value) if n else np.zeros(0)
    orderer = np.concatenate(labs.orderer).astype(np.int32) if n else np.zeros(0, np.int32)
    high = np.array([float(t[4]) for t in _LAB_TESTS])[test]
    text = pa.array(np.where(test == 0, np.char.mod("%.1f", value), np.char.mod("%.0f", value)).tolist()) if n \
        else pa.array([], pa.string())
    loinc = pa.array([t[0] for t in _LAB_TESTS])
    description = pa.array([t[1] for t in _LAB_TESTS])
    units = pa.array([t[2] for t in _LAB_TESTS])
    lows = pa.array([t[3] for t in _LAB_TESTS])
    highs = pa.array([t[4] for t in _LAB_TESTS])
    ids = prefixed_ids("L", id_base + np.arange(n), width=10)
    return pa.table({
        "lab_result_id": ids,
        "person_id": member_ids.take(pa.array(member)),
        "accession_number": prefixed_ids("ACC", id_base + np.arange(n), width=10),
        "source_component_type": constant("loinc", n),
        "source_component_code": coded(test, loinc),
        "source_component_description": coded(test, description),
        "normalized_component_type": constant("loinc", n),
        "normalized_component_code": coded(test, loinc),
        "normalized_component_description": coded(test, description),
        "status": constant("final", n),
        "result": text,
        "result_datetime": iso_dates(day, with_time="14:40:00"),
        "collection_datetime": iso_dates(day, with_time="08:15:00"),
        "source_units": coded(test, units),
        "normalized_units": coded(test, units),
        "source_reference_range_low": coded(test, lows),
        "source_reference_range_high": coded(test, highs),
        "source_abnormal_flag": coded(np.where(value > high, 0, -1).astype(np.int32), pa.array(["H"])),
        "specimen": constant("blood", n),
        "ordering_practitioner_id": coded(orderer, provider_npi),
        "data_source": constant("hmoqa synthetic lab feed", n),
        "ingest_datetime": iso_dates(np.full(n, ingest_day, np.int32), with_time="06:00:00"),
    })


LAB_COLUMNS = {
    "lab_result_id": "text", "person_id": "text", "accession_number": "text", "source_component_type": "coded",
    "source_component_code": "coded", "source_component_description": "coded",
    "normalized_component_type": "coded", "normalized_component_code": "coded",
    "normalized_component_description": "coded", "status": "coded", "result": "text",
    "result_datetime": "coded", "collection_datetime": "coded", "source_units": "coded",
    "normalized_units": "coded", "source_reference_range_low": "coded", "source_reference_range_high": "coded",
    "source_abnormal_flag": "coded", "specimen": "coded", "ordering_practitioner_id": "coded",
    "data_source": "coded", "ingest_datetime": "coded",
}

_VACCINE_NAMES = {"dtap": "DTaP", "ipv": "IPV", "mmr": "MMR", "hib": "Hib (PRP-OMP)", "hepb": "Hep B, adolescent or pediatric",
                  "vzv": "varicella", "pcv": "Pneumococcal conjugate PCV 13", "hepa": "Hep A, ped/adol, 2 dose",
                  "rotavirus": "rotavirus, monovalent", "influenza": "Influenza, injectable, quadrivalent, preservative free"}


def immunization_table(block: BlockClaims, id_base: int, member_ids: pa.Array) -> pa.Table:
    reg, rng = block.registry, block.rng
    member = np.concatenate(reg.member) if reg.member else np.zeros(0, np.int64)
    n = len(member)
    day = np.concatenate(reg.day).astype(np.int32) if n else np.zeros(0, np.int32)
    vaccine = np.concatenate(reg.vaccine).astype(np.int32) if n else np.zeros(0, np.int32)
    cvx = pa.array([v[2] for v in C.CHILD_VACCINES])
    names = pa.array([_VACCINE_NAMES[v[0]] for v in C.CHILD_VACCINES])
    return pa.table({
        "immunization_id": prefixed_ids("I", id_base + np.arange(n), width=10),
        "person_id": member_ids.take(pa.array(member)),
        "source_code_type": constant("cvx", n),
        "source_code": coded(vaccine, cvx),
        "source_description": coded(vaccine, names),
        "normalized_code_type": constant("cvx", n),
        "normalized_code": coded(vaccine, cvx),
        "normalized_description": coded(vaccine, names),
        "status": constant("completed", n),
        "occurrence_date": iso_dates(day),
        "route": coded(np.where(np.isin(vaccine, [8]), 1, 0).astype(np.int32), pa.array(["intramuscular", "oral"])),
        "lot_number": prefixed_ids("LOT", rng.integers(1000, 9999, n), width=4),
        "data_source": constant("state immunization registry", n),
    })


IMMUNIZATION_COLUMNS = {
    "immunization_id": "text", "person_id": "text", "source_code_type": "coded", "source_code": "coded",
    "source_description": "coded", "normalized_code_type": "coded", "normalized_code": "coded",
    "normalized_description": "coded", "status": "coded", "occurrence_date": "coded", "route": "coded",
    "lot_number": "text", "data_source": "coded",
}
