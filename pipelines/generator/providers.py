"""The provider roster: PCPs, specialists, eye care and facilities, with practices, TINs and networks.

Also chooses the planted performers: a few PCPs whose panels are made clearly better or worse on
specific measures, so provider scoring has something real to find.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

# specialty -> (NUCC taxonomy, provider_type, primary care)
SPECIALTIES: dict[str, tuple[str, str, int]] = {
    "family medicine": ("207Q00000X", "individual", 1),
    "internal medicine": ("207R00000X", "individual", 1),
    "pediatrics": ("208000000X", "individual", 1),
    "cardiology": ("207RC0000X", "individual", 0),
    "endocrinology": ("207RE0101X", "individual", 0),
    "obstetrics and gynecology": ("207V00000X", "individual", 0),
    "gastroenterology": ("207RG0100X", "individual", 0),
    "general surgery": ("208600000X", "individual", 0),
    "ophthalmology": ("207W00000X", "individual", 0),
    "optometry": ("152W00000X", "individual", 0),
    "hospital": ("282N00000X", "facility", 0),
    "clinical laboratory": ("291U00000X", "facility", 0),
    "radiology imaging center": ("261QR0200X", "facility", 0),
    "hospice": ("251G00000X", "facility", 0),
    "durable medical equipment": ("332B00000X", "facility", 0),
}
ADULT_PCP = ("family medicine", "internal medicine")
SPECIALISTS = ("cardiology", "endocrinology", "obstetrics and gynecology", "gastroenterology",
               "general surgery")
EYE_CARE = ("ophthalmology", "optometry")
FACILITIES = ("hospital", "clinical laboratory", "radiology imaging center", "hospice",
              "durable medical equipment")

# Planted performers: (label, direction, specialty, measures). Probabilities shift by PLANTED_SHIFT.
PLANTED = (
    ("adult_better_screening", "better", "family medicine", ("BCS", "COL", "CCS")),
    ("adult_worse_screening", "worse", "family medicine", ("BCS", "COL", "CCS")),
    ("adult_better_chronic", "better", "internal medicine", ("CBP", "EED", "GSD")),
    ("adult_worse_chronic", "worse", "internal medicine", ("CBP", "EED", "GSD")),
    ("pediatric_better", "better", "pediatrics", ("CIS",)),
    ("pediatric_worse", "worse", "pediatrics", ("CIS",)),
)
PLANTED_SHIFT = 0.25
# Per-measure multiples of PLANTED_SHIFT on the yearly propensity, so that every planting moves the
# measure by 20-35 points: COL is a yearly rate read over a multi-year lookback (half the shift keeps
# ~25 points); BCS (27 months) and EED (two years) saturate near the top and GSD is floored by
# assessments without a result, so they need a stronger push; CIS acts through few two-year-olds.
PLANTED_SHIFT_SCALE = {"BCS": 1.4, "COL": 0.5, "CCS": 1.0, "CBP": 1.0, "EED": 1.6, "GSD": 1.4, "CIS": 1.6}
PLANTED_PANEL_WEIGHT = 3.0  # planted PCPs get bigger panels so their rates are estimable


def npi_check_digit(base9: str) -> int:
    """Luhn check digit of a 9-digit NPI base, computed with the 80840 health-industry prefix."""
    digits = [int(c) for c in "80840" + base9]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 0:  # these are doubled: the check digit will sit to their right
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def valid_npi(npi: str) -> bool:
    return len(npi) == 10 and npi.isdigit() and npi_check_digit(npi[:9]) == int(npi[9])


@dataclass
class Roster:
    npi: list[str]
    name: list[str]
    specialty: list[str]
    practice_id: list[str]
    practice_name: list[str]
    tin: list[str]
    in_network: np.ndarray            # bool per provider
    planted: list[dict]               # manifest entries
    # per-member-use lookups (indices into the lists above)
    pediatric_pcps: np.ndarray
    adult_pcps: np.ndarray
    pcp_weights_pediatric: np.ndarray
    pcp_weights_adult: np.ndarray
    by_specialty: dict[str, np.ndarray]
    # planted shift per provider and measure: +1 better, -1 worse, 0 average
    shift: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.npi)

    def table(self) -> pa.Table:
        taxonomy = [SPECIALTIES[s][0] for s in self.specialty]
        return pa.table({
            "npi": pa.array(self.npi),
            "provider_name": pa.array(self.name),
            "provider_type": pa.array([SPECIALTIES[s][1] for s in self.specialty]),
            "specialty": pa.array(self.specialty),
            "taxonomy_code": pa.array(taxonomy),
            "practice_id": pa.array(self.practice_id),
            "practice_name": pa.array(self.practice_name),
            "tin": pa.array(self.tin),
            "network_status": pa.array(np.where(self.in_network, "in_network", "out_of_network").tolist()),
            "primary_care_flag": pa.array([SPECIALTIES[s][2] for s in self.specialty], pa.int64()),
        })


_LAST_NAMES = ("Alvarez", "Brooks", "Chen", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito",
               "Jensen", "Kowalski", "Lopez", "Mensah", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi",
               "Silva", "Tanaka", "Usman", "Varga", "Walsh", "Xu", "Yilmaz", "Zhou")
_PLACES = ("Riverside", "Northgate", "Lakeview", "Hillcrest", "Harbor", "Maple", "Summit", "Cedar",
           "Westfield", "Oakmont", "Bayside", "Meadow")


def build_roster(members: int, rng: np.random.Generator) -> Roster:
    """A roster sized to the plan: about one PCP per 1,500 members, never fewer than 24."""
    counts: dict[str, int] = {
        "family medicine": max(10, members // 3500),
        "internal medicine": max(8, members // 4500),
        "pediatrics": max(6, members // 6000),
    }
    for s in SPECIALISTS:
        counts[s] = max(3, members // 12000)
    for s in EYE_CARE:
        counts[s] = max(3, members // 15000)
    for s in FACILITIES:
        counts[s] = max(2, members // 60000)

    specialty: list[str] = [s for s, n in counts.items() for _ in range(n)]
    n = len(specialty)
    bases = 100_000_000 + rng.choice(100_000_000, size=n, replace=False)
    npi = [f"{b}{npi_check_digit(str(b))}" for b in bases]
    name: list[str] = []
    practice_id: list[str] = []
    practice_name: list[str] = []
    tin: list[str] = []
    in_network = np.ones(n, dtype=bool)
    practice_counter = 0
    current_practice: dict[str, tuple[str, str, str, int]] = {}
    tin_numbers = 100_000_000 + rng.choice(899_999_999, size=n, replace=False)
    for i, s in enumerate(specialty):
        provider_type = SPECIALTIES[s][1]
        if provider_type == "facility":
            place = _PLACES[i % len(_PLACES)]
            name.append(f"{place} {s.title()} {i}")
            practice_counter += 1
            practice_id.append(f"PR{practice_counter:05d}")
            practice_name.append(name[-1])
            tin.append(f"{tin_numbers[i]:09d}")
            in_network[i] = rng.random() > 0.12
            continue
        name.append(f"Dr. {_LAST_NAMES[rng.integers(len(_LAST_NAMES))]} {chr(65 + i % 26)}. ({s})")
        group = current_practice.get(s)
        if group is None or group[3] >= (6 if SPECIALTIES[s][2] else 4):
            practice_counter += 1
            place = _PLACES[rng.integers(len(_PLACES))]
            out_of_network = rng.random() < (0.03 if SPECIALTIES[s][2] else 0.12)
            group = (f"PR{practice_counter:05d}", f"{place} {s.title()} Associates", f"{tin_numbers[i]:09d}",
                     0, out_of_network)
        practice_id.append(group[0])
        practice_name.append(group[1])
        tin.append(group[2])
        in_network[i] = not group[4]
        current_practice[s] = (group[0], group[1], group[2], group[3] + 1, group[4])

    specialty_arr = np.array(specialty)
    by_specialty = {s: np.flatnonzero(specialty_arr == s) for s in counts}
    for s in ADULT_PCP + ("pediatrics",):
        in_network[by_specialty[s]] = True  # PCPs assigned to members are always in network

    shift = {m: np.zeros(n, dtype=np.int8) for m in ("BCS", "COL", "CCS", "CBP", "EED", "GSD", "CIS")}
    planted: list[dict] = []
    used_per_specialty: dict[str, int] = {}
    for label, direction, s, measures in PLANTED:
        provider = int(by_specialty[s][used_per_specialty.get(s, 0)])
        used_per_specialty[s] = used_per_specialty.get(s, 0) + 1
        for m in measures:
            shift[m][provider] = 1 if direction == "better" else -1
        planted.append({"npi": npi[provider], "label": label, "direction": direction, "specialty": s,
                        "measures": list(measures),
                        "shift": {m: PLANTED_SHIFT * PLANTED_SHIFT_SCALE[m] for m in measures}})

    adult_pcps = np.concatenate([by_specialty[s] for s in ADULT_PCP])
    pediatric_pcps = np.concatenate([by_specialty["pediatrics"], by_specialty["family medicine"]])
    planted_mask = np.zeros(n, dtype=bool)
    for entry in planted:
        planted_mask[npi.index(entry["npi"])] = True

    def weights(pool: np.ndarray) -> np.ndarray:
        w = np.where(planted_mask[pool], PLANTED_PANEL_WEIGHT, 1.0)
        return w / w.sum()

    return Roster(npi=npi, name=name, specialty=specialty, practice_id=practice_id,
                  practice_name=practice_name, tin=tin, in_network=in_network, planted=planted,
                  pediatric_pcps=pediatric_pcps, adult_pcps=adult_pcps,
                  pcp_weights_pediatric=weights(pediatric_pcps), pcp_weights_adult=weights(adult_pcps),
                  by_specialty=by_specialty, shift=shift)
