"""Eligibility rows, chart abstraction (hybrid measures), chart audits and member surveys of a block."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from pipelines.contract import SURVEY_ITEMS
from pipelines.generator import codes as C
from pipelines.generator.arrays import NO_DATE, coded, constant, iso_dates, prefixed_ids
from pipelines.generator.claims import PAYERS, PLANS, BlockClaims
from pipelines.generator.members import LINE_NAMES, MEDICARE

# --- eligibility ------------------------------------------------------------------------------------

_RACES = pa.array(["white", "black or african american", "asian", "american indian or alaska native",
                   "native hawaiian or other pacific islander", "other race", "unknown"])
_RACE_SHARE = np.array([0.58, 0.14, 0.07, 0.01, 0.005, 0.095, 0.1])
_ZIPS = pa.array(["02108", "02115", "01002", "01604", "02740", "01852", "02138", "01301"])


def eligibility_table(block: BlockClaims, member_ids: pa.Array, provider_npi: pa.Array) -> pa.Table:
    m, rng = block.m, block.rng
    valid = m.seg_start != NO_DATE
    member, slot = np.nonzero(valid)
    start = m.seg_start[member, slot]
    end = m.seg_end[member, slot]
    n = len(member)
    line = m.line_on(member, start).astype(np.int32)
    died = m.death[member] != NO_DATE
    institutional = m.institutional[member] & (line == MEDICARE)
    snp_kind = (m.number[member] % 2) == 0  # half are institutional SNP enrollees, half long-term flagged only
    race = rng.choice(len(_RACE_SHARE), size=len(m), p=_RACE_SHARE).astype(np.int32)
    hispanic = rng.random(len(m)) < 0.17
    zip_index = rng.integers(0, len(_ZIPS), len(m)).astype(np.int32)
    under_65 = m.age_end < 65
    return pa.table({
        "person_id": member_ids.take(pa.array(member)),
        "member_id": prefixed_ids("M", m.number[member] + 1),
        "subscriber_id": prefixed_ids("S", m.number[member] + 1),
        "gender": coded(np.where(m.female[member], 0, 1).astype(np.int32), pa.array(["female", "male"])),
        "race": coded(race[member], _RACES),
        "ethnicity": coded(hispanic[member].astype(np.int32), pa.array(["not hispanic or latino", "hispanic or latino"])),
        "birth_date": iso_dates(m.birth[member]),
        "death_date": iso_dates(np.where(died, m.death[member], NO_DATE).astype(np.int32)),
        "death_flag": pa.array(died.astype(np.int64)),
        "enrollment_start_date": iso_dates(start),
        "enrollment_end_date": iso_dates(end),
        "payer": coded(line, pa.array(PAYERS)),
        "payer_type": coded(line, pa.array(LINE_NAMES)),
        "plan": coded(line, pa.array(PLANS)),
        "original_reason_entitlement_code": coded(np.where(line == MEDICARE, under_65[member].astype(np.int32), -1),
                                                  pa.array(["0", "1"])),
        "medicare_status_code": coded(np.where(line == MEDICARE, under_65[member].astype(np.int32), -1),
                                      pa.array(["10", "20"])),
        "state": constant("MA", n),
        "zip_code": coded(zip_index[member], _ZIPS),
        "data_source": constant("hmoqa synthetic plan", n),
        "hospice_flag": pa.array(m.seg_hospice[member, slot].astype(np.int64)),
        "institutional_snp_flag": pa.array((institutional & snp_kind).astype(np.int64)),
        "long_term_institutional_flag": pa.array(institutional.astype(np.int64)),
        "pcp_npi": coded(m.pcp[member], provider_npi),
    })


ELIGIBILITY_COLUMNS = {
    "person_id": "text", "member_id": "text", "subscriber_id": "text", "gender": "coded", "race": "coded",
    "ethnicity": "coded", "birth_date": "coded", "death_date": "coded", "death_flag": "int",
    "enrollment_start_date": "coded", "enrollment_end_date": "coded", "payer": "coded", "payer_type": "coded",
    "plan": "coded", "original_reason_entitlement_code": "coded", "medicare_status_code": "coded",
    "state": "coded", "zip_code": "coded", "data_source": "coded", "hospice_flag": "int",
    "institutional_snp_flag": "int", "long_term_institutional_flag": "int", "pcp_npi": "coded",
}

# --- medical record abstraction ---------------------------------------------------------------------

ABSTRACTORS = pa.array([f"ABS{i:02d}" for i in range(1, 7)])
_FINDINGS = pa.array(["numerator_event", "result_value", "exclusion", "no_evidence"])
_SYSTEMS = pa.array(["CPT", "LOINC", "CVX", "ICD10CM"])
_MEASURE_IDS = pa.array(["CBP", "CCS", "CIS", "EED", "GSD"])
_UNITS = pa.array(["mm[Hg]", "%"])


def _day_in_year(block: BlockClaims, year: np.ndarray, first_month_day: int = 0, last_offset: int = 364) -> np.ndarray:
    start = block.year_starts[year] + first_month_day
    span = np.minimum(block.year_starts[year] + last_offset, block.year_starts[year + 1] - 1) - start + 1
    return (start + (block.rng.random(len(year)) * span).astype(np.int64)).astype(np.int32)


def abstraction_table(block: BlockClaims, id_base: int, member_ids: pa.Array, provider_npi: pa.Array) -> pa.Table:
    m, rng = block.m, block.rng
    n, years = len(m), len(block.window.years)
    rows: dict[str, list[np.ndarray]] = {k: [] for k in ("member", "measure", "finding", "system", "code", "value",
                                                         "unit", "day")}
    code_text: list[str] = []

    def code_index(values: list[str]) -> np.ndarray:
        out = []
        for v in values:
            if v not in code_text:
                code_text.append(v)
            out.append(code_text.index(v))
        return np.array(out, dtype=np.int32)

    def add(member, measure, finding, system, code, value, unit, day) -> None:
        k = len(member)
        for key, v in (("member", member), ("measure", measure), ("finding", finding), ("system", system),
                       ("code", code), ("value", value), ("unit", unit), ("day", day)):
            rows[key].append(np.broadcast_to(np.asarray(v), (k,)).copy())

    cpt_pap, cpt_eye, cpt_eye2 = code_index(["88175", "92014", "2023F"])
    loinc_sys, loinc_dia, loinc_a1c = code_index([C.LOINC_SYSTOLIC, C.LOINC_DIASTOLIC, C.LOINC_HBA1C[0]])
    cervix_absent = code_index(["Z90.710"])[0]
    cvx_codes = code_index([v[2] for v in C.CHILD_VACCINES])
    for y, year in enumerate(block.window.years):
        age = m.age_on(np.arange(n), np.full(n, block.year_starts[y + 1] - 1))
        enrolled = m.covered(np.arange(n), np.full(n, block.year_starts[y + 1] - 1))
        sampled = enrolled & (rng.random(n) < 0.06)
        # CBP: the most recent reading in the chart, agreeing with the member-year control state.
        who = np.flatnonzero(sampled & m.hypertension & (age >= 18) & (age <= 85))
        day = _day_in_year(block, np.full(len(who), y), 180)
        controlled = block.bp_controlled[who, y]
        systolic = np.where(controlled, rng.normal(126, 7, len(who)).clip(100, 139), rng.normal(150, 8, len(who)).clip(140, 200))
        diastolic = np.where(controlled, rng.normal(78, 5, len(who)).clip(55, 89), rng.normal(88, 6, len(who)).clip(60, 110))
        for loinc, value in ((loinc_sys, systolic), (loinc_dia, diastolic)):
            add(who, 0, 1, 1, loinc, np.round(value), 0, day)
        # CCS: a cytology report, an absent cervix, or nothing found.
        who = np.flatnonzero(sampled & m.female & (age >= 24) & (age <= 64))
        day = _day_in_year(block, np.full(len(who), y))
        r = rng.random(len(who))
        found = r < m.propensity["CCS"][who] * 1.5
        excluded = ~found & (r > 0.98)
        add(who[found], 1, 0, 0, cpt_pap, np.nan, -1, day[found])
        add(who[excluded], 1, 2, 3, cervix_absent, np.nan, -1, day[excluded])
        rest = ~found & ~excluded
        add(who[rest], 1, 3, -1, -1, np.nan, -1, day[rest])
        # CIS: children turning 2 this year; complete records list every vaccine given.
        turning_two = enrolled & (age == 2) & (rng.random(n) < 0.2)
        who = np.flatnonzero(turning_two & block.cis_complete)
        for v in range(len(C.CHILD_VACCINES)):
            dose_day = np.minimum(m.birth[who] + C.CHILD_VACCINES[v][3][-1] + 10, block.year_starts[y + 1] - 1)
            add(who, 2, 0, 2, cvx_codes[v], np.nan, -1, dose_day.astype(np.int32))
        who = np.flatnonzero(turning_two & ~block.cis_complete)
        add(who, 2, 3, -1, -1, np.nan, -1, np.minimum(m.birth[who] + 700, block.year_starts[y + 1] - 1).astype(np.int32))
        # EED and GSD: diabetics 18-75.
        diabetic = np.flatnonzero(sampled & m.diabetes & (age >= 18) & (age <= 75))
        day = _day_in_year(block, np.full(len(diabetic), y))
        found = rng.random(len(diabetic)) < m.propensity["EED"][diabetic]
        add(diabetic[found], 3, 0, 0, np.where(rng.random(found.sum()) < 0.5, cpt_eye, cpt_eye2), np.nan, -1, day[found])
        add(diabetic[~found], 3, 3, -1, -1, np.nan, -1, day[~found])
        a1c = block.a1c_values(diabetic, day)
        add(diabetic, 4, 1, 1, loinc_a1c, a1c, 1, day)

    member = np.concatenate(rows["member"]).astype(np.int64)
    k = len(member)
    day = np.concatenate(rows["day"]).astype(np.int32)
    value = np.concatenate(rows["value"]).astype(np.float64)
    # Abstraction happens in the hybrid review season after the measurement year (February - May).
    abstraction_day = (block.year_starts[block.year_of(day) + 1] + 31 + rng.integers(0, 120, k)).astype(np.int32)
    return pa.table({
        "abstraction_id": prefixed_ids("A", id_base + np.arange(k), width=10),
        "person_id": member_ids.take(pa.array(member)),
        "measure_id": coded(np.concatenate(rows["measure"]).astype(np.int32), _MEASURE_IDS),
        "finding_type": coded(np.concatenate(rows["finding"]).astype(np.int32), _FINDINGS),
        "code_system": coded(np.concatenate(rows["system"]).astype(np.int32), _SYSTEMS),
        "code": coded(np.concatenate(rows["code"]).astype(np.int32), pa.array(code_text)),
        "result_value": pa.array(value, mask=np.isnan(value)),
        "result_unit": coded(np.concatenate(rows["unit"]).astype(np.int32), _UNITS),
        "service_date": iso_dates(day),
        "provider_npi": coded(m.pcp[member], provider_npi),
        "reviewer_id": coded(rng.integers(0, len(ABSTRACTORS), k).astype(np.int32), ABSTRACTORS),
        "abstraction_date": iso_dates(abstraction_day),
    })


ABSTRACTION_COLUMNS = {
    "abstraction_id": "text", "person_id": "text", "measure_id": "coded", "finding_type": "coded",
    "code_system": "coded", "code": "coded", "result_value": "float", "result_unit": "coded",
    "service_date": "coded", "provider_npi": "coded", "reviewer_id": "coded", "abstraction_date": "coded",
}

# --- chart audits -----------------------------------------------------------------------------------

AUDITORS = [f"AUD{i:02d}" for i in range(1, 9)]
# How often a reviewer's independent re-review agrees with the first round; AUD07 and AUD08 agree poorly.
AUDITOR_AGREEMENT = np.array([0.94, 0.93, 0.95, 0.92, 0.94, 0.93, 0.60, 0.65])
ELEMENTS = pa.array(["problem_list", "medication_list", "allergies", "vital_signs", "preventive_screening",
                     "care_plan", "follow_up", "signature"])
_RESULTS = pa.array(["pass", "fail", "not_applicable"])
PASS, FAIL, NOT_APPLICABLE = 0, 1, 2
RE_REVIEW_SHARE = 0.10


def audit_table(block: BlockClaims, id_base: int, member_ids: pa.Array, provider_npi: pa.Array,
                provider_quality: np.ndarray) -> tuple[pa.Table, dict[str, int]]:
    m, rng = block.m, block.rng
    n, years = len(m), len(block.window.years)
    member = np.repeat(np.arange(n), years)
    year = np.tile(np.arange(years), n)
    chosen = rng.random(len(member)) < 1 / 250
    member, year = member[chosen], year[chosen]
    day = _day_in_year(block, year)
    keep = m.covered(member, day)
    member, year, day = member[keep], year[keep], day[keep]
    audits = len(member)
    provider = m.pcp[member]
    elements = len(ELEMENTS)
    pass_rate = provider_quality[provider]
    r = rng.random((audits, elements))
    first = np.where(r < 0.04, NOT_APPLICABLE, np.where(r < 0.04 + 0.96 * pass_rate[:, None], PASS, FAIL))
    reviewer1 = rng.integers(0, len(AUDITORS), audits)
    again = np.flatnonzero(rng.random(audits) < RE_REVIEW_SHARE)
    reviewer2 = (reviewer1[again] + rng.integers(1, len(AUDITORS), len(again))) % len(AUDITORS)
    agreement = np.minimum(AUDITOR_AGREEMENT[reviewer1[again]], AUDITOR_AGREEMENT[reviewer2])
    agrees = rng.random((len(again), elements)) < agreement[:, None]
    flipped = np.where(first[again] == PASS, FAIL, PASS)
    second = np.where(agrees, first[again], flipped)

    audit_index = np.concatenate([np.repeat(np.arange(audits), elements), np.repeat(again, elements)])
    rounds = np.concatenate([np.ones(audits * elements, np.int64), np.full(len(again) * elements, 2, np.int64)])
    element = np.concatenate([np.tile(np.arange(elements), audits), np.tile(np.arange(elements), len(again))])
    result = np.concatenate([first.ravel(), second.ravel()]).astype(np.int32)
    reviewer = np.concatenate([np.repeat(reviewer1, elements), np.repeat(reviewer2, elements)]).astype(np.int32)
    review_day = day[audit_index] + np.where(rounds == 2, 21, 0)
    table = pa.table({
        "audit_id": prefixed_ids("AU", id_base + audit_index, width=9),
        "review_round": pa.array(rounds),
        "provider_npi": coded(provider[audit_index], provider_npi),
        "person_id": member_ids.take(pa.array(member[audit_index])),
        "reviewer_id": coded(reviewer, pa.array(AUDITORS)),
        "audit_date": iso_dates(review_day.astype(np.int32)),
        "element": coded(element.astype(np.int32), ELEMENTS),
        "result": coded(result, _RESULTS),
    })
    return table, {"audits": audits, "re_reviewed": len(again)}


AUDIT_COLUMNS = {
    "audit_id": "text", "review_round": "int", "provider_npi": "coded", "person_id": "text",
    "reviewer_id": "coded", "audit_date": "coded", "element": "coded", "result": "coded",
}

# --- member experience surveys ----------------------------------------------------------------------

ITEMS = list(SURVEY_ITEMS)
_ITEM_KIND = np.array([SURVEY_ITEMS[i] == "rating" for i in ITEMS])
_AGE_BANDS = pa.array(["18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"])
_EDUCATION = pa.array(["8th_grade_or_less", "some_high_school", "high_school", "some_college",
                       "college_graduate", "postgraduate"])
_HEALTH = pa.array(["excellent", "very_good", "good", "fair", "poor"])


def survey_table(block: BlockClaims, id_base: int, member_ids: pa.Array, provider_npi: pa.Array,
                 provider_experience: np.ndarray) -> pa.Table:
    m, rng = block.m, block.rng
    n, years = len(m), len(block.window.years)
    member = np.repeat(np.arange(n), years)
    year = np.tile(np.arange(years), n)
    kind = np.digitize(rng.random(len(member)), [0.025, 0.04])  # 0 health plan, 1 clinician group, 2 none
    member, year, kind = member[kind < 2], year[kind < 2], kind[kind < 2]
    day = _day_in_year(block, year, 243, 333)  # fielded September - November
    age = m.age_on(member, day)
    keep = m.covered(member, day) & (age >= 18)
    member, year, kind, day, age = member[keep], year[keep], kind[keep], day[keep], age[keep]
    respondents = len(member)
    items = len(ITEMS)
    provider = m.pcp[member]
    mood = rng.normal(0, 0.8, respondents) + np.where(kind == 1, provider_experience[provider], 0.0)
    rating = np.clip(np.round(rng.normal(8.1, 1.5, (respondents, items)) + mood[:, None]), 0, 10)
    composite = np.clip(np.round(rng.normal(3.25, 0.75, (respondents, items)) + 0.4 * mood[:, None]), 1, 4)
    response = np.where(_ITEM_KIND[None, :], rating, composite).astype(np.int64)
    answered = rng.random((respondents, items)) < np.where(np.array(ITEMS) == "rating_specialist", 0.6, 0.93)
    row_respondent, row_item = np.nonzero(answered)
    frail = m.frailty[member] | m.advanced_illness[member]
    general = np.clip(rng.integers(0, 4, respondents) + (age >= 65) + frail, 0, 4).astype(np.int32)
    mental = np.clip(rng.integers(0, 4, respondents), 0, 4).astype(np.int32)
    band = np.clip(np.digitize(age, [25, 35, 45, 55, 65, 75]), 0, 6).astype(np.int32)
    education = rng.choice(6, respondents, p=[0.04, 0.08, 0.28, 0.28, 0.22, 0.10]).astype(np.int32)
    r = row_respondent
    return pa.table({
        "respondent_id": prefixed_ids("SR", id_base + r, width=9),
        "person_id": member_ids.take(pa.array(member[r])),
        "survey_type": coded(kind[r].astype(np.int32), pa.array(["health_plan", "clinician_group"])),
        "provider_npi": coded(np.where(kind[r] == 1, provider[r], -1).astype(np.int32), provider_npi),
        "survey_date": iso_dates(day[r]),
        "item_id": coded(row_item.astype(np.int32), pa.array(ITEMS)),
        "response": pa.array(response[row_respondent, row_item]),
        "age_band": coded(band[r], _AGE_BANDS),
        "education": coded(education[r], _EDUCATION),
        "general_health": coded(general[r], _HEALTH),
        "mental_health": coded(mental[r], _HEALTH),
    })


SURVEY_COLUMNS = {
    "respondent_id": "text", "person_id": "text", "survey_type": "coded", "provider_npi": "coded",
    "survey_date": "coded", "item_id": "coded", "response": "int", "age_band": "coded", "education": "coded",
    "general_health": "coded", "mental_health": "coded",
}
