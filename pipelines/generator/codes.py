"""Real code tables the synthetic plan draws from, and text vocabularies for dictionary-encoded columns.

Codes are public CPT / HCPCS / ICD-10-CM / LOINC / CVX / RxNorm / revenue-code facts. Prices are rough
allowed amounts in dollars, only there to make paid / allowed columns look plausible.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa


class Vocabulary:
    """An append-only list of text values; columns store int32 indices into it (-1 = null)."""

    def __init__(self, values: tuple[str, ...] | list[str] = ()) -> None:
        self.values: list[str] = []
        self._index: dict[str, int] = {}
        for value in values:
            self.add(value)

    def add(self, value: str) -> int:
        if value not in self._index:
            self._index[value] = len(self.values)
            self.values.append(value)
        return self._index[value]

    def idx(self, value: str) -> int:
        return self._index[value]

    def indices(self, values) -> np.ndarray:
        return np.array([self._index[v] for v in values], dtype=np.int32)

    def arrow(self) -> pa.Array:
        return pa.array(self.values, type=pa.string())


class CodeVocabulary(Vocabulary):
    """Codes stored with two spelling variants right after each canonical code.

    Index 3k is the canonical code, 3k+1 the same code without its dot, 3k+2 lower case. Claims
    sometimes carry the variants; staging normalises them, so they are valid, just untidy.
    """

    def __init__(self, codes: tuple[str, ...] | list[str]) -> None:
        super().__init__()
        self._canonical: dict[str, int] = {}
        for code in codes:
            self.add_code(code)

    def add_code(self, code: str) -> int:
        if code in self._canonical:
            return self._canonical[code]
        base = len(self.values)
        for variant in (code, code.replace(".", ""), code.lower()):
            self.values.append(variant)
        self._canonical[code] = base
        return base

    def idx(self, code: str) -> int:
        return self._canonical[code]

    def indices(self, codes) -> np.ndarray:
        return np.array([self._canonical[c] for c in codes], dtype=np.int32)


# --- procedure / service codes (hcpcs_code) -------------------------------------------------------

OFFICE_NEW = ("99202", "99203", "99204", "99205")
OFFICE_ESTABLISHED = ("99212", "99213", "99214", "99215")
TELEHEALTH = ("99441", "99442", "98966", "99421", "99422", "G2012")
PREVENTIVE_INITIAL_CHILD = ("99381", "99382", "99383", "99384")      # <1, 1-4, 5-11, 12-17
PREVENTIVE_ESTABLISHED_CHILD = ("99391", "99392", "99393", "99394")
PREVENTIVE_INITIAL_ADULT = ("99385", "99386", "99387")                # 18-39, 40-64, 65+
PREVENTIVE_ESTABLISHED_ADULT = ("99395", "99396", "99397")
ANNUAL_WELLNESS = ("G0438", "G0439")
ED_VISIT = ("99281", "99282", "99283", "99284", "99285")
INPATIENT_PROFESSIONAL = ("99221", "99222", "99223", "99231", "99232", "99233", "99238")
ROUTINE_LABS = ("80053", "85025", "80061", "84443", "81001")
VENIPUNCTURE = "36415"
HBA1C_TEST = "83036"
HBA1C_RESULT_CODES = ("3044F", "3051F", "3052F", "3046F")            # <7, 7-8, 8-9, >9
SYSTOLIC_CODES = ("3074F", "3075F", "3077F")                          # <130, 130-139, >=140
DIASTOLIC_CODES = ("3078F", "3079F", "3080F")                         # <80, 80-89, >=90
EYE_EXAM_CPT = ("92004", "92014", "92250", "92134")
EYE_EXAM_CPT2_WITH_RETINOPATHY = ("2022F", "2024F", "2026F")
EYE_EXAM_CPT2_WITHOUT_RETINOPATHY = ("2023F", "2025F", "2033F")
EYE_EXAM_LOW_RISK = "3072F"
MAMMOGRAPHY = ("77067", "77067", "77067", "77063", "77065", "G0202")
COLONOSCOPY = ("45378", "45380", "45385", "G0121")
FIT = ("82274", "82274", "G0328")
SDNA_FIT = "81528"
CT_COLONOGRAPHY = "74263"
PAP = ("88175", "88175", "88142", "88150", "Q0091")
HPV = ("87624", "87624", "87625")
BILATERAL_MASTECTOMY = "19303"
FRAILTY_DEVICE = ("E0130", "E0143", "E0250", "E0100", "E1130")
HOSPICE_HCPCS = ("Q5001", "Q5002", "G0182")
VACCINE_ADMIN = ("90460", "90461")
SPECIALIST_PROCEDURES = ("93000", "93306", "45378", "58100", "76700", "95251")
ECG = "93000"

# Childhood vaccines by CPT: (antigen, CPT, CVX, doses by 2nd birthday, dose ages in days)
CHILD_VACCINES: tuple[tuple[str, str, str, tuple[int, ...]], ...] = (
    ("dtap", "90700", "20", (61, 122, 183, 457)),
    ("ipv", "90713", "10", (61, 122, 183)),
    ("mmr", "90707", "03", (366,)),
    ("hib", "90648", "48", (61, 122, 183, 366)),  # 90648 / CVX 48 is the 4-dose schedule
    ("hepb", "90744", "08", (1, 35, 183)),
    ("vzv", "90716", "21", (370,)),
    ("pcv", "90670", "133", (61, 122, 183, 380)),
    ("hepa", "90633", "83", (400,)),
    ("rotavirus", "90681", "119", (61, 122)),
    ("influenza", "90686", "150", (200, 235)),
)
# Alternative CPT codes for some antigens, occasionally billed instead.
CHILD_VACCINE_ALTERNATIVES = {"hib": "90647", "pcv": "90671"}

# --- institutional ---------------------------------------------------------------------------------

REVENUE_ROOM_AND_BOARD = ("0120", "0110", "0200", "0206")
REVENUE_ANCILLARY = ("0250", "0300", "0320", "0360", "0410", "0636", "0730")
REVENUE_ED = ("0450", "0450", "0451", "0456")
REVENUE_HOSPICE = "0651"
ICD10_PCS = ("02703DZ", "0SRD0J9", "5A1955Z", "0DTJ4ZZ", "0FT44ZZ", "30233N1")
PCS_BILATERAL_MASTECTOMY = "0HTV0ZZ"  # never drawn; planted members carry it (answer key)
MS_DRG = ("291", "292", "194", "195", "871", "872", "470", "392", "683", "690", "065", "190")
INPATIENT_BILL_TYPE = "111"
OUTPATIENT_BILL_TYPE = "131"
HOSPICE_BILL_TYPES = ("811", "812", "813", "814")
DISCHARGE_HOME = "01"
DISCHARGE_OTHER = ("01", "01", "01", "06", "03", "62")
DISCHARGE_TO_HOSPICE = ("50", "51")
# Never drawn; planted members carry them (answer key): an inpatient Part B bill type, a hospice bill type
# 82x and another hospice revenue code of plan-program.md 1.
INPATIENT_PART_B_BILL_TYPE = "121"
HOSPICE_FACILITY_BILL_TYPE = "822"
REVENUE_HOSPICE_OTHER = "0655"
INPATIENT_BILL_TYPES = (INPATIENT_BILL_TYPE, INPATIENT_PART_B_BILL_TYPE)
ALL_HOSPICE_BILL_TYPES = HOSPICE_BILL_TYPES + (HOSPICE_FACILITY_BILL_TYPE,)
ALL_REVENUE_HOSPICE = (REVENUE_HOSPICE, REVENUE_HOSPICE_OTHER)

# --- diagnoses (ICD-10-CM) ------------------------------------------------------------------------

DX_WELL_ADULT = ("Z00.00", "Z00.01")
DX_WELL_CHILD = ("Z00.121", "Z00.129", "Z00.110")
DX_IMMUNIZATION = "Z23"
DX_GENERAL = ("J06.9", "M54.50", "R05.9", "K21.9", "E78.5", "F41.1", "J02.9", "N39.0", "M25.561",
              "R10.9", "L30.9", "H66.90", "J20.9", "E66.9", "F32.A", "G43.909")
DX_CHILD = ("J06.9", "H66.90", "J02.9", "R50.9", "L20.9", "J45.909", "B34.9")
DX_HYPERTENSION = "I10"
DX_DIABETES = ("E11.9", "E11.9", "E11.65", "E11.22", "E11.40", "E10.9", "E13.9")
DX_RETINOPATHY = ("E11.319", "E11.3293", "E11.3599", "E10.319")
DX_SCREEN_MAMMO = "Z12.31"
DX_SCREEN_COLON = ("Z12.11", "Z12.12")
DX_SCREEN_CERVIX = ("Z12.4", "Z01.419", "Z11.51")
DX_ED = ("R07.9", "S93.401A", "R10.9", "J18.9", "N39.0", "S01.81XA", "R55", "K52.9")
DX_INPATIENT = ("I21.4", "J18.9", "A41.9", "I50.9", "N17.9", "J44.1", "K57.32", "I63.9")
DX_FRAILTY = ("R54", "W19.XXXA", "Z74.09", "Z91.81", "M62.50", "L89.154")
DX_ADVANCED_ILLNESS = ("G30.9", "G30.1", "I50.22", "J43.9", "C25.9", "N18.5", "J96.11", "G31.83")
DX_HOSPICE = ("C34.90", "G30.9", "I50.9", "C25.9", "J44.1")
DX_ESRD = "N18.6"
DX_PREGNANCY = ("Z34.80", "O09.529", "Z34.90", "O26.891")
DX_MASTECTOMY_HISTORY = "Z90.13"
DX_CARDIOLOGY = ("I25.10", "I48.91", "I10", "R00.2")
DX_GASTRO = ("K21.9", "K57.30", "Z86.010", "K63.5")
DX_OBGYN = ("N94.6", "N92.0", "Z30.41", "N95.1")
DX_ENDO = ("E11.65", "E05.90", "E03.9", "E55.9")
DX_EYE = ("H52.4", "H25.9", "H40.9", "H52.13")
DX_BREAST_CANCER = ("C50.911", "C50.912")

ALL_DIAGNOSES = tuple(dict.fromkeys(
    DX_WELL_ADULT + DX_WELL_CHILD + (DX_IMMUNIZATION,) + DX_GENERAL + DX_CHILD + (DX_HYPERTENSION,)
    + DX_DIABETES + DX_RETINOPATHY + (DX_SCREEN_MAMMO,) + DX_SCREEN_COLON + DX_SCREEN_CERVIX + DX_ED
    + DX_INPATIENT + DX_FRAILTY + DX_ADVANCED_ILLNESS + DX_HOSPICE + (DX_ESRD,) + DX_PREGNANCY
    + (DX_MASTECTOMY_HISTORY,) + DX_CARDIOLOGY + DX_GASTRO + DX_OBGYN + DX_ENDO + DX_EYE + DX_BREAST_CANCER))

ALL_HCPCS = tuple(dict.fromkeys(
    OFFICE_NEW + OFFICE_ESTABLISHED + TELEHEALTH + PREVENTIVE_INITIAL_CHILD + PREVENTIVE_ESTABLISHED_CHILD
    + PREVENTIVE_INITIAL_ADULT + PREVENTIVE_ESTABLISHED_ADULT + ANNUAL_WELLNESS + ED_VISIT
    + INPATIENT_PROFESSIONAL + ROUTINE_LABS + (VENIPUNCTURE, HBA1C_TEST) + HBA1C_RESULT_CODES
    + SYSTOLIC_CODES + DIASTOLIC_CODES + EYE_EXAM_CPT + EYE_EXAM_CPT2_WITH_RETINOPATHY
    + EYE_EXAM_CPT2_WITHOUT_RETINOPATHY + (EYE_EXAM_LOW_RISK,) + MAMMOGRAPHY + COLONOSCOPY + FIT
    + (SDNA_FIT, CT_COLONOGRAPHY) + PAP + HPV + (BILATERAL_MASTECTOMY,) + FRAILTY_DEVICE + HOSPICE_HCPCS
    + VACCINE_ADMIN + SPECIALIST_PROCEDURES + tuple(v[1] for v in CHILD_VACCINES)
    + tuple(CHILD_VACCINE_ALTERNATIVES.values())))

PRICES = {
    **dict.fromkeys(OFFICE_NEW, 140.0), **dict.fromkeys(OFFICE_ESTABLISHED, 95.0),
    **dict.fromkeys(TELEHEALTH, 60.0), **dict.fromkeys(PREVENTIVE_INITIAL_CHILD + PREVENTIVE_INITIAL_ADULT, 180.0),
    **dict.fromkeys(PREVENTIVE_ESTABLISHED_CHILD + PREVENTIVE_ESTABLISHED_ADULT, 150.0),
    **dict.fromkeys(ANNUAL_WELLNESS, 170.0), **dict.fromkeys(ED_VISIT, 210.0),
    **dict.fromkeys(INPATIENT_PROFESSIONAL, 120.0), **dict.fromkeys(ROUTINE_LABS, 18.0),
    VENIPUNCTURE: 3.0, HBA1C_TEST: 13.0, **dict.fromkeys(EYE_EXAM_CPT, 110.0),
    **dict.fromkeys(MAMMOGRAPHY, 140.0), **dict.fromkeys(COLONOSCOPY, 650.0), **dict.fromkeys(FIT, 20.0),
    SDNA_FIT: 500.0, CT_COLONOGRAPHY: 380.0, **dict.fromkeys(PAP, 30.0), **dict.fromkeys(HPV, 38.0),
    BILATERAL_MASTECTOMY: 1800.0, **dict.fromkeys(FRAILTY_DEVICE, 95.0), **dict.fromkeys(HOSPICE_HCPCS, 190.0),
    **dict.fromkeys(VACCINE_ADMIN, 20.0), **dict.fromkeys(SPECIALIST_PROCEDURES, 160.0),
    **{v[1]: 45.0 for v in CHILD_VACCINES}, **dict.fromkeys(CHILD_VACCINE_ALTERNATIVES.values(), 45.0),
}
REVENUE_PRICES = {"0120": 2100.0, "0110": 2300.0, "0200": 4200.0, "0206": 3600.0, "0250": 180.0,
                  "0300": 140.0, "0320": 260.0, "0360": 2400.0, "0410": 120.0, "0636": 310.0,
                  "0730": 90.0, "0450": 900.0, "0451": 450.0, "0456": 600.0, "0651": 210.0}

# --- pharmacy: (drug, NDC 11-digit, RxNorm or "", days supply) --------------------------------------

DRUGS_DIABETES = (("metformin 500 mg tablet", "00093104801", "861007", 30),
                  ("metformin 1000 mg tablet", "00093104901", "861004", 90),
                  ("insulin glargine 100 unit/mL", "00088221905", "", 30),
                  ("glipizide 5 mg tablet", "00093300101", "", 30))
DRUGS_HYPERTENSION = (("lisinopril 10 mg tablet", "68180051301", "314076", 30),
                      ("amlodipine 5 mg tablet", "00093716701", "197361", 90),
                      ("losartan 50 mg tablet", "00093736598", "979492", 30),
                      ("hydrochlorothiazide 25 mg tablet", "00591024901", "310798", 30))
DRUGS_DEMENTIA = (("donepezil 10 mg tablet", "00093732056", "997223", 30),
                  ("donepezil 5 mg tablet", "00093732001", "997229", 30),
                  ("memantine 10 mg tablet", "00591387260", "996561", 30),
                  ("galantamine 8 mg tablet", "00054004721", "310437", 30))
DRUGS_STATIN = (("atorvastatin 20 mg tablet", "00378201805", "617310", 90),
                ("rosuvastatin 10 mg tablet", "00591377519", "859751", 30))
DRUGS_ACUTE = (("amoxicillin 500 mg capsule", "00093310905", "308191", 10),
               ("albuterol HFA inhaler", "00173068220", "", 25),
               ("azithromycin 250 mg tablet", "00093714719", "308460", 5),
               ("ibuprofen 800 mg tablet", "00904585261", "", 15),
               ("sertraline 50 mg tablet", "00093017201", "", 30),
               ("omeprazole 20 mg capsule", "62175011843", "", 30))
ALL_DRUGS = DRUGS_DIABETES + DRUGS_HYPERTENSION + DRUGS_DEMENTIA + DRUGS_STATIN + DRUGS_ACUTE

# --- laboratory (LOINC) -----------------------------------------------------------------------------

LOINC_HBA1C = ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood")
LOINC_CHOLESTEROL = ("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma")
LOINC_GLUCOSE = ("2345-7", "Glucose [Mass/volume] in Serum or Plasma")
LOINC_SYSTOLIC = "8480-6"
LOINC_DIASTOLIC = "8462-4"
