"""The clinical part of the answer key for drawn members, computed from the claim lines, lab results,
registry doses and pharmacy fills the generator drew for one block (never from its output files).

Each fact is true / false under the readings of docs/answer-key.md ("Readings"); the three-valued
helpers (None = unknown, the key then says nothing) remain for a point the spec might leave open.
Codes are the generator's canonical codes (the untidy spellings on
the claims normalise to them).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from pipelines.generator import codes as C
from pipelines.generator.answer_key import MEASURES, ClinicalFacts, add_years
from pipelines.generator.arrays import day_number
from pipelines.generator.claims import (BILL_TYPES, DISPOSITION, HCPCS, ICD, INSTITUTIONAL, MODIFIERS, PCS, POS, REVENUE,
                                        BlockClaims)

OUTPATIENT_VISIT = C.OFFICE_NEW + C.OFFICE_ESTABLISHED + C.TELEHEALTH + C.PREVENTIVE_INITIAL_ADULT \
    + C.PREVENTIVE_ESTABLISHED_ADULT + C.PREVENTIVE_INITIAL_CHILD + C.PREVENTIVE_ESTABLISHED_CHILD + C.ANNUAL_WELLNESS
# Ophthalmological Services (measures.md 3.5 lists it among EED's outpatient qualifying encounters) count as
# outpatient visits for hypertension and diabetes identification, as the plan program reads "outpatient".
OPHTHALMOLOGICAL_SERVICES = ("92004", "92014")
ED_VISIT_CODES = C.ED_VISIT
DIABETES_DX = C.DX_DIABETES + C.DX_RETINOPATHY    # all in the Diabetes value set
RETINOPATHY_DX = ("E10.319", "E11.319", "E11.3293")  # E11.3599 is not in Diabetic Retinopathy
FRAILTY_DX = ("L89.154", "M62.50", "W19.XXXA", "Z74.09", "Z91.81", "R54")  # diagnosis + symptom (R54)
ADVANCED_ILLNESS_DX = ("C25.9", "G30.1", "G30.9", "G31.83", "I50.22", "I50.9", "J43.9", "J96.11", "N18.5", "N18.6")
CBP_EXCLUSION_DX = ("Z34.80", "O09.529", "Z34.90", "O26.891", "N18.6", "N18.5")  # pregnancy, ESRD, CKD 5
MAMMOGRAPHY = ("77067", "77063", "77065", "G0202")
COLONOSCOPY = C.COLONOSCOPY
FOBT = ("82274", "G0328")
PAP = ("88175", "88142", "88150", "Q0091")
EYE_EXAM_CPT = C.EYE_EXAM_CPT
EYE_EXAM_CPT2 = C.EYE_EXAM_CPT2_WITH_RETINOPATHY + C.EYE_EXAM_CPT2_WITHOUT_RETINOPATHY
HBA1C_VALUE = {"3044F": 6.9, "3051F": 7.5, "3052F": 8.5, "3046F": 9.5}
SYSTOLIC = {"3074F": 129, "3075F": 135, "3077F": 140}
DIASTOLIC = {"3078F": 79, "3079F": 85, "3080F": 90}
DEMENTIA_RXNORM = tuple(d[2] for d in C.DRUGS_DEMENTIA)
# CIS: antigen -> (CPT codes, CVX codes, window start (days after birth or 'year1'), doses)
CIS_ANTIGENS = {
    "dtap": (("90700",), ("20",), 42, 4), "ipv": (("90713",), ("10",), 42, 3), "mmr": (("90707",), ("03",), "year1", 1),
    "hepb": (("90744",), ("08",), 0, 3), "vzv": (("90716",), ("21",), "year1", 1),
    "pcv": (("90670", "90671"), ("133",), 42, 4), "hepa": (("90633",), ("83",), "year1", 1),
    "rotavirus": (("90681",), ("119",), 42, 2),
}


def _lookup(vocabulary, wanted) -> np.ndarray:
    """Bool per vocabulary index (+1 trailing False so that index -1, 'none', maps to False)."""
    canon = {v for v in wanted}
    table = np.zeros(len(vocabulary.values) + 1, dtype=bool)
    for code in canon:
        table[vocabulary.idx(code)] = True
    return table


def _value_lookup(vocabulary, values: dict[str, float]) -> np.ndarray:
    table = np.full(len(vocabulary.values) + 1, np.nan)
    for code, value in values.items():
        table[vocabulary.idx(code)] = value
    return table


def _any(member: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(member[mask], minlength=n) > 0


def _distinct_days(member: np.ndarray, day: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    pairs = np.unique(member[mask].astype(np.int64) * 100_000 + day[mask].astype(np.int64))
    return np.bincount((pairs // 100_000).astype(np.int64), minlength=n)


def drawn_facts(block: BlockClaims, year: int, pharmacy) -> ClinicalFacts:
    """Clinical facts per member of the block for measurement year `year` (call after `block.table`)."""
    m, roster = block.m, block.roster
    n = len(m)
    col = block.line_columns
    member = col["member"].astype(np.int64)
    hcpcs, revenue, pos, bill = col["hcpcs"], col["revenue"], col["pos"], col["bill_type"]
    day = col["line_start"].astype(np.int64)
    start, end = col["start"].astype(np.int64), col["end"].astype(np.int64)
    claim = col["claim_number"]
    reversed_line = np.zeros(len(member), dtype=bool)
    reversed_line[block.reversed_lines] = True
    live = ~reversed_line
    # A claim whose every line is reversed is no evidence at all, its diagnoses included (plan-program.md 1:
    # reversed lines are not evidence; diagnoses come from the lines that are).
    live_lines_per_claim = np.bincount(claim - claim.min(), weights=live, minlength=int(claim.max() - claim.min() + 1)) \
        if len(claim) else np.zeros(0)
    claim_alive = live_lines_per_claim[claim - claim.min()] > 0 if len(claim) else np.zeros(0, bool)

    my_start, my_end = day_number(dt.date(year, 1, 1)), day_number(dt.date(year, 12, 31))
    prior_start = day_number(dt.date(year - 1, 1, 1))
    specialty = np.array(roster.specialty + ["none"], dtype=object)[np.where(col["rendering"] >= 0, col["rendering"], -1)]
    eye_care = np.isin(specialty, ("optometry", "ophthalmology"))

    def code_is(codes) -> np.ndarray:
        return _lookup(HCPCS, codes)[hcpcs]

    def dx_any(codes) -> np.ndarray:
        table = _lookup(ICD, codes)
        return table[col["dx1"]] | table[col["dx2"]] | table[col["dx3"]] | table[col["dx4"]]

    def dx_members(codes, lo, hi, by_onset=False) -> np.ndarray:
        """Members with a diagnosis in `codes` on a claim (not wholly reversed) overlapping [lo, hi] (or
        starting in it)."""
        has = dx_any(codes)
        when = (start >= lo) & (start <= hi) if by_onset else (start <= hi) & (end >= lo)
        return _any(member, has & when & claim_alive, n).astype(object)

    # Encounters (a visit line not reversed).
    visit = code_is(OUTPATIENT_VISIT + OPHTHALMOLOGICAL_SERVICES) & live
    ed_line = (code_is(ED_VISIT_CODES) | np.isin(revenue, REVENUE.indices(C.REVENUE_ED))) & live
    institutional = col["claim_type"] == INSTITUTIONAL
    inpatient_claim = (institutional & np.isin(bill, BILL_TYPES.indices(C.INPATIENT_BILL_TYPES))) | (pos == POS.idx("21"))

    # --- conditions ---------------------------------------------------------------------------------
    hypertension_dx = dx_any((C.DX_HYPERTENSION,))
    window = (start >= prior_start) & (start <= day_number(dt.date(year, 6, 30)))
    hypertension = (_distinct_days(member, start, hypertension_dx & visit & window, n) >= 2).astype(object)
    diabetes_dx = dx_any(DIABETES_DX)
    in_two_years = (start >= prior_start) & (start <= my_end)
    two_visits = _distinct_days(member, start, diabetes_dx & (visit | ed_line) & in_two_years, n) >= 2
    # A stay belongs to the years of its discharge (a stay crossing Jan 1 of MY-1 counts).
    one_stay = _any(member, diabetes_dx & inpatient_claim & live & (end >= prior_start) & (end <= my_end), n)
    diabetes = (two_visits | one_stay).astype(object)
    diabetes_rule = np.where(two_visits, "diabetes.two_visits", np.where(one_stay, "diabetes.one_inpatient_stay",
                                                                         "diabetes.no_evidence")).astype(object)

    # --- exclusions ---------------------------------------------------------------------------------
    age = year - (m.birth.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970)
    hospice_line = (np.isin(revenue, REVENUE.indices(C.ALL_REVENUE_HOSPICE))
                    | np.isin(bill, BILL_TYPES.indices(C.ALL_HOSPICE_BILL_TYPES)))
    to_hospice = inpatient_claim & institutional & np.isin(col["disposition"], DISPOSITION.indices(C.DISCHARGE_TO_HOSPICE))
    hospice = _any(member, hospice_line & (start <= my_end) & (end >= my_start), n) \
        | _any(member, to_hospice & (end >= my_start) & (end <= my_end), n)
    frailty_device = code_is(C.FRAILTY_DEVICE) & (day >= my_start) & (day <= my_end)
    frailty_dx = dx_members(FRAILTY_DX, my_start, my_end)
    frailty = np.where(_any(member, frailty_device, n), True, frailty_dx).astype(object)
    advanced = dx_members(ADVANCED_ILLNESS_DX, prior_start, my_end, by_onset=True)
    dementia = _dementia(pharmacy, n, prior_start, my_end)
    illness = np.where(dementia, True, advanced).astype(object)
    aif = _and(_and(age >= 66, frailty), illness)
    aif_cbp = _or(_and(_and((age >= 66) & (age <= 80), frailty), illness), _and(age >= 81, frailty))
    slots = [col[f"mod{k}"] for k in range(1, 6) if f"mod{k}" in col]

    def modifier(code: str) -> np.ndarray:
        return np.logical_or.reduce([slot == MODIFIERS.idx(code) for slot in slots])

    # Mastectomy and CBP's pregnancy / renal criteria compare exactly with the MP's instants (measures.md
    # 1.5): a claim date (date only) on the boundary day itself is uncertain and does not count.
    exact_end, exact_start = my_end - 1, my_start + 1
    surgery = code_is((C.BILATERAL_MASTECTOMY,)) & live & (day <= exact_end)
    mastectomy = _any(member, surgery & modifier("50"), n) \
        | (_any(member, surgery & modifier("RT"), n) & _any(member, surgery & modifier("LT"), n)) \
        | _any(member, dx_any((C.DX_MASTECTOMY_HISTORY,)) & (start <= exact_end) & claim_alive, n)
    if "pcs1" in col:  # an ICD-10-PCS bilateral mastectomy on its procedure date
        mastectomy |= _any(member, (col["pcs1"] == PCS.idx(C.PCS_BILATERAL_MASTECTOMY)) & (col["pcs_date1"] <= exact_end)
                           & live, n)
    cbp_dx = dx_members(CBP_EXCLUSION_DX, exact_start, exact_end)

    # --- numerators ---------------------------------------------------------------------------------
    def done(codes, lo, hi, extra=None) -> np.ndarray:
        mask = code_is(codes) & live & (day >= lo) & (day <= hi)
        return _any(member, mask if extra is None else mask & extra, n)

    bcs = done(MAMMOGRAPHY, day_number(dt.date(year - 2, 10, 1)), my_end)
    col_hit = (done(COLONOSCOPY, day_number(dt.date(year - 9, 1, 1)), my_end) | done(FOBT, my_start, my_end)
               | done((C.SDNA_FIT,), day_number(dt.date(year - 2, 1, 1)), my_end)
               | done((C.CT_COLONOGRAPHY,), day_number(dt.date(year - 4, 1, 1)), my_end))
    age_at_line = m.age_on(member, day.astype(np.int32))
    ccs = done(PAP, day_number(dt.date(year - 2, 1, 1)), my_end) \
        | done(C.HPV, day_number(dt.date(year - 4, 1, 1)), my_end, extra=age_at_line >= 30)
    retinopathy = dx_members(RETINOPATHY_DX, my_start, my_end)
    exam_cpt = code_is(EYE_EXAM_CPT) & eye_care & live
    exam_cpt2 = code_is(EYE_EXAM_CPT2) & live
    exam_in = {w: _any(member, (exam_cpt | exam_cpt2) & (day >= lo) & (day <= my_end), n)
               for w, lo in (("my", my_start), ("two", prior_start))}
    # 3072F stands for an exam without retinopathy in the year before MY, whichever day of MY-1 or MY
    # carries it; it never counts with retinopathy present in MY.
    low_risk = _any(member, code_is((C.EYE_EXAM_LOW_RISK,)) & live & (day >= prior_start) & (day <= my_end), n)
    has_retinopathy = retinopathy.astype(bool)
    eed = np.where(has_retinopathy, exam_in["my"], exam_in["two"] | low_risk).astype(object)
    gsd, gsd_source = _gsd(block, col, member, day, live, code_is, n, my_start, my_end)
    cbp = _cbp(col, member, day, start, end, live, inpatient_claim, ed_line, n, my_start, my_end)
    cis = _cis(block, col, member, day, live, n, year)
    # Drawn numerator evidence comes from claims, except registry doses (CIS) and lab results (GSD).
    reg = block.registry
    with_registry_dose = np.bincount(np.concatenate(reg.member).astype(np.int64), minlength=n) > 0 \
        if reg.member else np.zeros(n, dtype=bool)
    cis_source = np.where(with_registry_dose, None, "administrative").astype(object)  # the engine picks one dose

    facts = ClinicalFacts({}, {}, {}, {}, {}, {})
    none = np.full(n, "", dtype=object)
    reasons = {
        "BCS": _reasons((hospice, "hospice", "hospice_encounter_claim"), (mastectomy, "bilateral_mastectomy", "mastectomy.modifier_50"),
                        (aif, "advanced_illness_frailty", "advanced_illness_frailty_66_plus")),
        "COL": _reasons((hospice, "hospice", "hospice_encounter_claim"), (aif, "advanced_illness_frailty", "advanced_illness_frailty_66_plus")),
        "CCS": _reasons((hospice, "hospice", "hospice_encounter_claim")),
        "CBP": _reasons((hospice, "hospice", "hospice_encounter_claim"), (cbp_dx, "pregnancy_or_renal_diagnosis", "cbp.pregnancy_or_renal"),
                        (aif_cbp, "advanced_illness_frailty", "advanced_illness_frailty_cbp")),
        "EED": _reasons((hospice, "hospice", "hospice_encounter_claim"), (aif, "advanced_illness_frailty", "advanced_illness_frailty_66_plus")),
        "GSD": _reasons((hospice, "hospice", "hospice_encounter_claim"), (aif, "advanced_illness_frailty", "advanced_illness_frailty_66_plus")),
        "CIS": _reasons((hospice, "hospice", "hospice_encounter_claim")),
    }
    numerators = {"BCS": (bcs, "bcs.mammogram"), "COL": (col_hit, "col.screening"), "CCS": (ccs, "ccs.screening"),
                  "CBP": (cbp, "cbp.most_recent_bp_below_140_90"), "EED": (eed, "eed.retinal_exam"),
                  "GSD": (gsd, "gsd.most_recent_assessment"), "CIS": (cis, "cis.all_antigens")}
    for measure, spec in MEASURES.items():
        if spec.condition == "hypertension":
            facts.condition[measure] = hypertension
            facts.condition_rule[measure] = np.where(hypertension == True, "cbp.two_visits_hypertension",  # noqa: E712
                                                     np.where(hypertension == None, "ambiguous.hypertension_visit",  # noqa: E711
                                                              "cbp.no_hypertension_evidence")).astype(object)
        elif spec.condition == "diabetes":
            facts.condition[measure] = diabetes
            facts.condition_rule[measure] = np.where(diabetes == None, "ambiguous.diabetes_visit", diabetes_rule).astype(object)  # noqa: E711
        facts.exclusion[measure], facts.exclusion_rule[measure] = reasons[measure] if reasons[measure] else (none, none)
        value, rule = numerators[measure]
        value = np.asarray(value, dtype=object)
        facts.numerator[measure] = value
        facts.numerator_rule[measure] = np.where(value == None, "ambiguous.numerator",  # noqa: E711
                                                 np.where(value == True, rule, f"{measure.lower()}.no_numerator_evidence")  # noqa: E712
                                                 ).astype(object)
        facts.numerator_source[measure] = {"GSD": gsd_source, "CIS": cis_source}.get(
            measure, np.full(n, "administrative", dtype=object))
    return facts


def _and(a, b) -> np.ndarray:
    """Three-valued AND over bool / None object arrays."""
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    out = np.where((a == False) | (b == False), False, np.where((a == True) & (b == True), True, None))  # noqa: E712
    return out.astype(object)


def _or(a, b) -> np.ndarray:
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    out = np.where((a == True) | (b == True), True, np.where((a == False) & (b == False), False, None))  # noqa: E712
    return out.astype(object)


def _reasons(*items) -> tuple[np.ndarray, np.ndarray]:
    """(reasons per member: every true reason ';'-joined in the order given, '' none, None unknown;
    the first reason's rule)."""
    n = len(items[0][0])
    reason = np.full(n, "", dtype=object)
    rule = np.full(n, None, dtype=object)
    unknown = np.zeros(n, dtype=bool)
    for values, name, rule_name in items:
        values = np.asarray(values, dtype=object)
        hit = values == True  # noqa: E712
        first = hit & (reason == "")
        rule[first] = rule_name
        reason[hit & ~first] = reason[hit & ~first] + ";" + name
        reason[first] = name
        unknown |= values == None  # noqa: E711
    # An unknown reason matters only when no reason is known to hold.
    reason[(reason == "") & unknown] = None
    rule[reason == None] = "ambiguous.exclusion"  # noqa: E711
    return reason, rule


def _dementia(pharmacy, n: int, lo: int, hi: int) -> np.ndarray:
    member, fill, days, rxnorm = pharmacy
    hit = np.isin(rxnorm, DEMENTIA_RXNORM) & (fill <= hi) & (fill + days - 1 >= lo)
    return _any(member, hit, n)


def _gsd(block, col, member, day, live, code_is, n, my_start, my_end) -> tuple[np.ndarray, np.ndarray]:
    """Poor control (> 9 %), from 83036 lines, CPT II result codes and lab results in MY; and the source
    category of the deciding assessment ('' when no assessment decides, None when claims and a lab result
    share the most recent day: which row the engine cites is its choice)."""
    in_my = (day >= my_start) & (day <= my_end)
    test = code_is((C.HBA1C_TEST,)) & live & in_my
    value = _value_lookup(HCPCS, HBA1C_VALUE)[col["hcpcs"]]
    coded = ~np.isnan(value) & live & in_my
    labs = block.labs
    lab_member = np.concatenate(labs.member).astype(np.int64) if labs.member else np.zeros(0, np.int64)
    lab_day = np.concatenate(labs.day).astype(np.int64) if labs.member else np.zeros(0, np.int64)
    lab_test = np.concatenate(labs.test) if labs.member else np.zeros(0, np.int8)
    lab_value = np.concatenate(labs.value) if labs.member else np.zeros(0)
    lab = (lab_test == 0) & (lab_day >= my_start) & (lab_day <= my_end)
    from_lab = np.concatenate([np.zeros(test.sum() + coded.sum(), dtype=bool), np.ones(lab.sum(), dtype=bool)])
    who = np.concatenate([member[test], member[coded], lab_member[lab]])
    when = np.concatenate([day[test], day[coded], lab_day[lab]])
    what = np.concatenate([np.full(test.sum(), np.nan), value[coded], lab_value[lab]])
    latest = np.full(n, -1, dtype=np.int64)
    np.maximum.at(latest, who, when)
    on_latest = when == latest[who]
    lowest = np.full(n, np.inf)
    np.minimum.at(lowest, who[on_latest & ~np.isnan(what)], what[on_latest & ~np.isnan(what)])
    assessed = latest >= 0
    without_result = assessed & np.isinf(lowest)
    lab_on_latest = np.bincount(who[on_latest & from_lab], minlength=n) > 0
    claim_on_latest = np.bincount(who[on_latest & ~from_lab], minlength=n) > 0
    source = np.where(~assessed, "", np.where(lab_on_latest & claim_on_latest, None,
                                              np.where(lab_on_latest, "supplemental", "administrative"))).astype(object)
    return ~assessed | without_result | (lowest > 9.0) & ~np.isinf(lowest), source


def _cbp(col, member, day, start, end, live, inpatient_claim, ed_line, n, my_start, my_end) -> np.ndarray:
    """Most recent reading day in MY with both values; lowest systolic < 140 and diastolic < 90.
    Readings on a day of an ED visit or of an inpatient stay do not count, whichever claim carries them
    (the reading day is the unit, as the plan program reads section 1)."""
    sys_value = _value_lookup(HCPCS, SYSTOLIC)[col["hcpcs"]]
    dia_value = _value_lookup(HCPCS, DIASTOLIC)[col["hcpcs"]]
    reading = (~np.isnan(sys_value) | ~np.isnan(dia_value)) & live & (day >= my_start) & (day <= my_end)
    # Days blocked: every day of an inpatient stay, the day of an ED visit.
    stay_keys = np.unique(np.stack([member[inpatient_claim] * 100_000 + start[inpatient_claim],
                                    end[inpatient_claim] - start[inpatient_claim] + 1], axis=1), axis=0)
    lengths = stay_keys[:, 1].clip(1)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    stay_days = np.repeat(stay_keys[:, 0], lengths) + offsets
    blocked_set = np.unique(np.concatenate([stay_days, member[ed_line] * 100_000 + day[ed_line]]))
    use = reading & ~np.isin(member * 100_000 + day, blocked_set)
    key = member[use] * 100_000 + day[use]
    has_sys = np.unique(key[~np.isnan(sys_value[use])])
    has_dia = np.unique(key[~np.isnan(dia_value[use])])
    days_both = np.intersect1d(has_sys, has_dia)
    latest = np.full(n, -1, dtype=np.int64)
    np.maximum.at(latest, days_both // 100_000, days_both % 100_000)
    pick = use & (day == latest[member])
    low_sys = np.full(n, np.inf)
    low_dia = np.full(n, np.inf)
    np.minimum.at(low_sys, member[pick & ~np.isnan(sys_value)], sys_value[pick & ~np.isnan(sys_value)])
    np.minimum.at(low_dia, member[pick & ~np.isnan(dia_value)], dia_value[pick & ~np.isnan(dia_value)])
    return ((latest >= 0) & (low_sys < 140) & (low_dia < 90)).astype(object)


def _cis(block, col, member, day, live, n, year) -> np.ndarray:
    """All ten antigens by the 2nd birthday, from vaccine lines on claims and registry doses."""
    m = block.m
    birth = m.birth.astype(np.int64)
    first, second = add_years(birth, 1), add_years(birth, 2)
    reg = block.registry
    reg_member = np.concatenate(reg.member).astype(np.int64) if reg.member else np.zeros(0, np.int64)
    reg_day = np.concatenate(reg.day).astype(np.int64) if reg.member else np.zeros(0, np.int64)
    reg_cvx = np.array([v[2] for v in C.CHILD_VACCINES])[np.concatenate(reg.vaccine)] if reg.member else np.zeros(0, str)
    hcpcs = col["hcpcs"]

    def dates(cpt, cvx, lo_days, hi, cpt_lo=None):
        lo = first if lo_days == "year1" else birth + lo_days
        lo_claim = lo if cpt_lo is None else birth + cpt_lo
        on_claim = _lookup(HCPCS, cpt)[hcpcs] & live
        keys = [member[on_claim] * 100_000 + day[on_claim]]
        ok_claim = (day[on_claim] >= lo_claim[member[on_claim]]) & (day[on_claim] <= hi[member[on_claim]])
        keys[0] = keys[0][ok_claim]
        on_reg = np.isin(reg_cvx, cvx)
        ok_reg = (reg_day[on_reg] >= lo[reg_member[on_reg]]) & (reg_day[on_reg] <= hi[reg_member[on_reg]])
        keys.append((reg_member[on_reg] * 100_000 + reg_day[on_reg])[ok_reg])
        distinct = np.unique(np.concatenate(keys))
        return np.bincount((distinct // 100_000).astype(np.int64), minlength=n)

    complete = np.ones(n, dtype=bool)
    for cpt, cvx, lo, doses in CIS_ANTIGENS.values():
        complete &= dates(cpt, cvx, lo, second) >= doses
    four_dose = dates(("90648",), ("48",), 42, second) > 0
    hib = dates(("90647", "90648"), ("48",), 42, second)
    complete &= hib >= np.where(four_dose, 4, 3)
    complete &= dates(("90686",), ("150",), 42, second, cpt_lo=180) >= 2
    return complete
