"""Medical claim lines of one member block, drawn event type by event type, all vectorised.

Each event generator draws (member, day) events, keeps those inside enrollment, and emits claims:
claim-level columns (dates, place of service, providers, diagnoses) and one or more line parts
(procedure / revenue codes, units). `ClaimLines.table()` turns the block into an Arrow table.
Side products that come from the same events (lab results, registry immunizations) are collected
on the block so they agree with the claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from pipelines.generator import codes as C
from pipelines.generator.arrays import NO_DATE, coded, constant, iso_dates, money, prefixed_ids
from pipelines.generator.members import MEDICARE, Members, Window
from pipelines.generator.providers import Roster

HCPCS = C.CodeVocabulary(C.ALL_HCPCS)
ICD = C.CodeVocabulary(C.ALL_DIAGNOSES)
MODIFIERS = C.Vocabulary(("25", "50", "59", "95", "GT", "RT", "LT", "QW", "90", "26", "TC", "33", "GA"))
POS = C.Vocabulary(("11", "02", "10", "12", "21", "22", "23", "24", "81", "34"))
BILL_TYPES = C.Vocabulary((C.INPATIENT_BILL_TYPE, C.OUTPATIENT_BILL_TYPE) + C.HOSPICE_BILL_TYPES
                          + (C.INPATIENT_PART_B_BILL_TYPE, C.HOSPICE_FACILITY_BILL_TYPE))
REVENUE = C.Vocabulary(C.REVENUE_ROOM_AND_BOARD + C.REVENUE_ANCILLARY + C.REVENUE_ED + (C.REVENUE_HOSPICE,)
                       + (C.REVENUE_HOSPICE_OTHER,))
DRG = C.Vocabulary(C.MS_DRG)
DISPOSITION = C.Vocabulary(("01", "03", "06", "20", "50", "51", "62"))
ADMIT_TYPE = C.Vocabulary(("1", "2", "3"))
ADMIT_SOURCE = C.Vocabulary(("1", "2", "7"))
PCS = C.Vocabulary(C.ICD10_PCS + (C.PCS_BILATERAL_MASTECTOMY,))
PAYERS = ("Acme Health Commercial", "Acme Community Medicaid", "Acme Medicare Advantage")
PLANS = ("HMO Silver", "Medicaid Managed Care", "Medicare Advantage HMO")

# Price per hcpcs vocabulary index (CPT II and unknown codes are billed at $0 / a default).
_HCPCS_PRICE = np.array([C.PRICES.get(code.upper(), 0.0 if code.upper().endswith("F") else 85.0)
                         for code in HCPCS.values])
_REVENUE_PRICE = np.array([C.REVENUE_PRICES.get(code, 150.0) for code in REVENUE.values])

PROFESSIONAL, INSTITUTIONAL = 0, 1
CLAIM_FIELDS = {  # name -> fill value for "not set"
    "member": -1, "claim_type": PROFESSIONAL, "start": NO_DATE, "end": NO_DATE, "admission": NO_DATE,
    "discharge": NO_DATE, "pos": -1, "bill_type": -1, "drg": -1, "disposition": -1, "admit_type": -1,
    "admit_source": -1, "rendering": -1, "billing": -1, "facility": -1, "dx1": -1, "dx2": -1, "dx3": -1,
    "dx4": -1, "pcs1": -1, "pcs_date1": NO_DATE,
}
LINE_FIELDS = {
    "hcpcs": -1, "mod1": -1, "mod2": -1, "mod3": -1, "revenue": -1, "units": 1.0, "line_start": NO_DATE,
    "line_end": NO_DATE, "reversible": False,
}


def _pick(rng: np.random.Generator, options: np.ndarray, size: int) -> np.ndarray:
    return options[rng.integers(0, len(options), size=size)]


@dataclass
class LabResults:
    member: list[np.ndarray] = field(default_factory=list)
    day: list[np.ndarray] = field(default_factory=list)
    test: list[np.ndarray] = field(default_factory=list)   # 0 HbA1c, 1 cholesterol, 2 glucose
    value: list[np.ndarray] = field(default_factory=list)
    orderer: list[np.ndarray] = field(default_factory=list)

    def add(self, member, day, test, value, orderer) -> None:
        self.member.append(member)
        self.day.append(day)
        self.test.append(np.broadcast_to(np.int8(test), member.shape) if np.isscalar(test) else test)
        self.value.append(value)
        self.orderer.append(orderer)


@dataclass
class RegistryDoses:
    member: list[np.ndarray] = field(default_factory=list)
    day: list[np.ndarray] = field(default_factory=list)
    vaccine: list[np.ndarray] = field(default_factory=list)  # index into C.CHILD_VACCINES


class ClaimLines:
    """Accumulates the claim lines of one member block."""

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []
        self.claims = 0

    def emit(self, claims: dict[str, np.ndarray], lines: list[dict[str, np.ndarray]]) -> None:
        """Add claims (claim-level arrays of equal length) and their line parts ("claim" = claim index)."""
        count = len(claims["member"])
        if count == 0:
            return
        line_claim = np.concatenate([part["claim"] for part in lines])
        order = np.argsort(line_claim, kind="stable")
        line_claim = line_claim[order]
        merged: dict[str, np.ndarray] = {}
        for name, fill in LINE_FIELDS.items():
            pieces = [np.broadcast_to(np.asarray(part.get(name, fill)), part["claim"].shape) for part in lines]
            merged[name] = np.concatenate(pieces)[order]
        for name, fill in CLAIM_FIELDS.items():
            column = claims.get(name)
            if column is None:
                merged[name] = np.full(len(line_claim), fill, dtype=np.int32 if name != "claim_type" else np.int8)
            else:
                merged[name] = np.broadcast_to(np.asarray(column), (count,))[line_claim]
        per_claim = np.bincount(line_claim, minlength=count)
        first_line = np.cumsum(per_claim) - per_claim
        merged["line_number"] = (np.arange(len(line_claim)) - first_line[line_claim] + 1).astype(np.int32)
        merged["claim_number"] = (self.claims + line_claim).astype(np.int64)
        merged["line_start"] = np.where(merged["line_start"] == NO_DATE, merged["start"], merged["line_start"])
        merged["line_end"] = np.where(merged["line_end"] == NO_DATE, merged["end"], merged["line_end"])
        self.claims += count
        self.parts.append(merged)

    def columns(self) -> dict[str, np.ndarray]:
        names = self.parts[0].keys()
        return {name: np.concatenate([p[name] for p in self.parts]) for name in names}


class BlockClaims:
    """Draws every claim type for one block of members."""

    def __init__(self, members: Members, roster: Roster, window: Window, rng: np.random.Generator,
                 person_ids: pa.Array) -> None:
        self.m = members
        self.roster = roster
        self.window = window
        self.rng = rng
        self.person_ids = person_ids  # one per member of the block, in block order
        self.lines = ClaimLines()
        self.labs = LabResults()
        self.registry = RegistryDoses()
        n, years = len(members), len(window.years)
        self.year_starts = window.year_starts()
        # Yearly states that several claims must agree on.
        self.bp_controlled = rng.random((n, years)) < members.propensity["CBP"][:, None]
        self.a1c_poor = rng.random((n, years)) < members.propensity["GSD"][:, None]
        self.cis_complete = np.zeros(n, dtype=bool)
        self.spec = {s: roster.by_specialty[s] for s in roster.by_specialty}

    # -- helpers -----------------------------------------------------------------------------------

    def events(self, rate: np.ndarray, members: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Poisson(rate) events per member-year on uniform days, kept only inside enrollment.

        `rate` is per member (n,) or per member-year (n, years). Returns (member, day, year index).
        """
        n, years = len(self.m), len(self.window.years)
        if members is None:
            members = np.arange(n)
        rate = np.asarray(rate, dtype=np.float64)
        if rate.ndim == 1:
            rate = np.broadcast_to(rate[:, None], (len(members), years))
        counts = self.rng.poisson(rate).ravel()
        member = np.repeat(np.repeat(members, years), counts)
        year = np.repeat(np.tile(np.arange(years), len(members)), counts)
        length = self.year_starts[year + 1] - self.year_starts[year]
        day = (self.year_starts[year] + (self.rng.random(len(year)) * length).astype(np.int64)).astype(np.int32)
        keep = self.m.covered(member, day)
        return member[keep], day[keep], year[keep]

    def year_of(self, day: np.ndarray) -> np.ndarray:
        return (np.searchsorted(self.year_starts, day, side="right") - 1).clip(0, len(self.window.years) - 1)

    def pcp_or_colleague(self, member: np.ndarray) -> np.ndarray:
        own = self.m.pcp[member]
        other_pool = np.where(self.m.age_end[member] < 18, 0, 1)
        colleague = np.where(other_pool == 0, _pick(self.rng, self.roster.pediatric_pcps, len(member)),
                             _pick(self.rng, self.roster.adult_pcps, len(member)))
        return np.where(self.rng.random(len(member)) < 0.88, own, colleague).astype(np.int32)

    def specialist(self, specialty: str, size: int) -> np.ndarray:
        """Providers of a specialty; members mostly stay in network (about 1 in 12 visits goes outside)."""
        pool = self.spec[specialty]
        in_network = pool[self.roster.in_network[pool]]
        anyone = _pick(self.rng, pool, size)
        if len(in_network) == 0:
            return anyone.astype(np.int32)
        return np.where(self.rng.random(size) < 0.92, _pick(self.rng, in_network, size), anyone).astype(np.int32)

    def choice(self, vocabulary: C.Vocabulary, options, size: int) -> np.ndarray:
        return _pick(self.rng, vocabulary.indices(options), size)

    def untidy(self, indices: np.ndarray, share: float) -> np.ndarray:
        """Replace a share of canonical code indices with a no-dot or lower-case spelling."""
        flip = (self.rng.random(len(indices)) < share) & (indices >= 0)
        return np.where(flip, indices + self.rng.integers(1, 3, size=len(indices)), indices).astype(np.int32)

    def age(self, member: np.ndarray, day: np.ndarray) -> np.ndarray:
        return self.m.age_on(member, day)

    def a1c_values(self, member: np.ndarray, day: np.ndarray) -> np.ndarray:
        poor = self.a1c_poor[member, self.year_of(day)]
        value = np.where(poor, self.rng.normal(10.1, 0.9, len(member)).clip(9.1, 14.0),
                         self.rng.normal(7.0, 0.7, len(member)).clip(5.2, 8.9))
        return np.round(value, 1)

    def a1c_code(self, value: np.ndarray) -> np.ndarray:
        bucket = np.digitize(value, [7.0, 8.0, 9.0 + 1e-9])
        return HCPCS.indices(C.HBA1C_RESULT_CODES)[bucket]

    # -- event types -------------------------------------------------------------------------------

    def office_visits(self) -> None:
        m, rng = self.m, self.rng
        age = m.age_end.astype(np.float64)
        rate = (np.select([age < 2, age < 18, age < 65], [0.8, 2.8, 4.5], 6.2) + 2.0 * m.diabetes
                + 1.2 * m.hypertension + 1.5 * m.frailty + 1.0 * m.advanced_illness)
        member, day, year = self.events(rate)
        k = len(member)
        child = m.age_end[member] < 18
        u = rng.random(k)
        telehealth = rng.random(k) < 0.10
        em = np.where(telehealth, self.choice(HCPCS, C.TELEHEALTH, k),
                      np.where(u < 0.08, self.choice(HCPCS, C.OFFICE_NEW, k),
                               self.choice(HCPCS, C.OFFICE_ESTABLISHED, k)))
        pos = np.where(telehealth, np.where(rng.random(k) < 0.6, POS.idx("02"), POS.idx("10")), POS.idx("11"))
        diabetic, hypertensive = m.diabetes[member], m.hypertension[member]
        general = np.where(child, self.choice(ICD, C.DX_CHILD, k), self.choice(ICD, C.DX_GENERAL, k))
        diabetes_dx = np.where(m.retinopathy[member] & (rng.random(k) < 0.3),
                               self.choice(ICD, C.DX_RETINOPATHY, k), self.choice(ICD, C.DX_DIABETES, k))
        r = rng.random(k)
        dx1 = np.where(diabetic & (r < 0.5), diabetes_dx,
                       np.where(hypertensive & (r < 0.85), ICD.idx(C.DX_HYPERTENSION), general))
        dx2 = np.where(hypertensive & (dx1 != ICD.idx(C.DX_HYPERTENSION)) & (rng.random(k) < 0.7),
                       ICD.idx(C.DX_HYPERTENSION),
                       np.where(diabetic & (dx1 != diabetes_dx), diabetes_dx, -1))
        dx3 = np.where(m.frailty[member] & (rng.random(k) < 0.35), self.choice(ICD, C.DX_FRAILTY, k),
                       np.where(m.esrd[member], ICD.idx(C.DX_ESRD),
                                np.where(m.mastectomy[member] & (rng.random(k) < 0.3),
                                         ICD.idx(C.DX_MASTECTOMY_HISTORY), -1)))
        dx4 = np.where(m.advanced_illness[member] & (rng.random(k) < 0.45),
                       self.choice(ICD, C.DX_ADVANCED_ILLNESS, k), -1)
        pregnant = (m.female[member] & (m.age_end[member] >= 18) & (m.age_end[member] <= 44)
                    & (rng.random(k) < 0.03))
        dx4 = np.where(pregnant, self.choice(ICD, C.DX_PREGNANCY, k), dx4)
        provider = self.pcp_or_colleague(member)
        claims = {"member": member, "start": day, "end": day, "pos": pos, "rendering": provider,
                  "billing": provider, "dx1": dx1, "dx2": dx2, "dx3": dx3, "dx4": dx4}
        index = np.arange(k)
        mod1 = np.where(rng.random(k) < 0.06, MODIFIERS.idx("25"), np.where(telehealth, MODIFIERS.idx("95"), -1))
        mod2 = np.where(telehealth & (mod1 == MODIFIERS.idx("25")), MODIFIERS.idx("95"), -1)
        parts = [{"claim": index, "hcpcs": em, "mod1": mod1, "mod2": mod2, "reversible": True}]

        # Blood pressure CPT II codes (in person only), agreeing with the member-year control state.
        bp = index[hypertensive & ~telehealth & (rng.random(k) < 0.75)]
        controlled = self.bp_controlled[member[bp], year[bp]] ^ (rng.random(len(bp)) < 0.12)
        pattern = rng.random(len(bp))
        systolic = np.where(controlled, np.where(pattern < 0.6, HCPCS.idx("3074F"), HCPCS.idx("3075F")),
                            np.where(pattern < 0.6, HCPCS.idx("3077F"), HCPCS.idx("3075F")))
        diastolic = np.where(controlled, np.where(pattern < 0.5, HCPCS.idx("3078F"), HCPCS.idx("3079F")),
                             np.where(pattern < 0.6, self.choice(HCPCS, C.DIASTOLIC_CODES, len(bp)),
                                      HCPCS.idx("3080F")))
        parts.append({"claim": bp, "hcpcs": systolic})
        parts.append({"claim": bp, "hcpcs": diastolic})

        # HbA1c tests: the lab line, usually a CPT II result code, sometimes a lab result row.
        a1c = index[diabetic & ~telehealth & (rng.random(k) < 0.45)]
        values = self.a1c_values(member[a1c], day[a1c])
        parts.append({"claim": a1c, "hcpcs": HCPCS.idx(C.HBA1C_TEST)})
        with_code = rng.random(len(a1c)) < 0.7
        parts.append({"claim": a1c[with_code], "hcpcs": self.a1c_code(values[with_code])})
        # Most HbA1c tests come back with a value (CPT II or the lab feed); the ~9% that do not are
        # assessments without a result, which GSD counts as poor control for every panel alike.
        with_lab = rng.random(len(a1c)) < 0.7
        self.labs.add(member[a1c][with_lab], day[a1c][with_lab], 0, values[with_lab], provider[a1c][with_lab])

        # CPT II eye exam codes reported by the PCP for some diabetics: about 4% of visits at the plan's
        # usual eye-exam propensity (0.45), following it so that a planted EED panel moves these too.
        eye2 = index[diabetic & ~telehealth & (rng.random(k) < 0.09 * m.propensity["EED"][member])]
        eye2_code = np.where(m.retinopathy[member[eye2]], self.choice(HCPCS, C.EYE_EXAM_CPT2_WITH_RETINOPATHY, len(eye2)),
                             np.where(rng.random(len(eye2)) < 0.3, HCPCS.idx(C.EYE_EXAM_LOW_RISK),
                                      self.choice(HCPCS, C.EYE_EXAM_CPT2_WITHOUT_RETINOPATHY, len(eye2))))
        parts.append({"claim": eye2, "hcpcs": eye2_code})

        # Routine labs drawn in the office.
        labs = index[~child & ~telehealth & (rng.random(k) < 0.30)]
        lab_code = self.choice(HCPCS, C.ROUTINE_LABS, len(labs))
        parts.append({"claim": labs, "hcpcs": lab_code, "mod1": np.where(rng.random(len(labs)) < 0.1, MODIFIERS.idx("QW"), -1)})
        parts.append({"claim": labs, "hcpcs": HCPCS.idx(C.VENIPUNCTURE)})
        cholesterol = labs[(lab_code == HCPCS.idx("80061")) & (rng.random(len(labs)) < 0.5)]
        self.labs.add(member[cholesterol], day[cholesterol], 1,
                      np.round(rng.normal(195, 35, len(cholesterol)).clip(100, 350), 0), provider[cholesterol])
        glucose = labs[(lab_code == HCPCS.idx("80053")) & (rng.random(len(labs)) < 0.3)]
        self.labs.add(member[glucose], day[glucose], 2,
                      np.round(rng.normal(105, 25, len(glucose)).clip(60, 400), 0), provider[glucose])
        self.lines.emit(claims, parts)

        # Lab-only HbA1c results (supplemental data with no claim).
        d_member, d_day, _ = self.events(np.where(m.diabetes, 0.35, 0.0))
        self.labs.add(d_member, d_day, 0, self.a1c_values(d_member, d_day), m.pcp[d_member])

    def preventive_visits(self) -> None:
        m, rng = self.m, self.rng
        age = m.age_end
        rate = np.select([age < 2, age < 18, age < 65], [0.0, 0.6, 0.45], 0.55)
        member, day, _ = self.events(rate)
        k = len(member)
        a = self.age(member, day)
        new = rng.random(k) < 0.12
        child_band = np.clip(np.digitize(a, [1, 5, 12]), 0, 3)
        adult_band = np.clip(np.digitize(a, [40, 65]), 0, 2)
        child = a < 18
        code = np.where(child, np.where(new, HCPCS.indices(C.PREVENTIVE_INITIAL_CHILD)[child_band],
                                        HCPCS.indices(C.PREVENTIVE_ESTABLISHED_CHILD)[child_band]),
                        np.where(new, HCPCS.indices(C.PREVENTIVE_INITIAL_ADULT)[adult_band],
                                 HCPCS.indices(C.PREVENTIVE_ESTABLISHED_ADULT)[adult_band]))
        wellness = (a >= 65) & (rng.random(k) < 0.5) & (m.line_on(member, day) == MEDICARE)
        code = np.where(wellness, self.choice(HCPCS, C.ANNUAL_WELLNESS, k), code)
        dx1 = np.where(child, self.choice(ICD, C.DX_WELL_CHILD, k), self.choice(ICD, C.DX_WELL_ADULT, k))
        flu = child & (rng.random(k) < 0.4)
        provider = self.pcp_or_colleague(member)
        index = np.arange(k)
        claims = {"member": member, "start": day, "end": day, "pos": POS.idx("11"), "rendering": provider,
                  "billing": provider, "dx1": dx1, "dx2": np.where(flu, ICD.idx(C.DX_IMMUNIZATION), -1)}
        labs = index[~child & (rng.random(k) < 0.4)]
        parts = [{"claim": index, "hcpcs": code},
                 {"claim": index[flu], "hcpcs": HCPCS.idx("90686")},
                 {"claim": index[flu], "hcpcs": HCPCS.idx("90460")},
                 {"claim": labs, "hcpcs": self.choice(HCPCS, C.ROUTINE_LABS, len(labs))},
                 {"claim": labs, "hcpcs": HCPCS.idx(C.VENIPUNCTURE)}]
        self.lines.emit(claims, parts)

    def well_child_and_vaccines(self) -> None:
        """Well-child visits in the first two years with the CIS vaccines, plus registry copies."""
        m, rng = self.m, self.rng
        young = np.flatnonzero(m.birth > self.window.start - 2 * 366 - 31)
        if len(young) == 0:
            return
        complete = rng.random(len(young)) < m.propensity["CIS"][young]
        self.cis_complete[young] = complete
        visit_ages = sorted({a for v in C.CHILD_VACCINES for a in v[3]} | {5, 274, 548, 730})
        jitter = rng.integers(0, 21, size=(len(young), len(visit_ages)))
        visit_day = (m.birth[young][:, None] + np.array(visit_ages)[None, :] + jitter).astype(np.int32)
        # A "complete" child comes to every visit and gets every dose (CIS counts all ten antigens, so
        # any miss fails it); the others miss visits and doses.
        shows_up = (rng.random(visit_day.shape) < np.where(complete, 1.0, 0.75)[:, None])
        child_index = np.repeat(np.arange(len(young)), len(visit_ages))
        visit_slot = np.tile(np.arange(len(visit_ages)), len(young))
        member = young[child_index]
        day = visit_day.ravel()
        attended = shows_up.ravel()
        covered = m.covered(member, day) & (day <= self.window.end)
        keep = attended & covered
        claim_of_visit = np.cumsum(keep) - 1
        kept_member, kept_day, kept_slot = member[keep], day[keep], visit_slot[keep]
        k = len(kept_member)
        a = self.age(kept_member, kept_day)
        first = kept_slot == 0
        code = np.where(first, HCPCS.idx("99381"), np.where(a < 1, HCPCS.idx("99391"), HCPCS.idx("99392")))
        provider = self.pcp_or_colleague(kept_member)
        claims = {"member": kept_member, "start": kept_day, "end": kept_day, "pos": POS.idx("11"),
                  "rendering": provider, "billing": provider, "dx1": self.choice(ICD, C.DX_WELL_CHILD, k),
                  "dx2": ICD.idx(C.DX_IMMUNIZATION)}
        parts = [{"claim": np.arange(k), "hcpcs": code}]
        for v, (antigen, cpt, cvx, dose_ages) in enumerate(C.CHILD_VACCINES):
            for dose_age in dose_ages:
                slot = visit_ages.index(dose_age)
                rows = np.flatnonzero(visit_slot == slot)
                given = np.where(complete[child_index[rows]], rng.random(len(rows)) < 1.0,
                                 rng.random(len(rows)) < 0.55)
                on_claim = rows[keep[rows] & given]
                vaccine = np.full(len(on_claim), HCPCS.idx(cpt), dtype=np.int32)
                if antigen in C.CHILD_VACCINE_ALTERNATIVES:
                    vaccine = np.where(rng.random(len(on_claim)) < 0.3,
                                       HCPCS.idx(C.CHILD_VACCINE_ALTERNATIVES[antigen]), vaccine)
                parts.append({"claim": claim_of_visit[on_claim], "hcpcs": vaccine})
                parts.append({"claim": claim_of_visit[on_claim], "hcpcs": HCPCS.idx("90460")})
                # Registry: copies of a quarter of the billed doses, and doses given elsewhere (not billed).
                copied = on_claim[rng.random(len(on_claim)) < 0.25]
                elsewhere = rows[given & ~keep[rows] & (rng.random(len(rows)) < 0.5)
                                 & (day[rows] <= self.window.end) & (day[rows] >= self.window.start)]
                registry = np.concatenate([copied, elsewhere])
                self.registry.member.append(member[registry])
                self.registry.day.append(day[registry])
                self.registry.vaccine.append(np.full(len(registry), v, dtype=np.int16))
        self.lines.emit(claims, parts)

    def screenings(self) -> None:
        m, rng = self.m, self.rng
        # Mammography: women 40-74, yearly propensity (planted providers shift BCS).
        women = m.female & (m.age_end >= 40) & (m.age_end <= 76) & ~m.mastectomy
        rate = np.where(women, np.where(m.age_end >= 50, m.propensity["BCS"], 0.3), 0.0)
        member, day, _ = self.events(rate * 1.1)  # Poisson thinning by enrollment; ~propensity per year
        k = len(member)
        facility = self.specialist("radiology imaging center", k)
        self.lines.emit({"member": member, "start": day, "end": day, "pos": POS.idx("22"), "rendering": facility,
                         "billing": facility, "dx1": ICD.idx(C.DX_SCREEN_MAMMO)},
                        [{"claim": np.arange(k), "hcpcs": self.choice(HCPCS, C.MAMMOGRAPHY, k),
                          "mod1": np.where(rng.random(k) < 0.2, MODIFIERS.idx("26"), -1)}])

        # Colorectal screening: 45-75.
        eligible = (m.age_end >= 45) & (m.age_end <= 76)
        member, day, _ = self.events(np.where(eligible, m.propensity["COL"], 0.0))
        k = len(member)
        kind = np.digitize(rng.random(k), [0.35, 0.85, 0.97])  # colonoscopy, FIT, sDNA, CT colonography
        code = np.select([kind == 0, kind == 1, kind == 2],
                         [self.choice(HCPCS, C.COLONOSCOPY, k), self.choice(HCPCS, C.FIT, k),
                          np.full(k, HCPCS.idx(C.SDNA_FIT))], HCPCS.idx(C.CT_COLONOGRAPHY))
        provider = np.select([kind == 0, kind == 3], [self.specialist("gastroenterology", k),
                                                      self.specialist("radiology imaging center", k)],
                             self.specialist("clinical laboratory", k)).astype(np.int32)
        self.lines.emit({"member": member, "start": day, "end": day,
                         "pos": np.where(kind == 0, POS.idx("24"), np.where(kind == 3, POS.idx("22"), POS.idx("81"))),
                         "rendering": provider, "billing": provider, "dx1": self.choice(ICD, C.DX_SCREEN_COLON, k)},
                        [{"claim": np.arange(k), "hcpcs": code,
                          "mod1": np.where((kind == 0) & (rng.random(k) < 0.15), MODIFIERS.idx("33"), -1)}])

        # Cervical screening: women 21-64; Pap, Pap + HPV co-test (30+), or HPV alone (30+).
        women = m.female & (m.age_end >= 21) & (m.age_end <= 65)
        member, day, _ = self.events(np.where(women, m.propensity["CCS"], 0.0))
        k = len(member)
        a = self.age(member, day)
        r = rng.random(k)
        pap = (a < 30) | (r < 0.75)
        hpv = (a >= 30) & (r >= 0.35)
        provider = np.where(rng.random(k) < 0.5, self.specialist("obstetrics and gynecology", k), m.pcp[member]).astype(np.int32)
        index = np.arange(k)
        self.lines.emit({"member": member, "start": day, "end": day, "pos": POS.idx("11"), "rendering": provider,
                         "billing": provider, "dx1": self.choice(ICD, C.DX_SCREEN_CERVIX, k)},
                        [{"claim": index[pap], "hcpcs": self.choice(HCPCS, C.PAP, pap.sum())},
                         {"claim": index[hpv], "hcpcs": self.choice(HCPCS, C.HPV, hpv.sum())}])

        # Diabetic eye exams by eye-care professionals (and routine eye exams for others).
        rate = np.where(m.diabetes, m.propensity["EED"], 0.06)
        member, day, _ = self.events(rate)
        k = len(member)
        eye = np.where(rng.random(k) < 0.6, self.specialist("optometry", k), self.specialist("ophthalmology", k))
        diabetic = m.diabetes[member]
        retinopathy = m.retinopathy[member]
        dx1 = np.where(diabetic, np.where(retinopathy, self.choice(ICD, C.DX_RETINOPATHY, k),
                                          self.choice(ICD, C.DX_DIABETES, k)), self.choice(ICD, C.DX_EYE, k))
        index = np.arange(k)
        with_cpt2 = index[diabetic & (rng.random(k) < 0.35)]
        cpt2 = np.where(retinopathy[with_cpt2], self.choice(HCPCS, C.EYE_EXAM_CPT2_WITH_RETINOPATHY, len(with_cpt2)),
                        self.choice(HCPCS, C.EYE_EXAM_CPT2_WITHOUT_RETINOPATHY, len(with_cpt2)))
        self.lines.emit({"member": member, "start": day, "end": day, "pos": POS.idx("11"), "rendering": eye,
                         "billing": eye, "dx1": dx1, "dx2": np.where(diabetic & m.hypertension[member],
                                                                      ICD.idx(C.DX_HYPERTENSION), -1)},
                        [{"claim": index, "hcpcs": self.choice(HCPCS, C.EYE_EXAM_CPT, k)},
                         {"claim": with_cpt2, "hcpcs": cpt2}])

        # Bilateral mastectomy, once, for a few women (modifier 50 in slot 1, sometimes in slot 2 or 3).
        member, day, _ = self.events(np.where(m.mastectomy, 0.5, 0.0))
        first = np.unique(member, return_index=True)[1]
        member, day = member[first], day[first]
        k = len(member)
        surgeon = self.specialist("general surgery", k)
        slot = np.digitize(rng.random(k), [0.6, 0.85])  # 0, 1 or 2: where modifier 50 goes
        self.lines.emit({"member": member, "start": day, "end": day, "pos": POS.idx("22"), "rendering": surgeon,
                         "billing": surgeon, "dx1": self.choice(ICD, C.DX_BREAST_CANCER, k)},
                        [{"claim": np.arange(k), "hcpcs": HCPCS.idx(C.BILATERAL_MASTECTOMY),
                          "mod1": np.where(slot == 0, MODIFIERS.idx("50"), MODIFIERS.idx("59")),
                          "mod2": np.select([slot == 1, slot == 2], [MODIFIERS.idx("50"), MODIFIERS.idx("GA")], -1),
                          "mod3": np.where(slot == 2, MODIFIERS.idx("50"), -1)}])

    def specialist_visits(self) -> None:
        m, rng = self.m, self.rng
        age = m.age_end
        rate = np.where(age < 18, 0.25, np.where(age < 65, 0.9, 1.8)) + 0.4 * m.diabetes
        member, day, _ = self.events(rate)
        k = len(member)
        r = rng.random(k)
        specialty = np.where(m.diabetes[member] & (r < 0.35), 1,
                             np.where(m.female[member] & (age[member] >= 15) & (r < 0.55), 2,
                                      np.where(r < 0.8, 0, np.where(r < 0.9, 3, 4))))
        names = ("cardiology", "endocrinology", "obstetrics and gynecology", "gastroenterology", "general surgery")
        provider = np.select([specialty == i for i in range(5)], [self.specialist(s, k) for s in names]).astype(np.int32)
        dx_tables = (C.DX_CARDIOLOGY, C.DX_ENDO, C.DX_OBGYN, C.DX_GASTRO, C.DX_GENERAL)
        dx1 = np.select([specialty == i for i in range(5)], [self.choice(ICD, t, k) for t in dx_tables])
        proc_table = np.array([HCPCS.idx("93000"), HCPCS.idx("95251"), HCPCS.idx("58100"), HCPCS.idx("45378"),
                               HCPCS.idx("76700")])
        index = np.arange(k)
        with_procedure = index[rng.random(k) < 0.35]
        second_modifier = rng.random(len(with_procedure)) < 0.05
        em = np.where(rng.random(k) < 0.3, self.choice(HCPCS, C.OFFICE_NEW, k), self.choice(HCPCS, C.OFFICE_ESTABLISHED, k))
        self.lines.emit({"member": member, "start": day, "end": day, "pos": POS.idx("11"), "rendering": provider,
                         "billing": provider, "dx1": dx1,
                         "dx2": np.where(m.hypertension[member], ICD.idx(C.DX_HYPERTENSION), -1)},
                        [{"claim": index, "hcpcs": em, "reversible": True},
                         {"claim": with_procedure, "hcpcs": proc_table[specialty[with_procedure]],
                          "mod1": np.where(rng.random(len(with_procedure)) < 0.1, MODIFIERS.idx("59"), -1),
                          "mod2": np.where(second_modifier, MODIFIERS.idx("26"), -1),
                          "mod3": np.where(second_modifier & (rng.random(len(with_procedure)) < 0.5),
                                           MODIFIERS.idx("GA"), -1)}])

    def emergency_visits(self) -> None:
        m, rng = self.m, self.rng
        rate = np.where(m.age_end >= 65, 0.30, 0.16) + 0.2 * m.frailty
        member, day, _ = self.events(rate)
        k = len(member)
        hospital = self.specialist("hospital", k)
        physician = self.specialist("internal medicine", k)
        dx1 = self.choice(ICD, C.DX_ED, k)
        em = self.choice(HCPCS, C.ED_VISIT, k)
        index = np.arange(k)
        self.lines.emit({"member": member, "start": day, "end": day, "pos": POS.idx("23"), "rendering": physician,
                         "billing": hospital, "facility": hospital, "dx1": dx1},
                        [{"claim": index, "hcpcs": em, "mod1": np.where(rng.random(k) < 0.3, MODIFIERS.idx("25"), -1)}])
        ancillary = np.repeat(index, rng.integers(1, 4, k))
        self.lines.emit({"member": member, "start": day, "end": day, "claim_type": np.int8(INSTITUTIONAL),
                         "bill_type": BILL_TYPES.idx(C.OUTPATIENT_BILL_TYPE), "rendering": hospital,
                         "billing": hospital, "facility": hospital, "dx1": dx1},
                        [{"claim": index, "revenue": self.choice(REVENUE, C.REVENUE_ED, k), "hcpcs": em},
                         {"claim": ancillary, "revenue": self.choice(REVENUE, C.REVENUE_ANCILLARY, len(ancillary))}])

    def inpatient_stays(self) -> None:
        m, rng = self.m, self.rng
        age = m.age_end
        rate = (np.select([age < 18, age < 65], [0.02, 0.05], 0.16) + 0.2 * m.frailty + 0.3 * m.advanced_illness)
        member, admit, _ = self.events(rate)
        # Readmissions within 30 days for some stays, and a stay discharged to hospice for hospice members.
        readmit = rng.random(len(member)) < 0.12
        hospice_members = np.flatnonzero((m.hospice_start != NO_DATE) & (rng.random(len(m)) < 0.5))
        length = (1 + rng.geometric(0.3, len(member))).clip(1, 20)
        to_hospice_admit = m.hospice_start[hospice_members] - 1 - (1 + rng.geometric(0.3, len(hospice_members))).clip(1, 10)
        re_member = member[readmit]
        re_admit = admit[readmit] + length[readmit] + rng.integers(2, 29, readmit.sum())
        member = np.concatenate([member, re_member, hospice_members]).astype(np.int64)
        admit = np.concatenate([admit, re_admit, to_hospice_admit]).astype(np.int32)
        to_hospice = np.concatenate([np.zeros(len(length) + len(re_member), bool), np.ones(len(hospice_members), bool)])
        length = np.concatenate([length, (1 + rng.geometric(0.3, len(re_member))).clip(1, 20),
                                 m.hospice_start[hospice_members] - 1 - to_hospice_admit])
        discharge = (admit + length).astype(np.int32)
        keep = m.covered(member, admit) & m.covered(member, discharge) & (discharge <= self.window.end)
        member, admit, discharge, to_hospice = member[keep], admit[keep], discharge[keep], to_hospice[keep]
        length = discharge - admit
        k = len(member)
        dies = (m.death[member] >= discharge) & (m.death[member] <= discharge + 2)
        disposition = np.where(to_hospice, self.choice(DISPOSITION, C.DISCHARGE_TO_HOSPICE, k),
                               np.where(dies, DISPOSITION.idx("20"), self.choice(DISPOSITION, C.DISCHARGE_OTHER, k)))
        hospital = self.specialist("hospital", k)
        dx1 = np.where(to_hospice, self.choice(ICD, C.DX_HOSPICE, k), self.choice(ICD, C.DX_INPATIENT, k))
        dx2 = np.where(m.diabetes[member], self.choice(ICD, C.DX_DIABETES, k),
                       np.where(m.hypertension[member], ICD.idx(C.DX_HYPERTENSION), -1))
        dx3 = np.where(m.advanced_illness[member], self.choice(ICD, C.DX_ADVANCED_ILLNESS, k), -1)
        with_pcs = rng.random(k) < 0.3
        index = np.arange(k)
        ancillary = np.repeat(index, rng.integers(2, 5, k))
        self.lines.emit({"member": member, "start": admit, "end": discharge, "admission": admit,
                         "discharge": discharge, "claim_type": np.int8(INSTITUTIONAL),
                         "bill_type": BILL_TYPES.idx(C.INPATIENT_BILL_TYPE), "drg": self.choice(DRG, C.MS_DRG, k),
                         "disposition": disposition, "admit_type": np.where(rng.random(k) < 0.7, 0, 2),
                         "admit_source": np.where(rng.random(k) < 0.6, ADMIT_SOURCE.idx("7"), ADMIT_SOURCE.idx("1")),
                         "rendering": hospital, "billing": hospital, "facility": hospital,
                         "dx1": dx1, "dx2": dx2, "dx3": dx3,
                         "pcs1": np.where(with_pcs, self.choice(PCS, C.ICD10_PCS, k), -1),
                         "pcs_date1": np.where(with_pcs, admit + (rng.random(k) * length).astype(np.int32), NO_DATE)},
                        [{"claim": index, "revenue": self.choice(REVENUE, C.REVENUE_ROOM_AND_BOARD, k),
                          "units": length.astype(np.float64)},
                         {"claim": ancillary, "revenue": self.choice(REVENUE, C.REVENUE_ANCILLARY, len(ancillary))}])
        # The attending physician's professional claim (place of service 21): admit, daily, discharge.
        physician = self.specialist("internal medicine", k)
        daily_count = np.minimum(length - 1, 4).clip(0)
        daily = np.repeat(index, daily_count)
        daily_day = admit[daily] + 1 + (np.arange(len(daily)) - np.repeat(np.cumsum(daily_count) - daily_count, daily_count))
        self.lines.emit({"member": member, "start": admit, "end": discharge, "pos": POS.idx("21"),
                         "rendering": physician, "billing": physician, "dx1": dx1, "dx2": dx2},
                        [{"claim": index, "hcpcs": self.choice(HCPCS, ("99221", "99222", "99223"), k),
                          "line_start": admit, "line_end": admit},
                         {"claim": daily, "hcpcs": self.choice(HCPCS, ("99231", "99232", "99233"), len(daily)),
                          "line_start": daily_day.astype(np.int32), "line_end": daily_day.astype(np.int32)},
                         {"claim": index, "hcpcs": HCPCS.idx("99238"), "line_start": discharge, "line_end": discharge}])

    def hospice_claims(self) -> None:
        """Monthly hospice claims (revenue 0651, bill type 81x) from hospice start to death or window end."""
        m, rng = self.m, self.rng
        members = np.flatnonzero(m.hospice_start != NO_DATE)
        if len(members) == 0:
            return
        stop = np.minimum(m.death[members], self.window.end)
        months = ((stop - m.hospice_start[members]) // 30 + 1).clip(1, 40)
        member = np.repeat(members, months)
        period = np.arange(len(member)) - np.repeat(np.cumsum(months) - months, months)
        start = (m.hospice_start[member] + 30 * period).astype(np.int32)
        end = np.minimum(start + 29, np.minimum(m.death[member], self.window.end)).astype(np.int32)
        keep = m.covered(member, start)
        member, start, end, period = member[keep], start[keep], end[keep], period[keep]
        k = len(member)
        last = np.r_[member[1:] != member[:-1], True] if k else np.zeros(0, bool)
        bill = np.where(period == 0, np.where(last, BILL_TYPES.idx("811"), BILL_TYPES.idx("812")),
                        np.where(last & (m.death[member] <= end), BILL_TYPES.idx("814"), BILL_TYPES.idx("813")))
        agency = self.specialist("hospice", k)
        index = np.arange(k)
        self.lines.emit({"member": member, "start": start, "end": end, "claim_type": np.int8(INSTITUTIONAL),
                         "bill_type": bill, "rendering": agency, "billing": agency, "facility": agency,
                         "dx1": self.choice(ICD, C.DX_HOSPICE, k)},
                        [{"claim": index, "revenue": REVENUE.idx(C.REVENUE_HOSPICE),
                          "hcpcs": self.choice(HCPCS, ("Q5001", "Q5002"), k), "units": (end - start + 1).astype(np.float64)}])

    def frailty_devices(self) -> None:
        m = self.m
        member, day, _ = self.events(np.where(m.frailty, 0.5, 0.0))
        k = len(member)
        supplier = self.specialist("durable medical equipment", k)
        self.lines.emit({"member": member, "start": day, "end": day, "pos": POS.idx("12"), "rendering": supplier,
                         "billing": supplier, "dx1": self.choice(ICD, C.DX_FRAILTY, k)},
                        [{"claim": np.arange(k), "hcpcs": self.choice(HCPCS, C.FRAILTY_DEVICE, k),
                          "mod1": np.where(self.rng.random(k) < 0.5, MODIFIERS.idx("RT"), -1)}])

    def draw_all(self) -> None:
        self.office_visits()
        self.preventive_visits()
        self.well_child_and_vaccines()
        self.screenings()
        self.specialist_visits()
        self.emergency_visits()
        self.inpatient_stays()
        self.hospice_claims()
        self.frailty_devices()

    # -- output ------------------------------------------------------------------------------------

    def table(self, claim_id_base: int, member_ids: pa.Array, provider_npi: pa.Array, provider_tin: pa.Array,
              in_network: np.ndarray) -> tuple[pa.Table, int]:
        """The block's claim lines (with reversals appended) as an Arrow table, and the reversal count."""
        col = self.lines.columns()
        rng = self.rng
        n_lines = len(col["member"])
        # Amounts and spellings are drawn per original line, so a reversal mirrors its line exactly.
        col["hcpcs_text"] = self.untidy(col["hcpcs"], 0.02)
        for i in range(1, 5):
            col[f"dx{i}_text"] = self.untidy(col[f"dx{i}"], 0.04)
        provider_for_network = np.where(col["claim_type"] == INSTITUTIONAL, col["facility"], col["rendering"])
        col["network"] = in_network[provider_for_network]
        price = np.where(col["revenue"] >= 0, _REVENUE_PRICE[col["revenue"]] * col["units"],
                         np.where(col["hcpcs"] >= 0, _HCPCS_PRICE[np.maximum(col["hcpcs"], 0)], 0.0))
        col["allowed"] = np.round(price * rng.lognormal(0.0, 0.15, n_lines), 2)
        col["paid"] = np.round(col["allowed"] * np.where(col["network"], rng.uniform(0.75, 0.95, n_lines), 0.55), 2)
        col["paid_day"] = (col["end"] + rng.integers(12, 50, n_lines)).astype(np.int32)
        # Reversals: a share of E/M lines is reversed by a negative-paid copy with the same claim id and line.
        reversed_rows = np.flatnonzero(col["reversible"] & (rng.random(n_lines) < 0.012))
        order = np.concatenate([np.arange(n_lines), reversed_rows])
        col = {name: values[order] for name, values in col.items()}
        # Kept for the answer key: the original lines (views of the first rows, no copy) and the reversed ones.
        self.line_columns = {name: values[:n_lines] for name, values in col.items()}
        self.reversed_lines = reversed_rows
        is_reversal = np.arange(len(order)) >= n_lines
        col["paid_day"] = np.where(is_reversal, col["paid_day"] + rng.integers(20, 90, len(order)), col["paid_day"])
        hcpcs = col["hcpcs_text"]
        dx = {i: col[f"dx{i}_text"] for i in range(1, 5)}
        network = col["network"]
        allowed, paid, paid_day = col["allowed"], col["paid"], col["paid_day"].astype(np.int32)
        sign = np.where(is_reversal, -1.0, 1.0)
        line_of_business = self.m.line_on(col["member"], col["start"])
        n = len(order)
        npi_vocab, tin_vocab = provider_npi, provider_tin
        claim_type_vocab = pa.array(["professional", "institutional"])
        columns = {
            "claim_id": prefixed_ids("C", claim_id_base + col["claim_number"], width=10),
            "claim_line_number": pa.array(col["line_number"].astype(np.int64)),
            "claim_type": coded(col["claim_type"].astype(np.int32), claim_type_vocab),
            "person_id": member_ids.take(pa.array(col["member"])),
            "payer": coded(line_of_business.astype(np.int32), pa.array(PAYERS)),
            "plan": coded(line_of_business.astype(np.int32), pa.array(PLANS)),
            "claim_start_date": iso_dates(col["start"]),
            "claim_end_date": iso_dates(col["end"]),
            "claim_line_start_date": iso_dates(col["line_start"]),
            "claim_line_end_date": iso_dates(col["line_end"]),
            "admission_date": iso_dates(col["admission"]),
            "discharge_date": iso_dates(col["discharge"]),
            "admit_source_code": coded(col["admit_source"], ADMIT_SOURCE.arrow()),
            "admit_type_code": coded(col["admit_type"], ADMIT_TYPE.arrow()),
            "discharge_disposition_code": coded(col["disposition"], DISPOSITION.arrow()),
            "place_of_service_code": coded(col["pos"], POS.arrow()),
            "bill_type_code": coded(col["bill_type"], BILL_TYPES.arrow()),
            "drg_code_type": coded(np.where(col["drg"] >= 0, 0, -1), pa.array(["ms-drg"])),
            "drg_code": coded(col["drg"], DRG.arrow()),
            "revenue_center_code": coded(col["revenue"], REVENUE.arrow()),
            "service_unit_quantity": pa.array(col["units"].astype(np.float64)),
            "hcpcs_code": coded(hcpcs, HCPCS.arrow()),
            "hcpcs_modifier_1": coded(col["mod1"], MODIFIERS.arrow()),
            "hcpcs_modifier_2": coded(col["mod2"], MODIFIERS.arrow()),
            "hcpcs_modifier_3": coded(col["mod3"], MODIFIERS.arrow()),
            "hcpcs_modifier_4": constant(None, n),  # only planted edge members use slots 4 and 5
            "hcpcs_modifier_5": constant(None, n),
            "rendering_npi": coded(col["rendering"], npi_vocab),
            "rendering_tin": coded(col["rendering"], tin_vocab),
            "billing_npi": coded(col["billing"], npi_vocab),
            "billing_tin": coded(col["billing"], tin_vocab),
            "facility_npi": coded(col["facility"], npi_vocab),
            "paid_date": iso_dates(paid_day),
            "paid_amount": money(sign * paid),
            "allowed_amount": money(sign * allowed),
            "charge_amount": money(sign * allowed * 1.7),
            "diagnosis_code_type": constant("icd-10-cm", n),
            "diagnosis_code_1": coded(dx[1], ICD.arrow()),
            "diagnosis_code_2": coded(dx[2], ICD.arrow()),
            "diagnosis_code_3": coded(dx[3], ICD.arrow()),
            "diagnosis_code_4": coded(dx[4], ICD.arrow()),
            "procedure_code_type": coded(np.where(col["pcs1"] >= 0, 0, -1), pa.array(["icd-10-pcs"])),
            "procedure_code_1": coded(col["pcs1"], PCS.arrow()),
            "procedure_date_1": iso_dates(col["pcs_date1"]),
            "in_network_flag": pa.array(network.astype(np.int64)),
            "data_source": constant("hmoqa synthetic plan", n),
        }
        return pa.table(columns), int(is_reversal.sum())


MEDICAL_CLAIM_COLUMNS = {
    "claim_id": "text", "claim_line_number": "int", "claim_type": "coded", "person_id": "text",
    "payer": "coded", "plan": "coded", "claim_start_date": "coded", "claim_end_date": "coded",
    "claim_line_start_date": "coded", "claim_line_end_date": "coded", "admission_date": "coded",
    "discharge_date": "coded", "admit_source_code": "coded", "admit_type_code": "coded",
    "discharge_disposition_code": "coded", "place_of_service_code": "coded", "bill_type_code": "coded",
    "drg_code_type": "coded", "drg_code": "coded", "revenue_center_code": "coded",
    "service_unit_quantity": "float", "hcpcs_code": "coded", "hcpcs_modifier_1": "coded",
    "hcpcs_modifier_2": "coded", "hcpcs_modifier_3": "coded", "hcpcs_modifier_4": "coded",
    "hcpcs_modifier_5": "coded", "rendering_npi": "coded", "rendering_tin": "coded",
    "billing_npi": "coded", "billing_tin": "coded", "facility_npi": "coded", "paid_date": "coded",
    "paid_amount": "float",
    "allowed_amount": "float", "charge_amount": "float", "diagnosis_code_type": "coded",
    "diagnosis_code_1": "coded", "diagnosis_code_2": "coded", "diagnosis_code_3": "coded",
    "diagnosis_code_4": "coded", "procedure_code_type": "coded", "procedure_code_1": "coded",
    "procedure_date_1": "coded", "in_network_flag": "int", "data_source": "coded",
}
