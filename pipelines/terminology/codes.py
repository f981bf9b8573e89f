"""Code normalisation shared by value sets, FHIR codings and claim codes.

Both sides of every value-set match are normalised the same way, so an undotted ICD-10-CM code on a
claim (E119) meets the dotted code in a VSAC expansion (E11.9).
"""

from __future__ import annotations

ICD10_SYSTEMS = frozenset({
    "http://hl7.org/fhir/sid/icd-10-cm",
    "http://hl7.org/fhir/sid/icd-10",
    "http://www.cms.gov/Medicare/Coding/ICD10",
})


def normalize_code(system: str | None, code: str | None) -> str | None:
    """Trimmed, upper case, and without dots for ICD-10 code systems. None stays None."""
    if code is None:
        return None
    normalized = str(code).strip().upper()
    if system in ICD10_SYSTEMS:
        normalized = normalized.replace(".", "")
    return normalized or None


def normalize_code_sql_macro() -> str:
    """The same rule as a DuckDB macro, for claim codes normalised inside SQL."""
    systems = ", ".join(f"'{s}'" for s in sorted(ICD10_SYSTEMS))
    return (
        "create or replace macro normalize_code(code_system, code) as "
        f"case when code_system in ({systems}) then nullif(replace(upper(trim(code)), '.', ''), '') "
        "else nullif(upper(trim(code)), '') end"
    )
