"""Planted edge members: a small fixed set of hand-written members, one or more per rule of
`plan-program.md` sections 1-5, with the outcome each measure should reach.

Each case is written relative to the last generated year (the measurement year, MY). The claims of a
case are hand-written, so its clinical outcome is known exactly and stated in `Case.expect`; enrollment
outcomes (continuous enrollment, anchor date, product line, death and flag exclusions) are computed by
`answer_key` from the segments, the same way as for drawn members. Cases needing dates before the first
generated year are left out of plans with fewer years.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from pipelines.generator.arrays import NO_DATE, day_number

COMMERCIAL, MEDICAID, MEDICARE = "commercial", "medicaid", "medicare"
PCP, EYE, NON_EYE, HOSPITAL, IMAGING, LAB, SURGEON, HOSPICE, PEDIATRICIAN = (
    "family medicine", "optometry", "internal medicine", "hospital", "radiology imaging center",
    "clinical laboratory", "general surgery", "hospice", "pediatrics")


@dataclass
class Segment:
    start: dt.date
    end: dt.date
    line: str = COMMERCIAL
    hospice: bool = False
    snp: bool = False
    long_term: bool = False


@dataclass
class Line:
    code: str | None = None
    modifiers: tuple[str, ...] = ()
    paid: float | None = None          # None = a normal positive amount; 0.0 for CPT II
    revenue: str | None = None
    reversed: bool = False             # a negative-paid copy of the line follows
    duplicated: bool = False           # an exact copy of the line follows (staging keeps the first)


@dataclass
class Claim:
    start: dt.date
    lines: list[Line]
    diagnoses: tuple[str, ...] = ()
    end: dt.date | None = None
    place_of_service: str | None = "11"
    institutional: bool = False
    bill_type: str | None = None
    provider: str = PCP
    discharge_status: str | None = None
    procedure: tuple[str, dt.date] | None = None   # ICD-10-PCS code in procedure_code_1, its procedure_date_1
    diagnosis_code_type: str = "icd-10-cm"         # as the source labels the diagnoses (Tuva: 'icd-10-pcs')


@dataclass
class LabResult:
    day: dt.date
    value: float


@dataclass
class FhirCondition:
    """A supplemental-data FHIR R4 Condition (ECDS-style) for a planted member, ICD-10-CM coded."""
    code: str
    onset: dt.date
    abatement: dt.date | None = None


@dataclass
class Case:
    name: str
    rules: tuple[str, ...]             # plan-program rules this member exists to show
    female: bool
    birth: dt.date
    segments: list[Segment]
    claims: list[Claim] = field(default_factory=list)
    labs: list[LabResult] = field(default_factory=list)
    death: dt.date | None = None
    conditions: list[FhirCondition] = field(default_factory=list)   # written as FHIR JSON, not claims
    # Clinical facts of the planted claims: 'hypertension' / 'diabetes' -> (shown, rule);
    # 'numerator' / 'exclusion' -> {measure: (value, rule)}.
    expect: dict = field(default_factory=dict)

    def dates(self) -> list[dt.date]:
        found = [self.birth] + [s.start for s in self.segments] + [s.end for s in self.segments]
        found += [c.start for c in self.claims] + [c.end for c in self.claims if c.end] + [x.day for x in self.labs]
        found += [c.procedure[1] for c in self.claims if c.procedure]
        found += [c.onset for c in self.conditions] + [c.abatement for c in self.conditions if c.abatement]
        return found


# Every rule of plan-program.md sections 1-5 the planted members show: rule -> (section, what it means).
REQUIRED_RULES: dict[str, tuple[str, str]] = {
    "continuous_enrollment.gap_of_45_days_allowed": ("3", "one gap of exactly 45 days in a year is allowed"),
    "continuous_enrollment.gap_over_45_days": ("3", "a gap of 46 days (or more) breaks enrollment"),
    "continuous_enrollment.two_gaps_in_year": ("3", "two gaps in one calendar year break enrollment"),
    "continuous_enrollment.gap_split_at_jan1": ("3", "a gap crossing Jan 1 is split; each part is judged in its year"),
    "continuous_enrollment.segments_merged": ("3", "overlapping and touching segments merge before gaps are counted"),
    "anchor_date_not_enrolled": ("3", "enrollment ending the day before the anchor date fails"),
    "bcs.no_gap_oct_dec": ("3", "BCS allows no gap in Oct 1 - Dec 31 two years before MY"),
    "bcs.mammogram_window_oct1": ("3", "BCS window and mammogram window start Oct 1 two years before MY"),
    "cis.window_1st_to_2nd_birthday": ("3", "CIS enrollment window is the 1st through the 2nd birthday"),
    "no_enrollment": ("3", "a member with claims and no enrollment is in no population"),
    "service_outside_enrollment_counts": ("1", "a service dated outside every segment is still evidence"),
    "product_line.latest_segment_wins": ("4", "several segments on the anchor date: the one that started last"),
    "product_line.tie_on_anchor": ("4", "same start: medicare, then medicaid, then commercial"),
    "product_line.anchor_segment": ("4", "the line of the segment on the anchor date (CIS: 2nd birthday)"),
    "death": ("2", "death in MY is an exclusion with reason death"),
    "hospice_flag": ("5", "eligibility hospice_flag during MY counts as hospice"),
    "hospice_flag_outside_my": ("5", "a hospice flag only before MY does not exclude"),
    "institutional_snp_66_plus": ("5", "institutional SNP at 66+ counts as long-term institution"),
    "long_term_institutional_66_plus": ("5", "long-term institutional flag at 66+ counts as long-term institution"),
    "institutional_under_66_not_excluded": ("5", "the institutional flags do not exclude at 65"),
    "hospice_encounter_claim": ("1", "hospice revenue code / bill type 81x claim is a hospice encounter"),
    "reversal_dropped": ("1", "a negative-paid line reverses its line: neither is evidence"),
    "zero_paid_cptii_counts": ("1", "a $0 CPT II line is evidence"),
    "code_normalisation.lower_case": ("1", "codes in lower case match"),
    "code_normalisation.no_dot_lower_case": ("1", "diagnosis codes without dots or in lower case match"),
    "modifier_any_slot": ("1", "modifiers count in any of the five slots (slots 4 and 5 planted)"),
    "duplicate_line_kept_once": ("1", "an exact duplicate claim line is dropped, the first copy still counts"),
    "icd10_pcs_procedure_date": ("1", "an ICD-10-PCS procedure code counts on its procedure_date_N"),
    "discharge_to_hospice": ("1", "an inpatient discharge with status 50 / 51 in MY is hospice"),
    "frailty_device_claim": ("1", "a frailty-device HCPCS line (administrative supplement) is frailty"),
    "inpatient_bill_type_12x": ("1", "an institutional claim with bill type 12x is an inpatient stay"),
    "ed_visit_by_revenue_code": ("1", "revenue code 0450-0459 makes an ED visit (its day's BP readings do not count)"),
    "hospice_bill_type_82x_revenue_065x": ("1", "a claim with bill type 82x / revenue 0650-0659 is hospice"),
    "diagnosis_code_type_mislabelled": ("1", "diagnosis codes are ICD-10-CM even when diagnosis_code_type says "
                                             "'icd-10-pcs' (as in the public Tuva sample)"),
    "exact_boundary_claim_date_uncertain": ("1", "a claim date on the MP's last day is uncertain for an exact "
                                                 "comparison (measures.md 1.5): CBP's renal diagnosis does not count"),
    "cbp.pregnancy_or_renal": ("1", "an ESRD / pregnancy diagnosis overlapping MY excludes from CBP"),
    "claim_diagnosis_lasts_service_period": ("1", "a diagnosis billed only in an earlier year is not present in MY"),
    "col.ct_colonography_5_years": ("1", "CT colonography claim within 5 years (MY-4 .. MY)"),
    "ccs.hpv_5_years_age_30": ("1", "HPV test claim within 5 years, age 30 or more on the test date"),
    "ccs.hpv_under_30_not_counted": ("1", "an HPV test before the 30th birthday does not count"),
    "mastectomy.modifier_50": ("1", "mastectomy CPT with modifier 50 is bilateral"),
    "mastectomy.rt_plus_lt": ("1", "mastectomy CPT with RT and another with LT make bilateral"),
    "mastectomy.unilateral_not_excluded": ("1", "one side only does not exclude"),
    "screening_claim_counts_as_result": ("1", "a screening test known from a claim counts as performed with a result"),
    "eye_care_provider_rule": ("1", "eye-exam CPT by an optometrist / ophthalmologist counts"),
    "eye_exam_cpt_non_eye_care_provider": ("1", "eye-exam CPT by another provider does not count"),
    "cptii_eye_exam_any_provider": ("1", "eye-exam CPT II counts from any provider"),
    "3072F_prior_year": ("1", "3072F meets EED when no retinopathy in MY"),
    "3072F_with_retinopathy_in_my": ("1", "3072F does not meet EED with retinopathy in MY"),
    "eed.prior_year_exam_without_retinopathy": ("1", "no retinopathy: an exam in the year before MY counts"),
    "eed.retinopathy_needs_exam_in_my": ("1", "retinopathy in MY: only an exam in MY counts"),
    "gsd.assessment_without_result": ("1", "83036 with no CPT II and no lab result is an assessment without result"),
    "cptii_result_code": ("1", "HbA1c CPT II codes stand for 6.9 / 7.5 / 8.5 / 9.5"),
    "gsd.most_recent_assessment": ("1", "the most recent HbA1c decides"),
    "gsd.nine_is_not_above_9": ("1", "9.0% is not above 9%"),
    "gsd.no_assessment": ("1", "no HbA1c in MY is poor control (inverse measure)"),
    "supplemental_lab_result": ("1", "a supplemental lab value is used as it is"),
    "cptii_bp_codes": ("1", "BP CPT II codes stand for 129/135/140 and 79/85/90"),
    "bp_on_inpatient_or_ed_day_ignored": ("1", "readings on an ED visit or inpatient stay do not count"),
    "bp.reading_day_needs_both": ("1", "a reading day needs both a systolic and a diastolic value"),
    "cbp.two_visits_hypertension": ("2", "two outpatient visits with hypertension, Jan 1 MY-1 - Jun 30 MY"),
    "cbp.one_visit_not_enough": ("2", "one hypertension visit is not enough"),
    "cbp.visits_after_june_30_ignored": ("2", "a visit after Jun 30 of MY does not count"),
    "diabetes.two_visits": ("2", "two outpatient visits on different dates with diabetes"),
    "diabetes.one_inpatient_stay": ("2", "one acute inpatient stay with diabetes"),
    "diabetes.ed_visit_counts": ("2", "an ED visit with diabetes counts as one of the two visits"),
    "cbp.telephone_visit_counts": ("2", "a telephone visit with hypertension counts as one of the two visits"),
    "advanced_illness_frailty_66_plus": ("2", "66+ with frailty and advanced illness is excluded (measures.md 2.7)"),
    "professional_pos_21_is_inpatient": ("1", "a professional claim with place of service 21 is an inpatient encounter"),
    "diabetes.one_visit_not_enough": ("2", "one visit (or two on the same date) is not enough"),
    "diabetes.outside_lookback": ("2", "diabetes shown only two years before MY does not count"),
    "col.colonoscopy_10_years": ("1", "colonoscopy claim within the 10-year window"),
    "col.fobt_my_only": ("1", "FIT/FOBT counts in MY only"),
    "col.sdna_3_years": ("1", "sDNA FIT within 3 years"),
    "ccs.cytology_3_years": ("1", "Pap claim within 3 years"),
    "cis.all_antigens": ("2", "all ten CIS antigens by CPT on claims"),
    "cis.antigen_short": ("2", "one DTaP dose short: not in the numerator"),
    "cbp.supplemental_condition": ("2", "a supplemental FHIR Condition meeting the ecqm hypertension criterion "
                                        "(prevalence overlapping Jan 1 - Jun 30 of MY) shows hypertension"),
    "cbp.supplemental_condition_after_june_30": ("2", "a supplemental hypertension Condition with onset after "
                                                      "Jun 30 of MY does not meet the ecqm criterion"),
    "diabetes.supplemental_condition": ("2", "a supplemental FHIR Condition meeting the ecqm diabetes criterion "
                                             "(prevalence overlapping MY) shows diabetes"),
    "diabetes.supplemental_condition_abated_before_my": ("2", "a supplemental diabetes Condition abated in the "
                                                              "year before MY does not meet the ecqm criterion "
                                                              "(the claims rule's look-back does not apply)"),
}


def _office(day: dt.date, *dx: str, lines: tuple[Line, ...] = (), provider: str = PCP, pos: str = "11") -> Claim:
    return Claim(day, [Line("99213")] + list(lines), diagnoses=dx, provider=provider, place_of_service=pos)


def _cpt2(code: str) -> Line:
    return Line(code, paid=0.0)


def edge_cases(my: int) -> list[Case]:
    """Every planted member for measurement year `my` (the last generated year)."""

    def d(offset: int, month: int, day: int) -> dt.date:
        return dt.date(my + offset, month, day)

    full = [Segment(d(-2, 1, 1), d(0, 12, 31))]
    woman = {"female": True, "birth": d(-55, 6, 1)}          # 55 on Dec 31 MY: BCS, COL and CCS ages
    man = {"female": False, "birth": d(-58, 2, 14)}          # COL age only
    cases: list[Case] = []

    def add(name, rules, segments=None, **kw):
        person = {**(woman if kw.pop("sex", "f") == "f" else man)}
        person.update({k: kw.pop(k) for k in ("female", "birth") if k in kw})
        cases.append(Case(name, tuple(rules), segments=full if segments is None else segments, **person, **kw))

    # --- section 3: continuous enrollment -------------------------------------------------------------
    add("gap_45_days", ["continuous_enrollment.gap_of_45_days_allowed"],
        [Segment(d(-2, 1, 1), d(0, 3, 31)), Segment(d(0, 5, 16), d(0, 12, 31))])      # Apr 1 - May 15: 45 days
    add("gap_46_days", ["continuous_enrollment.gap_over_45_days"],
        [Segment(d(-2, 1, 1), d(0, 3, 31)), Segment(d(0, 5, 17), d(0, 12, 31))])      # Apr 1 - May 16: 46 days
    add("two_gaps_in_year", ["continuous_enrollment.two_gaps_in_year"],
        [Segment(d(-2, 1, 1), d(0, 2, 28)), Segment(d(0, 3, 11), d(0, 8, 31)), Segment(d(0, 9, 11), d(0, 12, 31))])
    add("gap_crossing_jan1_split", ["continuous_enrollment.gap_split_at_jan1"],
        [Segment(d(-2, 1, 1), d(-1, 12, 1)), Segment(d(0, 1, 31), d(0, 12, 31))])     # 30 + 30 days
    add("gap_crossing_jan1_long_part", ["continuous_enrollment.gap_over_45_days"],
        [Segment(d(-2, 1, 1), d(-1, 10, 31)), Segment(d(0, 1, 21), d(0, 12, 31))])    # 61 days in MY-1, 20 in MY
    add("ends_day_before_anchor", ["anchor_date_not_enrolled"], [Segment(d(-2, 1, 1), d(0, 12, 30))])
    add("overlapping_segments", ["continuous_enrollment.segments_merged"],
        [Segment(d(-2, 1, 1), d(0, 6, 30)), Segment(d(0, 6, 1), d(0, 12, 31))])
    add("touching_segments", ["continuous_enrollment.segments_merged"],
        [Segment(d(-2, 1, 1), d(-1, 12, 31)), Segment(d(0, 1, 1), d(0, 6, 30)), Segment(d(0, 7, 1), d(0, 12, 31))])
    add("bcs_gap_oct_dec", ["bcs.no_gap_oct_dec"],
        [Segment(d(-2, 1, 1), d(-2, 10, 31)), Segment(d(-2, 11, 11), d(0, 12, 31))])  # Nov 1-10, two years before
    add("bcs_window_starts_oct1", ["bcs.mammogram_window_oct1"], [Segment(d(-2, 10, 1), d(0, 12, 31))],
        claims=[Claim(d(-2, 10, 1), [Line("77067")], ("Z12.31",), provider=IMAGING, place_of_service="22")],
        expect={"numerator": {"BCS": (True, "bcs.mammogram_window_oct1")}})
    add("no_enrollment", ["no_enrollment"], segments=[],
        claims=[Claim(d(0, 4, 2), [Line("77067")], ("Z12.31",), provider=IMAGING, place_of_service="22")],
        expect={"numerator": {"BCS": (True, "bcs.mammogram")}})  # screened, but in no population
    add("service_outside_every_segment", ["service_outside_enrollment_counts"],
        [Segment(d(-2, 1, 1), d(0, 4, 30)), Segment(d(0, 5, 21), d(0, 12, 31))],      # 20-day gap, mammogram in it
        claims=[Claim(d(0, 5, 10), [Line("77067")], ("Z12.31",), provider=IMAGING, place_of_service="22")],
        expect={"numerator": {"BCS": (True, "service_outside_enrollment_counts")}})

    # --- CIS: window from the 1st through the 2nd birthday, anchor on the 2nd birthday -----------------
    child_birth = d(-2, 3, 10)
    first, second = d(-1, 3, 10), d(0, 3, 10)
    child = {"female": False, "birth": child_birth}
    add("cis_complete", ["cis.all_antigens"], [Segment(child_birth, d(0, 12, 31))], **child,
        claims=_vaccines(child_birth), expect={"numerator": {"CIS": (True, "cis.all_antigens")}})
    add("cis_missing_dtap_dose", ["cis.antigen_short"], [Segment(child_birth, d(0, 12, 31))], **child,
        claims=_vaccines(child_birth, skip=("90700", 457)),
        expect={"numerator": {"CIS": (False, "cis.antigen_short")}})
    add("cis_enrolled_from_1st_birthday", ["cis.window_1st_to_2nd_birthday"], [Segment(first, d(0, 12, 31))], **child)
    add("cis_gap_46_days_after_1st_birthday", ["continuous_enrollment.gap_over_45_days"],
        [Segment(d(-1, 1, 1), first), Segment(first + dt.timedelta(days=47), d(0, 12, 31))], **child)
    add("cis_ends_day_before_2nd_birthday", ["anchor_date_not_enrolled"],
        [Segment(first, second - dt.timedelta(days=1))], **child)
    add("cis_switch_on_2nd_birthday", ["product_line.anchor_segment"],
        [Segment(first, second - dt.timedelta(days=1)), Segment(second, d(0, 12, 31), MEDICAID)], **child)

    # --- section 4: product lines ---------------------------------------------------------------------
    add("latest_segment_wins", ["product_line.latest_segment_wins"],
        [Segment(d(-2, 1, 1), d(0, 12, 31)), Segment(d(0, 7, 1), d(0, 12, 31), MEDICAID)])
    add("tie_medicare_first", ["product_line.tie_on_anchor"], sex="m", birth=d(-66, 5, 5),
        segments=[Segment(d(-2, 1, 1), d(-1, 12, 31), MEDICARE), Segment(d(0, 1, 1), d(0, 12, 31), COMMERCIAL),
                  Segment(d(0, 1, 1), d(0, 12, 31), MEDICARE)])
    add("tie_medicaid_over_commercial", ["product_line.tie_on_anchor"],
        [Segment(d(-2, 1, 1), d(-1, 12, 31)), Segment(d(0, 1, 1), d(0, 12, 31), COMMERCIAL),
         Segment(d(0, 1, 1), d(0, 12, 31), MEDICAID)])
    add("switch_to_medicare", ["product_line.anchor_segment"], sex="m", birth=d(-65, 6, 1),
        segments=[Segment(d(-2, 1, 1), d(0, 5, 31)), Segment(d(0, 6, 1), d(0, 12, 31), MEDICARE)])

    # --- sections 2 and 5: death and enrollment flags -------------------------------------------------
    add("death_in_my", ["death"], death=d(0, 8, 1))
    add("hospice_flag_in_my", ["hospice_flag"],
        [Segment(d(-2, 1, 1), d(0, 6, 30)), Segment(d(0, 7, 1), d(0, 12, 31), hospice=True)])
    add("hospice_flag_before_my", ["hospice_flag_outside_my"],
        [Segment(d(-2, 1, 1), d(-1, 6, 30)), Segment(d(-1, 7, 1), d(-1, 12, 31), hospice=True),
         Segment(d(0, 1, 1), d(0, 12, 31))])
    add("institutional_snp_70", ["institutional_snp_66_plus"], birth=d(-70, 2, 2),
        segments=[Segment(d(-2, 1, 1), d(0, 12, 31), MEDICARE, snp=True, long_term=True)])
    add("long_term_institutional_70", ["long_term_institutional_66_plus"], sex="m", birth=d(-70, 9, 9),
        segments=[Segment(d(-2, 1, 1), d(0, 12, 31), MEDICARE, long_term=True)])
    add("institutional_65_not_excluded", ["institutional_under_66_not_excluded"], sex="m", birth=d(-65, 1, 20),
        segments=[Segment(d(-2, 1, 1), d(0, 12, 31), MEDICARE, snp=True, long_term=True)])
    add("hospice_claim_in_my", ["hospice_encounter_claim"],
        claims=[Claim(d(0, 9, 1), [Line("Q5001", revenue="0651")], ("C34.90",), end=d(0, 9, 30),
                      institutional=True, bill_type="811", provider=HOSPICE, place_of_service=None)],
        expect={"exclusion": {m: ("hospice", "hospice_encounter_claim")
                              for m in ("BCS", "COL", "CCS", "CBP", "EED", "GSD", "CIS")}})

    # --- section 1: claims mapping --------------------------------------------------------------------
    mammogram = lambda day, code="77067", **kw: Claim(day, [Line(code, **kw)], ("Z12.31",), provider=IMAGING,  # noqa: E731
                                                      place_of_service="22")
    add("reversed_mammogram", ["reversal_dropped"], claims=[mammogram(d(0, 3, 3), reversed=True)],
        expect={"numerator": {"BCS": (False, "reversal_dropped")}})
    add("mammogram_lower_case", ["code_normalisation.lower_case"], claims=[mammogram(d(0, 3, 3), "g0202")],
        expect={"numerator": {"BCS": (True, "code_normalisation.lower_case")}})
    add("mastectomy_modifier_50_slot_5", ["mastectomy.modifier_50", "modifier_any_slot"],
        claims=[Claim(d(-1, 2, 2), [Line("19303", ("59", "GA", "26", "TC", "50"))], ("C50.911",), provider=SURGEON,
                      place_of_service="22")],
        expect={"exclusion": {"BCS": ("bilateral_mastectomy", "mastectomy.modifier_50")}})
    add("mastectomy_modifier_50_slot_1", ["mastectomy.modifier_50"],
        claims=[Claim(d(-2, 2, 2), [Line("19303", ("50",))], ("C50.911",), provider=SURGEON, place_of_service="22")],
        expect={"exclusion": {"BCS": ("bilateral_mastectomy", "mastectomy.modifier_50")}})
    add("mastectomy_rt_plus_lt", ["mastectomy.rt_plus_lt", "modifier_any_slot"],
        claims=[Claim(d(-2, 5, 5), [Line("19303", ("RT",))], ("C50.911",), provider=SURGEON, place_of_service="22"),
                Claim(d(-1, 8, 8), [Line("19303", ("59", "GA", "LT"))], ("C50.912",), provider=SURGEON,
                      place_of_service="22")],
        expect={"exclusion": {"BCS": ("bilateral_mastectomy", "mastectomy.rt_plus_lt")}})
    add("mastectomy_right_only", ["mastectomy.unilateral_not_excluded"],
        claims=[Claim(d(-1, 5, 5), [Line("19303", ("RT",))], ("C50.911",), provider=SURGEON, place_of_service="22")],
        expect={"numerator": {"BCS": (False, "mastectomy.unilateral_not_excluded")}})
    add("colonoscopy_two_years_before", ["col.colonoscopy_10_years"], sex="m",
        claims=[Claim(d(-2, 6, 6), [Line("45378")], ("Z12.11",), provider="gastroenterology", place_of_service="24")],
        expect={"numerator": {"COL": (True, "col.colonoscopy_10_years")}})
    add("fit_prior_year_only", ["col.fobt_my_only"], sex="m",
        claims=[Claim(d(-1, 6, 6), [Line("82274")], ("Z12.12",), provider=LAB, place_of_service="81")],
        expect={"numerator": {"COL": (False, "col.fobt_my_only")}})
    add("sdna_two_years_before", ["col.sdna_3_years", "screening_claim_counts_as_result"], sex="m",
        claims=[Claim(d(-2, 11, 6), [Line("81528")], ("Z12.11",), provider=LAB, place_of_service="81")],
        expect={"numerator": {"COL": (True, "col.sdna_3_years")}})
    add("pap_two_years_before", ["ccs.cytology_3_years", "screening_claim_counts_as_result"], birth=d(-35, 4, 4),
        claims=[Claim(d(-2, 4, 20), [Line("q0091")], ("Z12.4",))],
        expect={"numerator": {"CCS": (True, "ccs.cytology_3_years")}})

    # Diabetes (EED and GSD eligibility) and the GSD / EED numerators.
    def diabetic(name, rules, extra=(), dx=("E11.9", "E11.9"), days=((0, 2, 3), (0, 5, 6)), expect=None, **kw):
        visits = [_office(d(*day), code) for day, code in zip(days, dx)]
        facts = {"diabetes": (True, "diabetes.two_visits")}
        facts.update(expect or {})
        add(name, rules, claims=visits + list(extra), expect=facts, **kw)

    add("diabetes_one_inpatient_stay", ["diabetes.one_inpatient_stay"], sex="m",
        claims=[Claim(d(-1, 4, 1), [Line(revenue="0120")], ("J18.9", "E11.9"), end=d(-1, 4, 5), institutional=True,
                      bill_type="111", provider=HOSPITAL, place_of_service=None)],
        expect={"diabetes": (True, "diabetes.one_inpatient_stay"),
                "numerator": {"GSD": (True, "gsd.no_assessment")}})
    add("diabetes_professional_pos_21", ["diabetes.one_inpatient_stay", "professional_pos_21_is_inpatient"], sex="m",
        claims=[Claim(d(0, 4, 1), [Line("99223")], ("I50.9", "E11.65"), end=d(0, 4, 4), place_of_service="21",
                      provider=NON_EYE)],
        expect={"diabetes": (True, "diabetes.one_inpatient_stay"), "numerator": {"GSD": (True, "gsd.no_assessment")}})
    add("diabetes_one_visit", ["diabetes.one_visit_not_enough"], sex="m", claims=[_office(d(0, 2, 3), "E11.9")],
        expect={"diabetes": (False, "diabetes.one_visit_not_enough")})
    add("diabetes_two_visits_same_day", ["diabetes.one_visit_not_enough"], sex="m",
        claims=[_office(d(0, 2, 3), "E11.9"), Claim(d(0, 2, 3), [Line("99214")], ("E11.9",), provider=NON_EYE)],
        expect={"diabetes": (False, "diabetes.one_visit_not_enough")})
    add("diabetes_visits_two_years_before", ["diabetes.outside_lookback"], sex="m",
        claims=[_office(d(-2, 2, 3), "E11.9"), _office(d(-2, 5, 6), "E11.9")],
        expect={"diabetes": (False, "diabetes.outside_lookback")})
    diabetic("diabetes_codes_untidy", ["diabetes.two_visits", "code_normalisation.no_dot_lower_case"], sex="m",
             dx=("E119", "e11.65"), expect={"numerator": {"GSD": (True, "gsd.no_assessment")}})
    diabetic("eye_exam_eye_care_provider", ["eye_care_provider_rule"], sex="m",
             extra=[Claim(d(0, 9, 9), [Line("92014")], ("E11.9",), provider=EYE)],
             expect={"numerator": {"EED": (True, "eye_care_provider_rule"), "GSD": (True, "gsd.no_assessment")}})
    diabetic("eye_exam_non_eye_care_provider", ["eye_exam_cpt_non_eye_care_provider"], sex="m",
             extra=[Claim(d(0, 9, 9), [Line("92014")], ("E11.9",), provider=NON_EYE)],
             expect={"numerator": {"EED": (False, "eye_exam_cpt_non_eye_care_provider"),
                                   "GSD": (True, "gsd.no_assessment")}})
    diabetic("eye_exam_cptii_any_provider", ["cptii_eye_exam_any_provider", "zero_paid_cptii_counts"], sex="m",
             extra=[_office(d(0, 10, 1), "E11.9", lines=(_cpt2("2023F"),))],
             expect={"numerator": {"EED": (True, "cptii_eye_exam_any_provider"), "GSD": (True, "gsd.no_assessment")}})
    diabetic("eye_exam_prior_year_no_retinopathy", ["eed.prior_year_exam_without_retinopathy"], sex="m",
             extra=[Claim(d(-1, 9, 9), [Line("92014")], ("E11.9",), provider=EYE)],
             expect={"numerator": {"EED": (True, "eed.prior_year_exam_without_retinopathy"),
                                   "GSD": (True, "gsd.no_assessment")}})
    diabetic("eye_exam_prior_year_with_retinopathy", ["eed.retinopathy_needs_exam_in_my"], sex="m",
             dx=("E11.319", "E11.9"), extra=[Claim(d(-1, 9, 9), [Line("92014")], ("E11.319",), provider=EYE)],
             expect={"numerator": {"EED": (False, "eed.retinopathy_needs_exam_in_my"),
                                   "GSD": (True, "gsd.no_assessment")}})
    diabetic("3072F_without_retinopathy", ["3072F_prior_year"], sex="m",
             extra=[_office(d(0, 10, 1), "E11.9", lines=(_cpt2("3072F"),))],
             expect={"numerator": {"EED": (True, "3072F_prior_year"), "GSD": (True, "gsd.no_assessment")}})
    diabetic("3072F_with_retinopathy", ["3072F_with_retinopathy_in_my"], sex="m", dx=("E11.319", "E11.319"),
             extra=[_office(d(0, 10, 1), "E11.319", lines=(_cpt2("3072F"),))],
             expect={"numerator": {"EED": (False, "3072F_with_retinopathy_in_my"), "GSD": (True, "gsd.no_assessment")}})
    diabetic("hba1c_without_result", ["gsd.assessment_without_result"], sex="m",
             extra=[_office(d(0, 11, 2), "E11.9", lines=(Line("83036"),))],
             expect={"numerator": {"GSD": (True, "gsd.assessment_without_result")}})
    diabetic("hba1c_cptii_below_7", ["cptii_result_code", "zero_paid_cptii_counts"], sex="m",
             extra=[_office(d(0, 11, 2), "E11.9", lines=(Line("83036"), _cpt2("3044F")))],
             expect={"numerator": {"GSD": (False, "cptii_result_code")}})
    diabetic("hba1c_cptii_above_9", ["cptii_result_code"], sex="m",
             extra=[_office(d(0, 11, 2), "E11.9", lines=(Line("83036"), _cpt2("3046F")))],
             expect={"numerator": {"GSD": (True, "cptii_result_code")}})
    diabetic("hba1c_cptii_8_to_9", ["cptii_result_code"], sex="m",
             extra=[_office(d(0, 11, 2), "E11.9", lines=(Line("83036"), _cpt2("3052F")))],
             expect={"numerator": {"GSD": (False, "cptii_result_code")}})
    diabetic("hba1c_most_recent_decides", ["gsd.most_recent_assessment"], sex="m",
             extra=[_office(d(0, 3, 2), "E11.9", lines=(Line("83036"), _cpt2("3046F"))),
                    _office(d(0, 11, 2), "E11.9", lines=(Line("83036"), _cpt2("3051F")))],
             expect={"numerator": {"GSD": (False, "gsd.most_recent_assessment")}})
    diabetic("hba1c_supplemental_lab_value", ["supplemental_lab_result"], sex="m",
             extra=[_office(d(0, 11, 2), "E11.9", lines=(Line("83036"),))], labs=[LabResult(d(0, 11, 2), 7.1)],
             expect={"numerator": {"GSD": (False, "supplemental_lab_result")}})
    diabetic("hba1c_lab_only_above_9", ["supplemental_lab_result"], sex="m", labs=[LabResult(d(0, 6, 2), 10.4)],
             expect={"numerator": {"GSD": (True, "supplemental_lab_result")}})
    diabetic("hba1c_lab_exactly_9", ["gsd.nine_is_not_above_9"], sex="m", labs=[LabResult(d(0, 6, 2), 9.0)],
             expect={"numerator": {"GSD": (False, "gsd.nine_is_not_above_9")}})

    # Hypertension (CBP eligibility) and blood-pressure readings.
    def hypertensive(name, rules, readings=(), days=((-1, 3, 3), (0, 2, 2)), expect=None, **kw):
        visits = [_office(d(*day), "I10") for day in days]
        facts = {"hypertension": (True, "cbp.two_visits_hypertension")}
        facts.update(expect or {})
        add(name, rules, claims=visits + list(readings), expect=facts, sex="m", **kw)

    bp = lambda day, s, dia, **kw: _office(day, "I10", lines=(_cpt2(s), _cpt2(dia)), **kw)  # noqa: E731
    hypertensive("bp_controlled", ["cbp.two_visits_hypertension", "cptii_bp_codes"],
                 readings=[bp(d(0, 9, 9), "3074F", "3078F")],
                 expect={"numerator": {"CBP": (True, "cptii_bp_codes")}})
    hypertensive("bp_not_controlled", ["cptii_bp_codes"], readings=[bp(d(0, 9, 9), "3077F", "3079F")],
                 expect={"numerator": {"CBP": (False, "cptii_bp_codes")}})
    hypertensive("bp_ed_day_ignored", ["bp_on_inpatient_or_ed_day_ignored"],
                 readings=[bp(d(0, 9, 9), "3075F", "3079F"),
                           Claim(d(0, 11, 11), [Line("99284"), _cpt2("3077F"), _cpt2("3080F")], ("R07.9", "I10"),
                                 provider=NON_EYE, place_of_service="23")],
                 expect={"numerator": {"CBP": (True, "bp_on_inpatient_or_ed_day_ignored")}})
    hypertensive("bp_inpatient_day_ignored", ["bp_on_inpatient_or_ed_day_ignored"],
                 readings=[bp(d(0, 9, 9), "3074F", "3079F"),
                           Claim(d(0, 11, 11), [Line("99223"), _cpt2("3077F"), _cpt2("3080F")], ("I50.9", "I10"),
                                 end=d(0, 11, 13), provider=NON_EYE, place_of_service="21")],
                 expect={"numerator": {"CBP": (True, "bp_on_inpatient_or_ed_day_ignored")}})
    hypertensive("bp_day_needs_both_values", ["bp.reading_day_needs_both"],
                 readings=[bp(d(0, 9, 9), "3074F", "3078F"), _office(d(0, 12, 1), "I10", lines=(_cpt2("3077F"),))],
                 expect={"numerator": {"CBP": (True, "bp.reading_day_needs_both")}})
    hypertensive("hypertension_one_visit", ["cbp.one_visit_not_enough"], days=((0, 2, 2),),
                 expect={"hypertension": (False, "cbp.one_visit_not_enough")})
    hypertensive("hypertension_second_visit_after_june", ["cbp.visits_after_june_30_ignored"],
                 days=((0, 2, 2), (0, 7, 1)), expect={"hypertension": (False, "cbp.visits_after_june_30_ignored")})
    hypertensive("hypertension_telephone_visit", ["cbp.telephone_visit_counts"], days=((-1, 3, 3),),
                 readings=[Claim(d(0, 2, 2), [Line("99441")], ("I10",), place_of_service="02")],
                 expect={"numerator": {"CBP": (False, "cbp.no_numerator_evidence")}})

    # Bad input the spec settles, and claim-mapping rules not shown above.
    add("mastectomy_modifier_50_slot_4", ["mastectomy.modifier_50", "modifier_any_slot"],
        claims=[Claim(d(-1, 3, 3), [Line("19303", ("59", "GA", "26", "50"))], ("C50.912",), provider=SURGEON,
                      place_of_service="22")],
        expect={"exclusion": {"BCS": ("bilateral_mastectomy", "mastectomy.modifier_50")}})
    add("duplicate_mammogram_line", ["duplicate_line_kept_once"], claims=[mammogram(d(0, 4, 4), duplicated=True)],
        expect={"numerator": {"BCS": (True, "duplicate_line_kept_once")}})
    add("icd10_pcs_bilateral_mastectomy", ["icd10_pcs_procedure_date"],
        claims=[Claim(d(-1, 3, 2), [Line(revenue="0120")], ("C50.911",), end=d(-1, 3, 5), institutional=True,
                      bill_type="111", provider=HOSPITAL, place_of_service=None, procedure=("0HTV0ZZ", d(-1, 3, 3)))],
        expect={"exclusion": {"BCS": ("bilateral_mastectomy", "icd10_pcs_procedure_date")}})
    add("discharge_to_hospice_in_my", ["discharge_to_hospice"],
        claims=[Claim(d(0, 5, 1), [Line(revenue="0120")], ("J18.9",), end=d(0, 5, 6), institutional=True,
                      bill_type="111", provider=HOSPITAL, place_of_service=None, discharge_status="51")],
        expect={"exclusion": {m: ("hospice", "discharge_to_hospice")
                              for m in ("BCS", "COL", "CCS", "CBP", "EED", "GSD", "CIS")}})
    add("frailty_device_advanced_illness_70", ["frailty_device_claim", "advanced_illness_frailty_66_plus"],
        birth=d(-70, 6, 1),
        claims=[_office(d(-1, 5, 5), "G30.9"),
                Claim(d(0, 3, 3), [Line("E0130")], ("M54.50",), provider="durable medical equipment",
                      place_of_service="12")],
        expect={"exclusion": {m: ("advanced_illness_frailty", "advanced_illness_frailty_66_plus")
                              for m in ("BCS", "COL", "CBP", "EED", "GSD")}})
    add("ct_colonography_two_years_before", ["col.ct_colonography_5_years", "screening_claim_counts_as_result"],
        sex="m", claims=[Claim(d(-2, 7, 7), [Line("74263")], ("Z12.11",), provider=IMAGING, place_of_service="22")],
        expect={"numerator": {"COL": (True, "col.ct_colonography_5_years")}})
    add("hpv_test_two_years_before", ["ccs.hpv_5_years_age_30"], birth=d(-40, 4, 4),
        claims=[Claim(d(-2, 4, 20), [Line("87624")], ("Z11.51",))],
        expect={"numerator": {"CCS": (True, "ccs.hpv_5_years_age_30")}})
    add("hpv_test_before_30th_birthday", ["ccs.hpv_under_30_not_counted"], birth=d(-30, 8, 1),
        claims=[Claim(d(-2, 4, 20), [Line("87624")], ("Z11.51",))],
        expect={"numerator": {"CCS": (False, "ccs.hpv_under_30_not_counted")}})
    diabetic("diabetes_ed_and_office_visit", ["diabetes.ed_visit_counts"], sex="m", days=((0, 2, 3),), dx=("E11.9",),
             extra=[Claim(d(0, 8, 8), [Line("99284")], ("R07.9", "E11.9"), provider=NON_EYE, place_of_service="23")],
             expect={"numerator": {"GSD": (True, "gsd.no_assessment")}})
    add("diabetes_inpatient_bill_type_12x", ["inpatient_bill_type_12x", "diabetes.one_inpatient_stay"], sex="m",
        claims=[Claim(d(0, 3, 1), [Line("80053", revenue="0300")], ("E11.65",), end=d(0, 3, 2), institutional=True,
                      bill_type="121", provider=HOSPITAL, place_of_service=None)],
        expect={"diabetes": (True, "diabetes.one_inpatient_stay"), "numerator": {"GSD": (True, "gsd.no_assessment")}})
    add("hospice_bill_type_822", ["hospice_bill_type_82x_revenue_065x"],
        claims=[Claim(d(0, 10, 1), [Line(revenue="0655")], ("C34.90",), end=d(0, 10, 31), institutional=True,
                      bill_type="822", provider=HOSPICE, place_of_service=None)],
        expect={"exclusion": {m: ("hospice", "hospice_bill_type_82x_revenue_065x")
                              for m in ("BCS", "COL", "CCS", "CBP", "EED", "GSD", "CIS")}})
    hypertensive("bp_ed_revenue_day_ignored", ["ed_visit_by_revenue_code"],
                 readings=[bp(d(0, 9, 9), "3074F", "3078F"), bp(d(0, 11, 11), "3077F", "3080F"),
                           Claim(d(0, 11, 11), [Line("93000", revenue="0450")], ("R07.9",), institutional=True,
                                 bill_type="131", provider=HOSPITAL, place_of_service=None)],
                 expect={"numerator": {"CBP": (True, "ed_visit_by_revenue_code")}})
    add("diabetes_diagnosis_type_mislabelled", ["diagnosis_code_type_mislabelled", "diabetes.two_visits"], sex="m",
        claims=[Claim(d(0, 2, 3), [Line("99213")], ("E11.9",), diagnosis_code_type="icd-10-pcs"),
                Claim(d(0, 5, 6), [Line("99213")], ("E11.9",), diagnosis_code_type="icd-10-pcs")],
        expect={"diabetes": (True, "diabetes.two_visits"), "numerator": {"GSD": (True, "gsd.no_assessment")}})
    hypertensive("renal_diagnosis_on_dec_31", ["exact_boundary_claim_date_uncertain"],
                 readings=[bp(d(0, 9, 9), "3074F", "3078F"), _office(d(0, 12, 31), "N18.6")],
                 expect={"numerator": {"CBP": (True, "exact_boundary_claim_date_uncertain")}})
    hypertensive("renal_diagnosis_on_dec_30", ["cbp.pregnancy_or_renal"],
                 readings=[bp(d(0, 9, 9), "3074F", "3078F"), _office(d(0, 12, 30), "N18.6")],
                 expect={"exclusion": {"CBP": ("pregnancy_or_renal_diagnosis", "cbp.pregnancy_or_renal")},
                         "numerator": {"CBP": (True, "cptii_bp_codes")}})  # excluded: the key's numerator is false
    diabetic("retinopathy_billed_only_prior_year", ["claim_diagnosis_lasts_service_period"], sex="m",
             extra=[Claim(d(-1, 9, 9), [Line("92014")], ("E11.319",), provider=EYE)],
             expect={"numerator": {"EED": (True, "eed.prior_year_exam_without_retinopathy"),
                                   "GSD": (True, "gsd.no_assessment")}})

    # --- section 2 (c): the condition known only from a supplemental FHIR Condition, no claims at all ---
    add("fhir_hypertension_condition", ["cbp.supplemental_condition"], sex="m",
        conditions=[FhirCondition("I10", d(-1, 1, 10))],
        expect={"hypertension": (True, "cbp.supplemental_condition")})
    add("fhir_hypertension_onset_after_june_30", ["cbp.supplemental_condition_after_june_30"], sex="m",
        conditions=[FhirCondition("I10", d(0, 7, 1))],
        expect={"hypertension": (False, "cbp.supplemental_condition_after_june_30")})
    add("fhir_diabetes_condition", ["diabetes.supplemental_condition"], sex="m",
        conditions=[FhirCondition("E11.9", d(-1, 9, 15))],
        expect={"diabetes": (True, "diabetes.supplemental_condition"), "numerator": {"GSD": (True, "gsd.no_assessment")}})
    add("fhir_diabetes_abated_before_my", ["diabetes.supplemental_condition_abated_before_my"], sex="m",
        conditions=[FhirCondition("E11.9", d(-1, 2, 1), abatement=d(-1, 11, 30))],
        expect={"diabetes": (False, "diabetes.supplemental_condition_abated_before_my")})
    return cases


def _vaccines(birth: dt.date, skip: tuple[str, int] | None = None) -> list[Claim]:
    """Well-child visits with every CIS antigen by CPT on schedule (doses at these ages in days)."""
    schedule = {"90700": (61, 122, 183, 457), "90713": (61, 122, 183), "90707": (380,), "90647": (61, 122, 183),
                "90744": (1, 35, 183), "90716": (380,), "90670": (61, 122, 183, 400), "90633": (400,),
                "90681": (61, 122), "90686": (200, 235)}
    by_day: dict[int, list[str]] = {}
    for code, ages in schedule.items():
        for age in ages:
            if skip != (code, age):
                by_day.setdefault(age, []).append(code)
    claims = []
    for age, codes in sorted(by_day.items()):
        visit = "99381" if age < 30 else ("99391" if age < 365 else "99392")
        claims.append(Claim(birth + dt.timedelta(days=age), [Line(visit)] + [Line(c) for c in codes],
                            ("Z00.129", "Z23"), provider=PEDIATRICIAN))
    return claims


def cases_for_window(my: int, first_year: int) -> list[Case]:
    """The cases whose every date lies inside the generated years (the others need more history)."""
    lo, hi = dt.date(first_year, 1, 1), dt.date(my, 12, 31)
    return [c for c in edge_cases(my) if all(lo <= x <= hi for x in c.dates() if x != c.birth)]


# --- writing the planted members ------------------------------------------------------------------------

_LINE_PAYER = {COMMERCIAL: ("Acme Health Commercial", "HMO Silver"),
               MEDICAID: ("Acme Community Medicaid", "Medicaid Managed Care"),
               MEDICARE: ("Acme Medicare Advantage", "Medicare Advantage HMO")}


def _line_on(case: Case, day: dt.date) -> str:
    covering = [s for s in case.segments if s.start <= day <= s.end]
    return max(covering, key=lambda s: s.start).line if covering else COMMERCIAL


def pick_providers(roster) -> dict[str, int]:
    """One ordinary in-network provider per specialty (never a planted performer)."""
    planted = {p["npi"] for p in roster.planted}
    chosen = {}
    for specialty, pool in roster.by_specialty.items():
        usable = [int(i) for i in pool if roster.in_network[i] and roster.npi[i] not in planted]
        chosen[specialty] = usable[0] if usable else int(pool[0])
    return chosen


def planted_tables(cases: list[Case], person_ids: list[str], roster, id_base: int) -> dict[str, pa.Table]:
    """Eligibility, medical claim and lab result rows of the planted members (plain text / number columns)."""
    provider = pick_providers(roster)
    iso = dt.date.isoformat
    elig: dict[str, list] = {k: [] for k in ("person_id", "member_id", "subscriber_id", "gender", "birth_date",
                                             "death_date", "death_flag", "enrollment_start_date",
                                             "enrollment_end_date", "payer", "payer_type", "plan", "state",
                                             "data_source", "hospice_flag", "institutional_snp_flag",
                                             "long_term_institutional_flag", "pcp_npi")}
    claim: dict[str, list] = {k: [] for k in (
        "claim_id", "claim_line_number", "claim_type", "person_id", "payer", "plan", "claim_start_date",
        "claim_end_date", "claim_line_start_date", "claim_line_end_date", "admission_date", "discharge_date",
        "discharge_disposition_code", "admit_type_code", "admit_source_code", "drg_code_type", "drg_code", "place_of_service_code", "bill_type_code", "revenue_center_code",
        "service_unit_quantity", "hcpcs_code", "hcpcs_modifier_1", "hcpcs_modifier_2", "hcpcs_modifier_3",
        "hcpcs_modifier_4", "hcpcs_modifier_5", "rendering_npi", "rendering_tin", "billing_npi", "billing_tin",
        "facility_npi", "paid_date", "paid_amount", "allowed_amount", "charge_amount", "diagnosis_code_type",
        "diagnosis_code_1", "diagnosis_code_2", "diagnosis_code_3", "diagnosis_code_4", "procedure_code_type",
        "procedure_code_1", "procedure_date_1", "in_network_flag", "data_source")}
    lab: dict[str, list] = {k: [] for k in (
        "lab_result_id", "person_id", "accession_number", "source_component_type", "source_component_code",
        "source_component_description", "normalized_component_type", "normalized_component_code",
        "normalized_component_description", "status", "result", "result_datetime", "collection_datetime",
        "source_units", "normalized_units", "specimen", "ordering_practitioner_id", "data_source", "ingest_datetime")}
    pcp_npi = roster.npi[provider[PCP]]
    claim_serial = 0
    lab_serial = 0
    for case, person in zip(cases, person_ids):
        number = person[1:]
        for segment in case.segments:
            payer, plan = _LINE_PAYER[segment.line]
            values = {"person_id": person, "member_id": "M" + number, "subscriber_id": "S" + number,
                      "gender": "female" if case.female else "male", "birth_date": iso(case.birth),
                      "death_date": iso(case.death) if case.death else None, "death_flag": int(case.death is not None),
                      "enrollment_start_date": iso(segment.start), "enrollment_end_date": iso(segment.end),
                      "payer": payer, "payer_type": segment.line, "plan": plan, "state": "MA",
                      "data_source": "hmoqa synthetic plan (planted edge member)",
                      "hospice_flag": int(segment.hospice), "institutional_snp_flag": int(segment.snp),
                      "long_term_institutional_flag": int(segment.long_term), "pcp_npi": pcp_npi}
            for key, value in values.items():
                elig[key].append(value)
        for c in case.claims:
            claim_serial += 1
            claim_id = f"C{id_base + claim_serial:010d}"
            end = c.end or c.start
            payer, plan = _LINE_PAYER[_line_on(case, c.start)]
            who = provider[c.provider]
            inpatient = c.institutional and (c.bill_type or "")[:2] in ("11", "12")
            dx = list(c.diagnoses) + [None] * (4 - len(c.diagnoses))
            rows = [(n + 1, line, False) for n, line in enumerate(c.lines)]
            rows += [(n + 1, line, False) for n, line in enumerate(c.lines) if line.duplicated]
            rows += [(n + 1, line, True) for n, line in enumerate(c.lines) if line.reversed]
            for number_on_claim, line, reversal in rows:
                amount = 0.0 if line.paid == 0.0 else (line.paid or 120.0)
                sign = -1.0 if reversal else 1.0
                mods = list(line.modifiers) + [None] * (5 - len(line.modifiers))
                values = {
                    "claim_id": claim_id, "claim_line_number": number_on_claim,
                    "claim_type": "institutional" if c.institutional else "professional", "person_id": person,
                    "payer": payer, "plan": plan, "claim_start_date": iso(c.start), "claim_end_date": iso(end),
                    "claim_line_start_date": iso(c.start), "claim_line_end_date": iso(end),
                    "admission_date": iso(c.start) if inpatient else None,
                    "discharge_date": iso(end) if inpatient else None,
                    "discharge_disposition_code": (c.discharge_status or "01") if inpatient else None,
                    # Ordinary stay details (an emergency admission for pneumonia) so other layers see a normal stay.
                    "admit_type_code": "1" if inpatient else None, "admit_source_code": "7" if inpatient else None,
                    "drg_code_type": "ms-drg" if inpatient else None, "drg_code": "194" if inpatient else None,
                    "place_of_service_code": c.place_of_service, "bill_type_code": c.bill_type,
                    "revenue_center_code": line.revenue,
                    "service_unit_quantity": float((end - c.start).days + 1) if line.revenue else 1.0,
                    "hcpcs_code": line.code,
                    **{f"hcpcs_modifier_{k + 1}": mods[k] for k in range(5)},
                    "rendering_npi": roster.npi[who], "rendering_tin": roster.tin[who],
                    "billing_npi": roster.npi[who], "billing_tin": roster.tin[who],
                    "facility_npi": roster.npi[who] if c.institutional else None,
                    "paid_date": iso(end + dt.timedelta(days=60 if reversal else 20)),
                    "paid_amount": sign * amount, "allowed_amount": sign * amount, "charge_amount": sign * amount * 1.7,
                    "diagnosis_code_type": c.diagnosis_code_type,
                    **{f"diagnosis_code_{k + 1}": dx[k] for k in range(4)},
                    "procedure_code_type": "icd-10-pcs" if c.procedure else None,
                    "procedure_code_1": c.procedure[0] if c.procedure else None,
                    "procedure_date_1": iso(c.procedure[1]) if c.procedure else None,
                    "in_network_flag": 1, "data_source": "hmoqa synthetic plan (planted edge member)"}
                for key, value in values.items():
                    claim[key].append(value)
        for result in case.labs:
            lab_serial += 1
            stamp = iso(result.day)
            values = {"lab_result_id": f"L{id_base + lab_serial:010d}", "person_id": person,
                      "accession_number": f"ACC{id_base + lab_serial:010d}", "source_component_type": "loinc",
                      "source_component_code": "4548-4",
                      "source_component_description": "Hemoglobin A1c/Hemoglobin.total in Blood",
                      "normalized_component_type": "loinc", "normalized_component_code": "4548-4",
                      "normalized_component_description": "Hemoglobin A1c/Hemoglobin.total in Blood",
                      "status": "final", "result": f"{result.value:.1f}", "result_datetime": f"{stamp} 14:40:00",
                      "collection_datetime": f"{stamp} 08:15:00", "source_units": "%", "normalized_units": "%",
                      "specimen": "blood", "ordering_practitioner_id": pcp_npi,
                      "data_source": "hmoqa synthetic lab feed", "ingest_datetime": f"{stamp} 23:00:00"}
            for key, value in values.items():
                lab[key].append(value)
    return {"eligibility": pa.table(elig), "medical_claim": pa.table(claim), "lab_result": pa.table(lab)}


_CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
_CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
_ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"


def planted_fhir_conditions(cases: list[Case], person_ids: list[str]) -> list[dict]:
    """FHIR R4 Condition resources of the planted members' supplemental conditions; the subject is
    `Patient/<person_id>`, which joins the plan member (docs/measures.md, plan program)."""
    resources = []
    for case, person in zip(cases, person_ids):
        for n, condition in enumerate(case.conditions, start=1):
            resource = {"resourceType": "Condition", "id": f"{person}-condition-{n}",
                        "clinicalStatus": {"coding": [{"system": _CONDITION_CLINICAL,
                                                       "code": "resolved" if condition.abatement else "active"}]},
                        "verificationStatus": {"coding": [{"system": _CONDITION_VERIFICATION, "code": "confirmed"}]},
                        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category",
                                                  "code": "problem-list-item"}]}],
                        "code": {"coding": [{"system": _ICD10CM, "code": condition.code}]},
                        "subject": {"reference": f"Patient/{person}"},
                        "onsetDateTime": condition.onset.isoformat()}
            if condition.abatement:
                resource["abatementDateTime"] = condition.abatement.isoformat()
            resources.append(resource)
    return resources


def planted_frame_arrays(cases: list[Case]) -> dict[str, np.ndarray]:
    """Segment matrices of the planted members in the layout `answer_key.MemberFrame` expects."""
    width = max(1, max(len(c.segments) for c in cases)) if cases else 1
    n = len(cases)
    start = np.full((n, width), NO_DATE, dtype=np.int64)
    end = np.full((n, width), -1, dtype=np.int64)
    line = np.zeros((n, width), dtype=np.int64)
    hospice, snp, long_term = (np.zeros((n, width), dtype=bool) for _ in range(3))
    priority = (MEDICARE, MEDICAID, COMMERCIAL)
    for i, case in enumerate(cases):
        for j, s in enumerate(case.segments):
            start[i, j], end[i, j] = day_number(s.start), day_number(s.end)
            line[i, j] = priority.index(s.line)
            hospice[i, j], snp[i, j], long_term[i, j] = s.hospice, s.snp, s.long_term
    return {"birth": np.array([day_number(c.birth) for c in cases], dtype=np.int64),
            "female": np.array([c.female for c in cases], dtype=bool),
            "death": np.array([day_number(c.death) if c.death else NO_DATE for c in cases], dtype=np.int64),
            "seg_start": start, "seg_end": end, "seg_line": line, "seg_hospice": hospice, "seg_snp": snp,
            "seg_long_term": long_term}
