"""The row-level rules of staging, derived from the data contract.

Each contract constraint becomes one `Rule`: the SQL that finds rows breaking it (for the
quarantine) and the Great Expectations expectation that states it (for `expectations/<source>.json`),
so the two are written once and cannot say different things.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipelines.contract import DATE, DECIMAL, INTEGER, SOURCES, TIMESTAMP, Column, Source
from pipelines.ingest.sqltext import TYPE_DESCRIPTIONS, TYPE_PATTERNS, castable, cleaned_text, ident, sql_string

NOT_NULL = "not_null"
TYPE = "type"
ALLOWED = "allowed"
PATTERN = "pattern"
MINIMUM = "minimum"
KNOWN_MEMBER = "known_member"
DUPLICATE = "duplicate"
RULE_KINDS = (NOT_NULL, TYPE, ALLOWED, PATTERN, MINIMUM, KNOWN_MEMBER, DUPLICATE)

# Suffix of the column, in the frame GX validates, that says whether a row's member is in
# eligibility: computed in Python from the eligibility member set, independently of the SQL join
# that quarantines. (Passing the member set to GX as a suite parameter costs seconds per thousand
# members: GX re-serialises the expectation, list included, dozens of times per run.)
MEMBER_SUFFIX = "__is_member"
# Suffix of the numeric twin of a text column that has a minimum, in the frame GX validates.
NUMBER_SUFFIX = "__as_number"

# Codes compared against value sets: upper case, trimmed, dots removed. Revenue center codes are
# left as text with their leading zeros; other columns are only trimmed.
_MEDICAL_CODES = ("hcpcs_code", *(f"hcpcs_modifier_{i}" for i in range(1, 6)),
                  *(f"diagnosis_code_{i}" for i in range(1, 26)),
                  *(f"procedure_code_{i}" for i in range(1, 26)))
CODE_COLUMNS: dict[str, tuple[str, ...]] = {
    "medical_claim": _MEDICAL_CODES,
    "medical_record_abstraction": ("code",),
}


def clean_expr(source: str, column: str, relation: str = "") -> str:
    """SQL for the staged text of `column`: trimmed, empty as null, codes normalised."""
    ref = f"{relation}.{ident(column)}" if relation else ident(column)
    if column in CODE_COLUMNS.get(source, ()):
        return f"nullif(replace(upper(trim({ref})), '.', ''), '')"
    return cleaned_text(ref)


@dataclass(frozen=True)
class Rule:
    source: str
    column: str
    kind: str
    expectation: str
    kwargs: dict[str, Any] = field(hash=False)
    reason: str
    violation_sql: str  # true for a row breaking the rule; refers to the cleaned column

    @property
    def name(self) -> str:
        return f"{self.column}:{self.kind}"

    def suite_entry(self) -> dict[str, Any]:
        return {"type": self.expectation, "kwargs": self.kwargs,
                "meta": {"contract_column": self.column, "rule": self.kind, "reason": self.reason}}


def _column_rules(source: Source, c: Column) -> list[Rule]:
    value = ident(c.name)
    rules = []
    if not c.nullable:
        rules.append(Rule(source.name, c.name, NOT_NULL, "expect_column_values_to_not_be_null",
                          {"column": c.name}, "required value is missing", f"{value} is null"))
    if c.type in TYPE_PATTERNS:
        expectation, kwargs = "expect_column_values_to_match_regex", {"column": c.name, "regex": TYPE_PATTERNS[c.type]}
        rules.append(Rule(source.name, c.name, TYPE, expectation, kwargs,
                          f"not {TYPE_DESCRIPTIONS[c.type]}",
                          f"{value} is not null and not {castable(value, c.type)}"))
    if c.allowed:
        allowed = ", ".join(sql_string(a) for a in c.allowed)
        rules.append(Rule(source.name, c.name, ALLOWED, "expect_column_values_to_be_in_set",
                          {"column": c.name, "value_set": list(c.allowed)},
                          "not one of the allowed values: " + ", ".join(c.allowed),
                          f"{value} is not null and {value} not in ({allowed})"))
    if c.pattern:
        rules.append(Rule(source.name, c.name, PATTERN, "expect_column_values_to_match_regex",
                          {"column": c.name, "regex": c.pattern},
                          f"does not match the pattern {c.pattern}",
                          f"{value} is not null and not regexp_full_match({value}, {sql_string(c.pattern)})"))
    if c.minimum is not None:
        number = f"(case when {castable(value, c.type)} then cast({value} as DOUBLE) end)"
        rules.append(Rule(source.name, c.name, MINIMUM, "expect_column_values_to_be_between",
                          {"column": c.name + NUMBER_SUFFIX, "min_value": c.minimum},
                          f"below the minimum {c.minimum:g}",
                          f"{value} is not null and {number} < {c.minimum!r}"))
    return rules


def rules_for(source_name: str) -> list[Rule]:
    """Every column rule of a source plus, for sources naming a member, the known-member rule.

    Exact duplicates are a rule of the quarantine too, but a set rule, not a column rule: it is
    found in `pipelines.staging.load` and has no expectation.
    """
    source = SOURCES[source_name]
    rules = [r for c in source.columns for r in _column_rules(source, c)]
    if source.member_column:
        member = source.member_column
        rules.append(Rule(source_name, member, KNOWN_MEMBER, "expect_column_values_to_be_in_set",
                          {"column": member + MEMBER_SUFFIX, "value_set": [True]},
                          f"{member} is not a member in eligibility",
                          violation_sql=""))  # a join, see pipelines.staging.load
    return rules


def suite_for(source_name: str) -> dict[str, Any]:
    """The GX 1.x ExpectationSuite (as a dict) stating the contract's row-level rules for a source."""
    return {
        "name": source_name,
        "expectations": [r.suite_entry() for r in rules_for(source_name)],
        "meta": {
            "generated_from": "pipelines/contract.py (python -m pipelines.staging.rules)",
            "validated_frame": "one partition of raw rows, trimmed, empty text as null, codes normalised; "
                               f"'<column>{NUMBER_SUFFIX}' is the numeric value of a column with a minimum; "
                               f"'<member column>{MEMBER_SUFFIX}' is whether the member is in staging.eligibility "
                               "(null when the member column is null)",
        },
    }


def typed_expr(column: Column, value_sql: str) -> str:
    """SQL for the staged, typed value of a (cleaned, valid) text value."""
    if column.type in (INTEGER, DECIMAL, DATE, TIMESTAMP):
        return f"try_cast({value_sql} as {column.type})"
    return value_sql


def write_suites(directory) -> list[str]:
    """Write `expectations/<source>.json` for every source (run after changing the contract)."""
    import json
    from pathlib import Path

    written = []
    for name in SOURCES:
        path = Path(directory) / f"{name}.json"
        path.write_text(json.dumps(suite_for(name), indent=2) + "\n", encoding="utf-8")
        written.append(str(path))
    return written


if __name__ == "__main__":
    from pipelines.duck import REPO_ROOT

    for written_path in write_suites(REPO_ROOT / "expectations"):
        print(written_path)
