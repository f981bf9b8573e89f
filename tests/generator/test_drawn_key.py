"""The drawn members' clinical facts on a hand-built block of five members (answers in the comments)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np

from pipelines.generator.arrays import day_number
from pipelines.generator.claims import HCPCS, ICD, INSTITUTIONAL, POS, PROFESSIONAL, LabResults, RegistryDoses
from pipelines.generator.drawn_key import drawn_facts
from pipelines.generator.members import Members

SPECIALTY = ["family medicine", "optometry", "internal medicine"]
PCP, OPTOMETRIST, INTERNIST = 0, 1, 2


def _d(text: str) -> int:
    return day_number(dt.date.fromisoformat(text))


class _People:
    def __init__(self, births: list[str]) -> None:
        self.birth = np.array([_d(b) for b in births], dtype=np.int32)

    def __len__(self) -> int:
        return len(self.birth)

    age_on = Members.age_on


def _block(births, claims, reversed_claims=(), labs=()):
    """`claims`: (member, date, [codes], [diagnoses], provider, place of service); one line per code."""
    rows = []
    for number, (member, day, codes, dx, provider, pos) in enumerate(claims):
        for code in codes:
            rows.append((number, member, _d(day), code, dx, provider, pos))
    n = len(rows)
    col = {
        "member": np.array([r[1] for r in rows]), "claim_number": np.array([r[0] for r in rows], dtype=np.int64),
        "hcpcs": np.array([HCPCS.idx(r[3]) for r in rows], dtype=np.int32),
        "line_start": np.array([r[2] for r in rows], dtype=np.int32),
        "start": np.array([r[2] for r in rows], dtype=np.int32), "end": np.array([r[2] for r in rows], dtype=np.int32),
        "pos": np.array([POS.idx(r[6]) for r in rows], dtype=np.int32),
        "rendering": np.array([r[5] for r in rows], dtype=np.int32),
        "claim_type": np.full(n, PROFESSIONAL, dtype=np.int8),
        "revenue": np.full(n, -1, np.int32), "bill_type": np.full(n, -1, np.int32), "disposition": np.full(n, -1, np.int32),
        **{f"mod{k}": np.full(n, -1, np.int32) for k in (1, 2, 3)},
    }
    for k in range(4):
        col[f"dx{k + 1}"] = np.array([ICD.idx(r[4][k]) if len(r[4]) > k else -1 for r in rows], dtype=np.int32)
    assert (col["claim_type"] != INSTITUTIONAL).all()
    lab_results = LabResults()
    for member, day, value in labs:
        lab_results.add(np.array([member]), np.array([_d(day)]), 0, np.array([value]), np.array([PCP]))
    return SimpleNamespace(
        m=_People(births), roster=SimpleNamespace(specialty=SPECIALTY), line_columns=col,
        reversed_lines=np.flatnonzero(np.isin(col["claim_number"], reversed_claims)), labs=lab_results,
        registry=RegistryDoses())


def _no_fills():
    return (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, str))


def test_diabetes_eye_exams_and_hba1c():
    block = _block(
        ["1965-04-04", "1962-08-08"],
        [  # member 0: two diabetes visits; an eye exam CPT by an internist (does not count);
           # 3046F in March, then a lab value of 7.2 on the most recent day (Nov 2): not poor control.
            (0, "2025-02-03", ["99213"], ["E11.9"], PCP, "11"), (0, "2025-05-06", ["99213"], ["E11.9"], PCP, "11"),
            (0, "2025-06-01", ["92014"], ["E11.9"], INTERNIST, "11"),
            (0, "2025-03-01", ["99213", "83036", "3046F"], ["E11.9"], PCP, "11"),
            (0, "2025-11-02", ["99213", "83036"], ["E11.9"], PCP, "11"),
            # member 1: retinopathy billed in MY, so the 2024 exam by an optometrist is too early;
            # an 83036 alone on the most recent day is an assessment without a result: poor control.
            (1, "2025-02-03", ["99213"], ["E11.319"], PCP, "11"), (1, "2025-05-06", ["99213"], ["E11.9"], PCP, "11"),
            (1, "2024-09-09", ["92014"], ["E11.9"], OPTOMETRIST, "11"),
            (1, "2025-06-01", ["99213", "83036", "3044F"], ["E11.9"], PCP, "11"),
            (1, "2025-12-01", ["99213", "83036"], ["E11.9"], PCP, "11"),
        ],
        labs=[(0, "2025-11-02", 7.2)])
    facts = drawn_facts(block, 2025, _no_fills())
    assert facts.condition["EED"].tolist() == [True, True]
    assert facts.numerator["EED"].tolist() == [False, False]
    assert facts.numerator["GSD"].tolist() == [False, True]


def test_hypertension_visits_reversals_and_readings_near_an_ed_visit():
    block = _block(
        ["1967-01-01", "1967-01-01", "1967-01-01"],
        [  # member 0: hypertension shown (2024-03-03, 2025-02-02); 129/79 on Sep 9; on Nov 11 an office
           # reading 140/90 on the day of an ED visit: the whole day does not count, Sep 9 decides -> True.
            (0, "2024-03-03", ["99213"], ["I10"], PCP, "11"), (0, "2025-02-02", ["99213"], ["I10"], PCP, "11"),
            (0, "2025-09-09", ["99213", "3074F", "3078F"], ["I10"], PCP, "11"),
            (0, "2025-11-11", ["99284"], ["R07.9"], INTERNIST, "23"),
            (0, "2025-11-11", ["99213", "3077F", "3080F"], ["I10"], PCP, "11"),
            # member 1: the 2024 visit's only line is reversed: one visit left, not hypertensive.
            (1, "2024-03-03", ["99213"], ["I10"], PCP, "11"), (1, "2025-02-02", ["99213"], ["I10"], PCP, "11"),
            # member 2: two visits, the most recent reading day (Dec 1) has only a systolic code,
            # so Sep 9 (135/85) decides: controlled.
            (2, "2024-03-03", ["99213"], ["I10"], PCP, "11"), (2, "2025-02-02", ["99213"], ["I10"], PCP, "11"),
            (2, "2025-09-09", ["99213", "3075F", "3079F"], ["I10"], PCP, "11"),
            (2, "2025-12-01", ["99213", "3077F"], ["I10"], PCP, "11"),
        ],
        reversed_claims=[5])
    facts = drawn_facts(block, 2025, _no_fills())
    assert facts.condition["CBP"].tolist() == [True, False, True]
    assert facts.numerator["CBP"].tolist() == [True, False, True]


def test_frailty_with_advanced_illness_excludes_at_66_and_dementia_fills_count():
    block = _block(
        ["1955-05-05", "1955-05-05", "1962-05-05"],
        [  # member 0 (70): frailty symptom R54 in MY, Alzheimer's billed in 2024: excluded.
            (0, "2025-04-04", ["99213"], ["R54"], PCP, "11"), (0, "2024-06-06", ["99213"], ["G30.9"], PCP, "11"),
            # member 1 (70): frailty in MY and a donepezil fill in 2024: excluded.
            (1, "2025-04-04", ["99213"], ["Z74.09"], PCP, "11"),
            # member 2 (63): frailty and advanced illness but under 66: not excluded.
            (2, "2025-04-04", ["99213"], ["R54", "G30.9"], PCP, "11"),
        ])
    fills = (np.array([1]), np.array([_d("2024-12-20")]), np.array([30]), np.array(["997223"]))
    facts = drawn_facts(block, 2025, fills)
    assert facts.exclusion["COL"].tolist() == ["advanced_illness_frailty", "advanced_illness_frailty", ""]


def _canonical(vocabulary, text: str | None) -> int:
    """Index of the canonical spelling of a possibly untidy code (-1 for none)."""
    if text is None:
        return -1
    return vocabulary.values.index(text) // 3 * 3


def _block_of_cases(cases):
    """The planted members' hand-written claims and labs in the layout of a drawn block."""
    from pipelines.generator.arrays import NO_DATE
    from pipelines.generator.claims import BILL_TYPES, DISPOSITION, MODIFIERS, PCS, REVENUE
    from pipelines.generator.edge_cases import PCP as PCP_SPECIALTY

    specialties = sorted({c.provider for case in cases for c in case.claims} | {PCP_SPECIALTY})
    rows, labs = [], LabResults()
    claim_number = 0
    for index, case in enumerate(cases):
        for c in case.claims:
            inpatient = c.institutional and (c.bill_type or "")[:2] in ("11", "12")
            for line in c.lines:
                mods = list(line.modifiers) + [None] * (5 - len(line.modifiers))
                rows.append({
                    "member": index, "claim_number": claim_number, "hcpcs": _canonical(HCPCS, line.code),
                    "line_start": _d(c.start.isoformat()), "start": _d(c.start.isoformat()),
                    "end": _d((c.end or c.start).isoformat()),
                    "pos": POS.idx(c.place_of_service) if c.place_of_service else -1,
                    "rendering": specialties.index(c.provider),
                    "claim_type": INSTITUTIONAL if c.institutional else PROFESSIONAL,
                    "revenue": REVENUE.idx(line.revenue) if line.revenue else -1,
                    "bill_type": BILL_TYPES.idx(c.bill_type) if c.bill_type else -1,
                    "disposition": DISPOSITION.idx(c.discharge_status or "01") if inpatient else -1,
                    **{f"mod{k + 1}": MODIFIERS.idx(mods[k]) if mods[k] else -1 for k in range(5)},
                    **{f"dx{k + 1}": _canonical(ICD, c.diagnoses[k]) if k < len(c.diagnoses) else -1 for k in range(4)},
                    "pcs1": PCS.idx(c.procedure[0]) if c.procedure else -1,
                    "pcs_date1": _d(c.procedure[1].isoformat()) if c.procedure else NO_DATE,
                    "reversed": line.reversed})
            claim_number += 1
        for result in case.labs:
            labs.add(np.array([index]), np.array([_d(result.day.isoformat())]), 0, np.array([result.value]),
                     np.array([0]))
    col = {name: np.array([r[name] for r in rows]) for name in rows[0] if name != "reversed"}
    return SimpleNamespace(
        m=_People([c.birth.isoformat() for c in cases]), roster=SimpleNamespace(specialty=specialties),
        line_columns=col, reversed_lines=np.flatnonzero([r["reversed"] for r in rows]), labs=labs,
        registry=RegistryDoses())


def test_hand_stated_outcomes_of_the_planted_members_agree_with_the_computed_ones():
    """Two derivations of the planted members' clinical facts: stated by hand with each case, and
    computed from their claims by the code that keys the drawn members. They must agree."""
    from pipelines.generator.answer_key import MEASURES, planted_facts
    from pipelines.generator.edge_cases import edge_cases

    cases = [c for c in edge_cases(2025) if c.claims]
    stated = planted_facts(cases)
    computed = drawn_facts(_block_of_cases(cases), 2025, _no_fills())
    disagreements = []
    for measure, spec in MEASURES.items():
        for i, case in enumerate(cases):
            pairs = [("numerator", stated.numerator[measure][i], computed.numerator[measure][i])]
            if stated.numerator[measure][i]:
                pairs.append(("source", stated.numerator_source[measure][i], computed.numerator_source[measure][i]))
            if spec.condition:
                pairs.append(("condition", stated.condition[measure][i], computed.condition[measure][i]))
            reason = computed.exclusion[measure][i]
            pairs.append(("exclusion", stated.exclusion[measure][i] or "",
                          (reason or "").replace("hospice_encounter_claim", "hospice")))
            disagreements += [(case.name, measure, what, s, c) for what, s, c in pairs if s != c]
    assert disagreements == [], "\n".join(map(str, disagreements))
