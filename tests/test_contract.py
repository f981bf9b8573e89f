"""The data contract: the docs are rendered from it, and the Tuva sample's columns are in it."""

import csv

from pipelines.contract import SOURCES
from pipelines.contract_doc import render_markdown
from tests.conftest import REPO_ROOT


def test_data_contract_doc_matches_the_module():
    doc = (REPO_ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    assert doc == render_markdown(), "run `hmoqa contract --out docs/data-contract.md`"


def test_every_column_of_the_tuva_sample_is_in_the_contract(tuva_sample_dir):
    for name in ("medical_claim", "pharmacy_claim", "eligibility", "lab_result", "immunization"):
        with open(tuva_sample_dir / f"{name}_seed.csv", newline="", encoding="utf-8") as f:
            header = next(csv.reader(f))
        contract = set(SOURCES[name].column_names)
        assert set(header) <= contract, f"{name}: {sorted(set(header) - contract)}"
        assert set(SOURCES[name].required_columns) <= set(header)


def test_required_columns_are_contract_columns():
    for source in SOURCES.values():
        assert set(source.required_columns) <= set(source.column_names), source.name
        if source.partitioned:
            assert set(source.partition_date_columns) <= set(source.column_names), source.name
