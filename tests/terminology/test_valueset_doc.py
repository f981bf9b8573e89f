"""docs/value-sets.md lists what production needs and matches the files it documents."""

from pipelines.duck import REPO_ROOT
from pipelines.measures.catalog import MEASURES
from pipelines.terminology.supplements import read_supplement
from pipelines.terminology.valueset_doc import (
    render_document,
    render_required_valuesets,
    render_supplement_table,
    required_valuesets,
)

DOC = REPO_ROOT / "docs" / "value-sets.md"


def test_doc_lists_every_value_set_the_measures_need():
    text = DOC.read_text(encoding="utf-8")
    required = {oid for measure in MEASURES.values() for oid in measure.required_valueset_oids()}
    assert required == set(required_valuesets())
    missing = [oid for oid in required if f"| {oid} |" not in text]
    assert not missing, f"docs/value-sets.md lacks {missing}: run python -m pipelines.terminology.valueset_doc"


def test_generated_sections_are_up_to_date():
    text = DOC.read_text(encoding="utf-8")
    assert render_document(text) == text, "run python -m pipelines.terminology.valueset_doc docs/value-sets.md"


def test_rendered_tables_name_each_oid_once_and_each_supplement_row():
    table = render_required_valuesets().splitlines()[2:]
    assert len(table) == len(required_valuesets())
    assert "| 2.16.840.1.113883.3.464.1003.108.12.1018 | Mammography | BCS |" in render_required_valuesets()
    supplement = render_supplement_table()
    assert f"Supplement version **{read_supplement().version}**" in supplement
    assert sum(line.startswith("| ") for line in supplement.splitlines()) == 1 + len(read_supplement().rows)
    assert "| HCPCS E0250-E0373 |" in supplement


def test_doc_says_what_production_needs_and_the_dementia_medication_choice():
    text = DOC.read_text(encoding="utf-8")
    assert "--valuesets" in text and "HMOQA_VALUESETS_DIR" in text and "VSAC" in text
    assert "ships no NDC → RxNorm crosswalk" in text and "rxnorm_code" in text
