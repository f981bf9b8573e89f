import json
from pathlib import Path

import duckdb
import pytest

from pipelines.terminology.codes import normalize_code, normalize_code_sql_macro
from pipelines.terminology.valuesets import (
    MissingValueSetError,
    load_valuesets,
    read_valueset_folder,
    require_valuesets,
    valueset_oid,
)

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
CVX = "http://hl7.org/fhir/sid/cvx"


def write(folder: Path, name: str, resource: dict) -> None:
    (folder / name).write_text(json.dumps(resource), encoding="utf-8")


@pytest.fixture
def vs_folder(tmp_path: Path) -> Path:
    write(tmp_path, "a.json", {
        "resourceType": "ValueSet", "id": "ignored-id",
        "url": "http://cts.nlm.nih.gov/fhir/ValueSet/1.2.3",
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": "urn:oid:1.2.3"}],
        "name": "Nested",
        "expansion": {"contains": [
            {"system": ICD10CM, "code": " e11.9 "},
            {"abstract": True, "display": "group", "contains": [
                {"system": CVX, "code": "08"},
                {"system": CVX, "code": "08"},
            ]},
        ]},
    })
    sub = tmp_path / "deeper"
    sub.mkdir()
    write(sub, "b.json", {
        "resourceType": "Bundle", "entry": [{"resource": {
            "resourceType": "ValueSet", "url": "http://example.org/ValueSet/2.5.6",
            "compose": {"include": [{"system": "http://loinc.org",
                                      "concept": [{"code": "1234-5"}, {"code": "9999-9"}]}]},
        }}],
    })
    write(tmp_path, "other.json", {"resourceType": "Library", "id": "x"})
    return tmp_path


def test_normalize_code_removes_dots_only_for_icd10():
    assert normalize_code(ICD10CM, " z90.13 ") == "Z9013"
    assert normalize_code("http://www.cms.gov/Medicare/Coding/ICD10", "0ht.v0zz") == "0HTV0ZZ"
    assert normalize_code("http://loinc.org", "24604-1") == "24604-1"
    assert normalize_code(CVX, "08") == "08"
    assert normalize_code(CVX, "   ") is None
    assert normalize_code(CVX, None) is None


def test_sql_macro_normalises_like_python():
    con = duckdb.connect()
    con.execute(normalize_code_sql_macro())
    rows = con.execute("select normalize_code(?, ?), normalize_code(?, ?)",
                       [ICD10CM, " e11.9", "http://loinc.org", "1.2"]).fetchone()
    assert rows == (normalize_code(ICD10CM, " e11.9"), normalize_code("http://loinc.org", "1.2"))


def test_oid_taken_from_identifier_then_url_then_id():
    assert valueset_oid({"identifier": [{"value": "urn:oid:2.16.1"}], "url": "http://x/ValueSet/9.9"}) == "2.16.1"
    assert valueset_oid({"url": "http://x/ValueSet/2.16.840.1"}) == "2.16.840.1"
    assert valueset_oid({"id": "2.16.7"}) == "2.16.7"
    assert valueset_oid({"id": "not-an-oid"}) is None


def test_reads_nested_expansions_and_compose(vs_folder: Path):
    valuesets = {vs.oid: vs for vs in read_valueset_folder(vs_folder)}
    assert set(valuesets) == {"1.2.3", "2.5.6"}
    assert valuesets["1.2.3"].codes == ((ICD10CM, " e11.9 "), (CVX, "08"))
    assert valuesets["2.5.6"].codes == (("http://loinc.org", "1234-5"), ("http://loinc.org", "9999-9"))


def test_load_is_keyed_by_oid_system_and_normalised_code(vs_folder: Path):
    con = duckdb.connect()
    assert load_valuesets(con, vs_folder) == 2
    rows = con.execute("select valueset_oid, code_system, code_normalized from measures.valueset_code "
                       "order by 1, 3").fetchall()
    assert rows == [("1.2.3", CVX, "08"), ("1.2.3", ICD10CM, "E119"),
                    ("2.5.6", "http://loinc.org", "1234-5"), ("2.5.6", "http://loinc.org", "9999-9")]
    # Reloading replaces rather than appends.
    load_valuesets(con, vs_folder)
    assert con.execute("select count(*) from measures.valueset_code").fetchone()[0] == 4


def test_missing_valueset_names_measure_and_oid(vs_folder: Path):
    con = duckdb.connect()
    load_valuesets(con, vs_folder)
    require_valuesets(con, "BCS", ["1.2.3"])
    with pytest.raises(MissingValueSetError) as info:
        require_valuesets(con, "BCS", ["1.2.3", "2.16.840.1.113883.3.464.1003.108.12.1018"])
    message = str(info.value)
    assert "BCS" in message and "2.16.840.1.113883.3.464.1003.108.12.1018" in message
    assert info.value.missing_oids == ["2.16.840.1.113883.3.464.1003.108.12.1018"]


def test_missing_folder_is_an_error(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        read_valueset_folder(tmp_path / "nope")


def test_shared_valuesets_match_their_index(shared_dir: Path):
    folder = shared_dir / "valuesets"
    index = json.loads((folder / "index.json").read_text())
    con = duckdb.connect()
    assert load_valuesets(con, folder) == len(index["valuesets"])
    counts = dict(con.execute("select valueset_oid, count(*) from measures.valueset_code group by 1").fetchall())
    for entry in index["valuesets"]:
        assert counts[entry["oid"]] == entry["code_count"], entry["oid"]
