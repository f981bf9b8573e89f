import re
from pathlib import Path

import duckdb
import pytest

from pipelines.duck import REPO_ROOT
from pipelines.terminology.supplements import (
    SUPPLEMENT_PATH,
    SupplementFormatError,
    expand_code_range,
    load_supplements,
    read_supplement,
)

CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "http://www.nlm.nih.gov/research/umls/hcpcs"
REVENUE = "https://www.nubc.org/CodeSystem/RevenueCodes"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
HEADER = "valueset_oid,valueset_name,code_system,code_low,code_high,requires,source,note\n"


def write_supplement(tmp_path: Path, body: str, version: str | None = "9.9") -> Path:
    path = tmp_path / "supplement.csv"
    head = "# a test supplement\n" + (f"# supplement_version: {version}\n" if version else "")
    path.write_text(head + HEADER + body, encoding="utf-8")
    return path


def loaded(con, oid: str | None = None) -> list[tuple]:
    where = "where valueset_oid = $oid" if oid else ""
    return con.execute(f"select valueset_oid, code_system, code, requires from measures.valueset_supplement "
                       f"{where} order by 1, 2, 3", {"oid": oid} if oid else {}).fetchall()


def test_ranges_expand_keeping_letters_and_leading_zeros():
    assert expand_code_range("G0143", "G0145") == ["G0143", "G0144", "G0145"]
    assert expand_code_range("2022F", "2026F") == ["2022F", "2023F", "2024F", "2025F", "2026F"]
    assert expand_code_range("0650", "0659") == [f"065{d}" for d in range(10)]
    assert expand_code_range("77061", "77063") == ["77061", "77062", "77063"]
    assert expand_code_range(" q0091 ") == ["Q0091"]
    assert expand_code_range("88150", "") == ["88150"]


@pytest.mark.parametrize("low, high", [("G0143", "P0145"), ("0650", "659"), ("2022F", "2026T"),
                                       ("77067", "77065"), ("77.1", "77.3")])
def test_ranges_with_different_shapes_or_reversed_are_errors(low, high):
    with pytest.raises(SupplementFormatError):
        expand_code_range(low, high)


def test_loader_expands_normalises_and_counts(tmp_path):
    path = write_supplement(tmp_path, (
        "1.2.3,Test A,http://www.ama-assn.org/go/cpt,77061,77063,,spec,a range\n"
        "1.2.3,Test A,http://www.nlm.nih.gov/research/umls/hcpcs, g0202 ,,,spec,lower case and blanks\n"
        "1.2.3,Test A,http://www.ama-assn.org/go/cpt,77062,,,spec,listed twice: kept once\n"
        "4.5.6,Test B,http://hl7.org/fhir/sid/icd-10-cm,z90.13,,,spec,ICD-10 loses its dot\n"
        "4.5.6,Test B,http://www.ama-assn.org/go/cpt,92002,,eye_care_provider,spec,needs an eye care provider\n"
        "7.8.9,Test C,https://www.nubc.org/CodeSystem/RevenueCodes,0650,0652,,spec,revenue codes\n"))
    con = duckdb.connect()
    assert load_supplements(con, path) == 9
    assert loaded(con) == [
        ("1.2.3", CPT, "77061", None), ("1.2.3", CPT, "77062", None), ("1.2.3", CPT, "77063", None),
        ("1.2.3", HCPCS, "G0202", None),
        ("4.5.6", ICD10CM, "Z9013", None), ("4.5.6", CPT, "92002", "eye_care_provider"),
        ("7.8.9", REVENUE, "0650", None), ("7.8.9", REVENUE, "0651", None), ("7.8.9", REVENUE, "0652", None)]
    assert con.execute("select distinct supplement_version from measures.valueset_supplement").fetchall() == [("9.9",)]
    assert con.execute("select display, note from measures.valueset_supplement where code = 'Z9013'").fetchone() == (
        "ICD-10 loses its dot", "Test B; source: spec")
    # Re-loading replaces the rows instead of adding to them.
    assert load_supplements(con, path) == 9
    assert con.execute("select count(*) from measures.valueset_supplement").fetchone()[0] == 9


def test_table_has_the_contract_columns(tmp_path):
    con = duckdb.connect()
    load_supplements(con, write_supplement(tmp_path, "1.2.3,A,x,1,,,s,n\n"))
    columns = [r[0] for r in con.execute("select column_name from information_schema.columns where "
                                         "table_schema = 'measures' and table_name = 'valueset_supplement' "
                                         "order by ordinal_position").fetchall()]
    assert columns == ["valueset_oid", "code_system", "code", "display", "requires", "supplement_version", "note"]


@pytest.mark.parametrize("body, version", [
    ("1.2.3,A,x,1,,,s,n\n", None),                                   # no version line
    ("1.2.3,A,x,1,,,,s,n\n", "1"),                                   # one field too many
    ("1.2.3,A,x,1\n", "1"),                                          # fields missing
    ("1.2.3,A,x,1,,dentist,s,n\n", "1"),                             # unknown requirement
    (",A,x,1,,,s,n\n", "1"),                                         # no OID
])
def test_malformed_supplement_files_are_errors(tmp_path, body, version):
    with pytest.raises(SupplementFormatError):
        read_supplement(write_supplement(tmp_path, body, version))


@pytest.fixture(scope="module")
def shipped() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    load_supplements(con)
    return con


def codes_of(con, oid: str, system: str | None = None) -> set[str]:
    rows = con.execute("select code from measures.valueset_supplement where valueset_oid = $oid "
                       "and ($system is null or code_system = $system)", {"oid": oid, "system": system}).fetchall()
    return {r[0] for r in rows}


# Every row of the plan-program.md table, written out code by code (ranges expanded by hand).
MAMMOGRAPHY = "2.16.840.1.113883.3.464.1003.108.12.1018"
PAP = "2.16.840.1.113883.3.464.1003.108.12.1017"
EYE_EXAM = "2.16.840.1.113883.3.464.1003.115.12.1088"
FRAILTY_DEVICE = "2.16.840.1.113883.3.464.1003.118.12.1300"
HOSPICE_ENCOUNTER = "2.16.840.1.113883.3.464.1003.1003"
MASTECTOMY_UNSPECIFIED = "2.16.840.1.113883.3.464.1003.198.12.1071"
PLAN_PROGRAM_TABLE = {
    MAMMOGRAPHY: {"77061", "77062", "77063", "77065", "77066", "77067", "G0202", "G0204", "G0206"},
    "2.16.840.1.113883.3.464.1003.198.12.1011": {"82270", "82274", "G0328"},
    "2.16.840.1.113883.3.464.1003.108.12.1039": {"81528"},
    "2.16.840.1.113883.3.464.1003.108.12.1038": {"74261", "74262", "74263"},
    PAP: {"88141", "88142", "88143", "88147", "88148", "88150", "88152", "88153", "88164", "88165", "88166",
          "88167", "88174", "88175", "G0123", "G0124", "G0141", "G0143", "G0144", "G0145", "G0147", "G0148",
          "P3000", "P3001", "Q0091"},
    "2.16.840.1.113883.3.464.1003.110.12.1059": {"87624", "87625", "G0476"},
    "2.16.840.1.113883.3.464.1003.198.12.1013": {"83036", "83037"},
    HOSPICE_ENCOUNTER: {"0115", "0125", "0135", "0145", "0155", "0235", "0650", "0651", "0652", "0653", "0654",
                        "0655", "0656", "0657", "0658", "0659"},
    MASTECTOMY_UNSPECIFIED: {"19180", "19200", "19220", "19240", "19303", "19304", "19305", "19306", "19307"},
}
EYE_EXAM_CPT = {"92002", "92004", "92012", "92014", "92134", "92201", "92202", "92227", "92228", "92229", "92230",
                "92235", "92250", "67028"}
EYE_EXAM_CPT_II = {"2022F", "2023F", "2024F", "2025F", "2026F", "2033F", "3072F"}
# The 67030-67228 retinal procedures we include (docs/value-sets.md says which and why).
RETINAL_PROCEDURES = {"67030", "67031", "67036", "67039", "67040", "67041", "67042", "67043", "67101", "67105",
                      "67107", "67108", "67110", "67113", "67121", "67141", "67145", "67208", "67210", "67218",
                      "67220", "67221", "67227", "67228"}


def test_shipped_supplement_holds_every_row_of_the_plan_program_table(shipped):
    for oid, codes in PLAN_PROGRAM_TABLE.items():
        assert codes_of(shipped, oid) == codes, oid
    assert codes_of(shipped, EYE_EXAM) == EYE_EXAM_CPT | EYE_EXAM_CPT_II | RETINAL_PROCEDURES
    assert codes_of(shipped, HOSPICE_ENCOUNTER, REVENUE) == PLAN_PROGRAM_TABLE[HOSPICE_ENCOUNTER]


def test_shipped_frailty_devices_are_the_seven_hcpcs_ranges(shipped):
    codes = codes_of(shipped, FRAILTY_DEVICE, HCPCS)
    assert len(codes) == 6 + 20 + 9 + 124 + 61 + 32 + 59
    assert {"E0100", "E0105", "E0130", "E0149", "E0163", "E0171", "E0250", "E0373", "E0424", "E0484",
            "E1130", "E1161", "E1240", "E1298"} <= codes
    assert not {"E0106", "E0129", "E0150", "E0172", "E0249", "E0374", "E0485", "E1162", "E1299"} & codes


def test_eye_care_provider_applies_to_cpt_exam_codes_not_cpt_ii(shipped):
    rows = dict(shipped.execute("select code, requires from measures.valueset_supplement "
                                "where valueset_oid = $oid", {"oid": EYE_EXAM}).fetchall())
    assert {c for c, r in rows.items() if r == "eye_care_provider"} == EYE_EXAM_CPT | RETINAL_PROCEDURES
    assert {c for c, r in rows.items() if r is None} == EYE_EXAM_CPT_II


def test_shipped_codes_are_normalised_and_use_the_claims_code_systems(shipped):
    systems = {r[0] for r in shipped.execute("select distinct code_system from measures.valueset_supplement").fetchall()}
    # The URIs the claims mapping gives claim codes (line codes: claims_line_code.sql; revenue codes:
    # claims_line.sql and claims_encounter.sql).
    claim_sql = "".join((REPO_ROOT / "sql/clinical" / name).read_text()
                        for name in ("claims_line_code.sql", "claims_line.sql", "claims_encounter.sql"))
    assert systems == {CPT, HCPCS, REVENUE}
    assert all(f"'{system}'" in claim_sql for system in systems)
    bad = shipped.execute("select code from measures.valueset_supplement "
                          "where code <> upper(trim(code)) or code like '%.%'").fetchall()
    assert bad == []
    # CPT (and CPT II) codes start with a digit, HCPCS Level II with a letter, as claims_line decides.
    assert shipped.execute("select count(*) from measures.valueset_supplement where "
                           "(code_system = $cpt and not regexp_matches(code, '^[0-9]{4}[0-9FT]$')) or "
                           "(code_system = $hcpcs and not regexp_matches(code, '^[A-Z][0-9]{4}$'))",
                           {"cpt": CPT, "hcpcs": HCPCS}).fetchone()[0] == 0


def test_every_supplement_oid_is_used_by_the_measure_sql():
    sql = "\n".join(p.read_text() for p in (REPO_ROOT / "sql" / "measures").rglob("*.sql"))
    used = set(re.findall(r"'(2\.16\.840\.1\.[0-9.]+[0-9])'", sql))
    oids = {row.valueset_oid for row in read_supplement().rows}
    assert oids == set(PLAN_PROGRAM_TABLE) | {EYE_EXAM, FRAILTY_DEVICE}
    assert oids <= used, oids - used


def test_shipped_file_has_a_version():
    assert read_supplement(SUPPLEMENT_PATH).version == "1.0.0"
