"""The GX suites in expectations/ state exactly the contract's row-level rules, and the type shapes
mean what they say."""

import json
import re

import duckdb
import pytest

from pipelines.contract import DATE, DECIMAL, INTEGER, SOURCES, TIMESTAMP
from pipelines.duck import REPO_ROOT
from pipelines.ingest.sqltext import TYPE_PATTERNS, castable
from pipelines.staging.rules import KNOWN_MEMBER, MEMBER_SUFFIX, NUMBER_SUFFIX, rules_for, suite_for


@pytest.mark.parametrize("source", list(SOURCES))
def test_each_suite_file_covers_every_contract_rule(source):
    suite = json.loads((REPO_ROOT / "expectations" / f"{source}.json").read_text(encoding="utf-8"))
    stated = {(e["meta"]["contract_column"], e["meta"]["rule"]): (e["type"], e["kwargs"]) for e in suite["expectations"]}
    contract = SOURCES[source]
    expected = set()
    for c in contract.columns:
        if not c.nullable:
            expected.add((c.name, "not_null"))
        if c.type != "VARCHAR":
            expected.add((c.name, "type"))
        if c.allowed:
            expected.add((c.name, "allowed"))
            assert stated[(c.name, "allowed")][1]["value_set"] == list(c.allowed)
        if c.pattern:
            expected.add((c.name, "pattern"))
            assert stated[(c.name, "pattern")][1]["regex"] == c.pattern
        if c.minimum is not None:
            expected.add((c.name, "minimum"))
            assert stated[(c.name, "minimum")][1] == {"column": c.name + NUMBER_SUFFIX, "min_value": c.minimum}
    if contract.member_column:
        expected.add((contract.member_column, KNOWN_MEMBER))
        assert stated[(contract.member_column, KNOWN_MEMBER)][1] == {
            "column": contract.member_column + MEMBER_SUFFIX, "value_set": [True]}
    assert set(stated) == expected, "run `python -m pipelines.staging.rules` after changing the contract"
    assert suite == suite_for(source)


def test_the_suites_load_as_gx_expectation_suites():
    from great_expectations.core import ExpectationSuite

    suite = json.loads((REPO_ROOT / "expectations" / "medical_claim.json").read_text(encoding="utf-8"))
    loaded = ExpectationSuite(name=suite["name"], expectations=suite["expectations"])
    assert len(loaded.expectations) == len(rules_for("medical_claim"))


@pytest.mark.parametrize("type_, value, valid", [
    (DATE, "2024-02-29", True), (DATE, "2023-02-29", False), (DATE, "2024-02-30", False),
    (DATE, "2025-13-01", False), (DATE, "31/01/2024", False), (DATE, "2024-1-5", False),
    (DATE, "2024-01-01 10:00:00", False), (DATE, "infinity", False),
    (TIMESTAMP, "2024-01-01", True), (TIMESTAMP, "2024-01-01 10:11:12.5", True),
    (TIMESTAMP, "2024-01-01T10:11:12Z", True), (TIMESTAMP, "2024-02-30 06:00:00", False),
    (TIMESTAMP, "yesterday", False),
    (INTEGER, "7", True), (INTEGER, "1.0", False), (INTEGER, "-3", True),
    (DECIMAL, "-12.50", True), (DECIMAL, "1e3", True), (DECIMAL, "1,000.00", False), (DECIMAL, "$5", False),
])
def test_a_value_is_valid_in_sql_exactly_when_its_gx_regex_matches(type_, value, valid):
    in_sql = duckdb.connect().execute(f"select {castable('$v', type_)}", {"v": value}).fetchone()[0]
    in_python = re.match(TYPE_PATTERNS[type_], value) is not None
    assert in_sql is valid and in_python is valid
