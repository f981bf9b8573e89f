"""Small SQL-text builders shared by the raw and staging layers.

Only identifiers that come from the data contract are ever placed in SQL text; values (paths,
dates, partition bounds) are always bound as parameters.
"""

from __future__ import annotations

from pipelines.contract import DATE, DECIMAL, INTEGER, TIMESTAMP

# What a castable value looks like, per contract type. DuckDB's casts are more lenient than a data
# contract should be ('1.0' casts to INTEGER, '2017-01-01 10:00' to DATE, 'infinity' to a date),
# so a value must match the shape AND cast. Dates are ISO with real calendar days (leap years
# included) so that the same regexes, used as the GX suites' type expectations, agree exactly.
_MONTH_DAY = ("(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
              "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
              "|02-(?:0[1-9]|1[0-9]|2[0-8]))")
_LEAP_DAY = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29"
_ISO_DATE = f"(?:[0-9]{{4}}-{_MONTH_DAY}|{_LEAP_DAY})"
_ISO_TIME = "(?:[ T](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{1,9})?Z?)?)?"
TYPE_PATTERNS: dict[str, str] = {
    INTEGER: r"^[+-]?[0-9]+$",
    DECIMAL: r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$",
    DATE: f"^{_ISO_DATE}$",
    TIMESTAMP: f"^{_ISO_DATE}{_ISO_TIME}$",
}
TYPE_DESCRIPTIONS: dict[str, str] = {
    INTEGER: "a whole number",
    DECIMAL: "a plain decimal number (no currency signs or thousands separators)",
    DATE: "a calendar date YYYY-MM-DD",
    TIMESTAMP: "an ISO date or date-time (YYYY-MM-DD[ HH:MM[:SS[.fff]]][Z])",
}


def ident(name: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    """A single-quoted SQL literal, for constants from the contract (rule names, regexes)."""
    return "'" + text.replace("'", "''") + "'"


def castable(expr: str, type_: str) -> str:
    """SQL that is true when the (trimmed, non-null) text `expr` is a valid value of `type_`."""
    pattern = TYPE_PATTERNS[type_]
    return (f"(regexp_full_match({expr}, {sql_string(pattern)}) "
            f"and try_cast({expr} as {type_}) is not null)")


def typed(expr: str, type_: str) -> str:
    """SQL giving the value of text `expr` as `type_`, null when it is not a valid value."""
    if type_ not in TYPE_PATTERNS:
        return expr
    return f"(case when {castable(expr, type_)} then cast({expr} as {type_}) end)"


def cleaned_text(expr: str) -> str:
    """Trimmed text, with empty strings as null."""
    return f"nullif(trim({expr}), '')"


def service_month(columns: tuple[str, ...], types: dict[str, str]) -> str:
    """The first day of the month of the first parseable non-null of `columns` (text), as DATE."""
    parsed = []
    for name in columns:
        value = typed(cleaned_text(ident(name)), types[name])
        parsed.append(f"cast({value} as date)")
    first = parsed[0] if len(parsed) == 1 else f"coalesce({', '.join(parsed)})"
    return f"cast(date_trunc('month', {first}) as date)"
