"""The starter code list: what `make demo` and the tests match codes against when no value-set folder is
configured. Small, complete in coverage (every OID the seven measures need), honest in content."""

import csv
from collections import Counter
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from pipelines.generator import codes as generator
from pipelines.measures.assets import valueset
from pipelines.measures.catalog import MEASURES
from pipelines.resources import HmoqaConfig
from pipelines.terminology.codes import normalize_code
from pipelines.terminology.supplements import read_supplement, supplement_table
from pipelines.terminology.valuesets import (
    STARTER_PATH,
    ValueSetFormatError,
    load_starter_codes,
    load_terminology,
    read_starter_codes,
    read_valueset_folder,
    resolve_valuesets_dir,
)

CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "http://www.nlm.nih.gov/research/umls/hcpcs"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
CVX = "http://hl7.org/fhir/sid/cvx"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"


def required_oids() -> set[str]:
    return {oid for measure in MEASURES.values() for oid in measure.required_valueset_oids()}


def starter_rows() -> list[dict]:
    lines = STARTER_PATH.read_text(encoding="utf-8").splitlines()
    return list(csv.DictReader(line for line in lines if not line.startswith("#")))


def starter_codes() -> dict[str, set[tuple[str, str]]]:
    codes: dict[str, set[tuple[str, str]]] = {}
    for vs in read_starter_codes():
        codes[vs.oid] = {(system, normalize_code(system, code)) for system, code in vs.codes}
    return codes


def test_starter_covers_every_value_set_the_seven_measures_need():
    assert set(starter_codes()) == required_oids()
    assert all(codes for codes in starter_codes().values())


def test_starter_is_small_and_says_it_is_a_subset():
    per_valueset = Counter(row["valueset_oid"] for row in starter_rows())
    assert max(per_valueset.values()) < 15
    header = [line for line in STARTER_PATH.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert any("SUBSET" in line for line in header)
    assert any("--valuesets" in line for line in header)


def test_every_starter_code_is_published_or_a_documented_addition(shared_dir):
    """A starter code is in the published expansion of its value set, or a claim code of the administrative
    supplement for the same OID, or a marked starter addition; the note says which."""
    published = {vs.oid: {(s, normalize_code(s, c)) for s, c in vs.codes}
                 for vs in read_valueset_folder(shared_dir / "valuesets")}
    supplement = {(r["valueset_oid"], r["code_system"], r["code"])
                  for r in supplement_table(read_supplement()).to_pylist()}
    additions = []
    for row in starter_rows():
        key = (row["code_system"], normalize_code(row["code_system"], row["code"]))
        in_published = key in published[row["valueset_oid"]]
        if row["note"].startswith("administrative code supplement"):
            assert not in_published and (row["valueset_oid"], *key) in supplement, row
        elif row["note"].startswith("starter addition"):
            assert not in_published, row
            additions.append(row["code"])
        else:
            assert row["note"] == "" and in_published, row
    assert sorted(additions) == ["Q5001", "Q5002"]


def test_starter_is_not_a_copy_of_the_published_expansions(shared_dir):
    published = {vs.oid: len(vs.codes) for vs in read_valueset_folder(shared_dir / "valuesets")}
    counts = Counter(row["valueset_oid"] for row in starter_rows())
    large = [oid for oid in counts if published[oid] >= 20]
    assert large and all(counts[oid] <= published[oid] // 2 for oid in large)


MAMMOGRAPHY = "2.16.840.1.113883.3.464.1003.108.12.1018"
COLONOSCOPY = "2.16.840.1.113883.3.464.1003.108.12.1020"
FOBT = "2.16.840.1.113883.3.464.1003.198.12.1011"
SDNA_FIT = "2.16.840.1.113883.3.464.1003.108.12.1039"
CT_COLONOGRAPHY = "2.16.840.1.113883.3.464.1003.108.12.1038"
PAP = "2.16.840.1.113883.3.464.1003.108.12.1017"
HPV = "2.16.840.1.113883.3.464.1003.110.12.1059"
HBA1C = "2.16.840.1.113883.3.464.1003.198.12.1013"
EYE_EXAM = "2.16.840.1.113883.3.464.1003.115.12.1088"
OPHTHALMOLOGICAL_SERVICES = "2.16.840.1.113883.3.526.3.1285"
DIABETES = "2.16.840.1.113883.3.464.1003.103.12.1001"
RETINOPATHY = "2.16.840.1.113883.3.526.3.327"
HYPERTENSION = "2.16.840.1.113883.3.464.1003.104.12.1011"
FRAILTY_DEVICE = "2.16.840.1.113883.3.464.1003.118.12.1300"
FRAILTY_DIAGNOSIS = "2.16.840.1.113883.3.464.1003.113.12.1074"
FRAILTY_SYMPTOM = "2.16.840.1.113883.3.464.1003.113.12.1075"
ADVANCED_ILLNESS = "2.16.840.1.113883.3.464.1003.110.12.1082"
DEMENTIA_MEDICATIONS = "2.16.840.1.113883.3.464.1003.196.12.1510"
HOSPICE_ENCOUNTER = "2.16.840.1.113883.3.464.1003.1003"
HOSPICE_CARE_AMBULATORY = "2.16.840.1.113883.3.526.3.1584"
PREGNANCY = "2.16.840.1.113883.3.526.3.378"
ESRD = "2.16.840.1.113883.3.526.3.353"
HISTORY_BILATERAL_MASTECTOMY = "2.16.840.1.113883.3.464.1003.198.12.1068"
MASTECTOMY_UNSPECIFIED = "2.16.840.1.113883.3.464.1003.198.12.1071"
ABSENCE_OF_CERVIX = "2.16.840.1.113883.3.464.1003.111.12.1016"
OFFICE_VISIT = "2.16.840.1.113883.3.464.1003.101.12.1001"
TELEPHONE = "2.16.840.1.113883.3.464.1003.101.12.1080"
VIRTUAL = "2.16.840.1.113883.3.464.1003.101.12.1089"
ANNUAL_WELLNESS = "2.16.840.1.113883.3.526.3.1240"

# (what the synthetic generator writes for a concept, the value set of that concept, its code system)
GENERATOR_CONCEPTS = [
    (generator.MAMMOGRAPHY, MAMMOGRAPHY, None),
    (generator.COLONOSCOPY, COLONOSCOPY, None),
    (generator.FIT, FOBT, None),
    ((generator.SDNA_FIT,), SDNA_FIT, CPT),
    ((generator.CT_COLONOGRAPHY,), CT_COLONOGRAPHY, CPT),
    (generator.PAP, PAP, None),
    (generator.HPV, HPV, CPT),
    ((generator.HBA1C_TEST,), HBA1C, CPT),
    ((generator.LOINC_HBA1C[0],), HBA1C, LOINC),
    (generator.EYE_EXAM_CPT2_WITH_RETINOPATHY + generator.EYE_EXAM_CPT2_WITHOUT_RETINOPATHY, EYE_EXAM, CPT),
    (("92004", "92014"), OPHTHALMOLOGICAL_SERVICES, CPT),
    (generator.DX_DIABETES + generator.DX_RETINOPATHY, DIABETES, ICD10CM),
    (("E10.319", "E11.319", "E11.3293"), RETINOPATHY, ICD10CM),   # E11.3599 is not in Diabetic Retinopathy
    ((generator.DX_HYPERTENSION,), HYPERTENSION, ICD10CM),
    (generator.FRAILTY_DEVICE, FRAILTY_DEVICE, HCPCS),
    (("L89.154", "M62.50", "W19.XXXA", "Z74.09", "Z91.81"), FRAILTY_DIAGNOSIS, ICD10CM),
    (("R54",), FRAILTY_SYMPTOM, ICD10CM),
    (generator.DX_ADVANCED_ILLNESS, ADVANCED_ILLNESS, ICD10CM),
    (tuple(drug[2] for drug in generator.DRUGS_DEMENTIA), DEMENTIA_MEDICATIONS, RXNORM),
    (("Q5001", "Q5002"), HOSPICE_ENCOUNTER, HCPCS),
    ((generator.REVENUE_HOSPICE,), HOSPICE_ENCOUNTER, "https://www.nubc.org/CodeSystem/RevenueCodes"),
    (("G0182",), HOSPICE_CARE_AMBULATORY, HCPCS),
    (generator.DX_PREGNANCY, PREGNANCY, ICD10CM),
    ((generator.DX_ESRD,), ESRD, ICD10CM),
    ((generator.DX_MASTECTOMY_HISTORY,), HISTORY_BILATERAL_MASTECTOMY, ICD10CM),
    ((generator.BILATERAL_MASTECTOMY,), MASTECTOMY_UNSPECIFIED, CPT),
    (("Z90.710",), ABSENCE_OF_CERVIX, ICD10CM),
    (generator.OFFICE_NEW + generator.OFFICE_ESTABLISHED, OFFICE_VISIT, CPT),
    (("99441", "99442", "98966"), TELEPHONE, CPT),
    (("99421", "99422"), VIRTUAL, CPT),
    (("G2012",), VIRTUAL, HCPCS),
    (generator.ANNUAL_WELLNESS, ANNUAL_WELLNESS, HCPCS),
    (generator.PREVENTIVE_INITIAL_CHILD, "2.16.840.1.113883.3.464.1003.101.12.1022", CPT),
    (generator.PREVENTIVE_ESTABLISHED_CHILD, "2.16.840.1.113883.3.464.1003.101.12.1024", CPT),
    (generator.PREVENTIVE_INITIAL_ADULT, "2.16.840.1.113883.3.464.1003.101.12.1023", CPT),
    (generator.PREVENTIVE_ESTABLISHED_ADULT, "2.16.840.1.113883.3.464.1003.101.12.1025", CPT),
]


@pytest.mark.parametrize("codes, oid, system", GENERATOR_CONCEPTS)
def test_starter_holds_every_code_the_generator_writes_for_the_concept(codes, oid, system):
    listed = starter_codes()[oid]
    listed_codes = {code for s, code in listed if system is None or s == system}
    missing = {normalize_code(system or ICD10CM, c) for c in codes} - listed_codes
    assert not missing, (oid, missing)


def test_starter_holds_the_generators_childhood_vaccines_by_cpt_and_cvx():
    by_antigen = {  # antigen -> (CVX value set, CPT value set)
        "dtap": ("2.16.840.1.113883.3.464.1003.196.12.1214", "2.16.840.1.113883.3.464.1003.110.12.1022"),
        "ipv": ("2.16.840.1.113883.3.464.1003.196.12.1219", "2.16.840.1.113883.3.464.1003.110.12.1045"),
        "mmr": ("2.16.840.1.113883.3.464.1003.196.12.1224", "2.16.840.1.113883.3.464.1003.110.12.1031"),
        "hib": ("2.16.840.1.113883.3.464.1003.110.12.1085", "2.16.840.1.113883.3.464.1003.110.12.1086"),
        "hepb": ("2.16.840.1.113883.3.464.1003.196.12.1216", "2.16.840.1.113883.3.464.1003.110.12.1042"),
        "vzv": ("2.16.840.1.113883.3.464.1003.196.12.1170", "2.16.840.1.113883.3.464.1003.110.12.1040"),
        "pcv": ("2.16.840.1.113883.3.464.1003.196.12.1221", "2.16.840.1.113883.3.464.1003.110.12.1046"),
        "hepa": ("2.16.840.1.113883.3.464.1003.196.12.1215", "2.16.840.1.113883.3.464.1003.110.12.1041"),
        "influenza": ("2.16.840.1.113883.3.464.1003.196.12.1218", "2.16.840.1.113883.3.464.1003.110.12.1044"),
    }
    codes = starter_codes()
    for antigen, cpt, cvx, _ in generator.CHILD_VACCINES:
        if antigen == "rotavirus":   # 2-dose rotavirus is CPT 90681 in its value set, CVX 119 a direct code
            assert (CPT, cpt) in codes["2.16.840.1.113883.3.464.1003.110.12.1048"]
            continue
        cvx_oid, cpt_oid = by_antigen[antigen]
        assert (CVX, cvx) in codes[cvx_oid], antigen
        assert (CPT, cpt) in codes[cpt_oid], antigen
    assert (CPT, generator.CHILD_VACCINE_ALTERNATIVES["hib"]) in codes["2.16.840.1.113883.3.464.1003.110.12.1084"]
    assert (CPT, generator.CHILD_VACCINE_ALTERNATIVES["pcv"]) in codes["2.16.840.1.113883.3.464.1003.110.12.1046"]


def test_cpt_eye_exam_codes_stay_out_of_the_starter():
    """Their plan-program meaning depends on the rendering provider (the supplement's `requires`); a starter
    code matches unconditionally, so they are only encounter codes here. 3072F (an exam in the prior year)
    is left to the supplement and the plan program's rule for it."""
    eye_exam = {code for _, code in starter_codes()[EYE_EXAM]}
    assert not eye_exam & set(generator.EYE_EXAM_CPT)
    assert generator.EYE_EXAM_LOW_RISK not in eye_exam


def test_load_starter_codes_counts_and_marks_the_source():
    con = duckdb.connect()
    rows = starter_rows()
    assert load_starter_codes(con) == len(required_oids())
    assert con.execute("select count(*) from measures.valueset_code").fetchone()[0] == len(
        {(r["valueset_oid"], r["code_system"], normalize_code(r["code_system"], r["code"])) for r in rows})
    assert con.execute("select distinct source, source_file, version from measures.valueset").fetchall() == [
        ("starter", "starter/starter_codes.csv", "1.0.0")]
    # ICD-10-CM codes are stored without their dot, as claims and expansions are matched.
    assert con.execute("select code, code_normalized from measures.valueset_code where code = 'E11.9'").fetchall() == [
        ("E11.9", "E119")]
    code_counts = dict(con.execute("select valueset_oid, code_count from measures.valueset").fetchall())
    assert code_counts["2.16.840.1.113883.3.464.1003.196.12.1224"] == 2       # MMR vaccine: CVX 03, 94


@pytest.mark.parametrize("version, body", [
    ("", "1.2.3,A,http://loinc.org,1-1,x,\n"),                                   # no version line
    ("# starter_version: 1\n", "1.2.3,A,http://loinc.org,1-1,x\n"),            # a field missing
    ("# starter_version: 1\n", "1.2.3,A,http://loinc.org,1-1,x,,\n"),          # a field too many
    ("# starter_version: 1\n", "not-an-oid,A,http://loinc.org,1-1,x,\n"),
])
def test_malformed_starter_files_are_errors(tmp_path, version, body):
    path = tmp_path / "starter.csv"
    path.write_text(version + "valueset_oid,valueset_name,code_system,code,display,note\n" + body)
    with pytest.raises(ValueSetFormatError):
        read_starter_codes(path)


def test_load_terminology_says_where_the_value_sets_came_from(shared_dir):
    con = duckdb.connect()
    starter = load_terminology(con, None)
    assert starter["source"] == "starter" and starter["folder"] is None
    assert starter["valuesets"] == len(required_oids())
    assert "starter code list" in starter["value_sets_from"] and "--valuesets" in starter["value_sets_from"]
    assert starter["supplement_codes"] == con.execute("select count(*) from measures.valueset_supplement").fetchone()[0] > 0
    licensed = load_terminology(con, shared_dir / "valuesets")
    assert licensed["source"] == "folder" and licensed["valuesets"] > len(required_oids())
    assert con.execute("select distinct source from measures.valueset").fetchall() == [("folder",)]
    assert licensed["supplement_codes"] == starter["supplement_codes"]


def test_unconfigured_means_the_starter_list_never_the_shared_folder(shared_dir, tmp_path):
    assert (shared_dir / "valuesets").is_dir()      # present, and still not used unless configured
    assert resolve_valuesets_dir(None) is None
    assert resolve_valuesets_dir("") is None
    assert resolve_valuesets_dir(str(shared_dir / "valuesets")) == shared_dir / "valuesets"
    with pytest.raises(FileNotFoundError, match="starter code list"):
        resolve_valuesets_dir(tmp_path / "missing")


def test_the_valueset_asset_without_a_folder_loads_the_starter_list(tmp_path: Path):
    db = tmp_path / "hmoqa.duckdb"
    resources = {"duckdb": DuckDBResource(database=str(db)),
                 "hmoqa": HmoqaConfig(landing_dir=str(tmp_path), output_dir=str(tmp_path / "out"))}
    result = dg.materialize([valueset], resources=resources)
    assert result.success
    metadata = result.asset_materializations_for_node("measures__valueset")[0].metadata
    assert "starter code list" in metadata["value_sets_from"].value
    assert "not complete value sets" in metadata["value_sets_from"].value
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select distinct source from measures.valueset").fetchall() == [("starter",)]
        assert con.execute("select count(*) from measures.valueset").fetchone()[0] == len(required_oids())
        assert con.execute("select count(*) from measures.valueset_supplement").fetchone()[0] > 0
