"""Query helpers for the generator tests."""

from __future__ import annotations


def scalar(con, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()[0]


def column_set(con, sql: str) -> set:
    return {row[0] for row in con.execute(sql).fetchall()}


def views(con, folder) -> None:
    for path in sorted(folder.glob("*.parquet")):
        con.execute(f"create or replace view {path.stem} as select * from read_parquet('{path}')")


def rule_violations(con, source) -> dict[tuple[str, str], int]:
    """Rows breaking each contract rule of `source`, keyed by (column, rule); only non-zero counts."""
    present = {row[0] for row in con.execute(f"describe {source.name}").fetchall()}
    found: dict[tuple[str, str], int] = {}
    for c in source.columns:
        if c.name not in present:
            continue
        text = f"trim(cast({c.name} as varchar))"
        checks = {}
        if not c.nullable:
            checks["not_null"] = f"{c.name} is null"
        if c.type in ("DATE", "TIMESTAMP"):
            checks["type"] = f"{c.name} is not null and try_cast({text} as {c.type}) is null"
        if c.allowed:
            allowed = ", ".join(f"'{a}'" for a in c.allowed)
            checks["allowed"] = f"{c.name} is not null and {text} not in ({allowed})"
        if c.pattern:
            checks["pattern"] = f"{c.name} is not null and not regexp_full_match({text}, '{c.pattern}')"
        if c.minimum is not None:
            checks["minimum"] = f"try_cast({text} as double) < {c.minimum}"
        for rule, condition in checks.items():
            count = scalar(con, f"select count(*) from {source.name} where {condition}")
            if count:
                found[(c.name, rule)] = count
    return found


def unknown_members(con, source_name: str) -> int:
    return scalar(con, f"select count(*) from {source_name} "
                       f"where person_id not in (select person_id from eligibility)")


def duplicate_rows(con, source_name: str) -> int:
    return scalar(con, f"select (select count(*) from {source_name}) - "
                       f"(select count(*) from (select distinct * from {source_name}))")


CLEAN_CLAIMS = """(select distinct * from medical_claim where claim_id not like '%-B%')"""
CODE = "upper(replace(hcpcs_code, '.', ''))"

CLEAN_ELIGIBILITY = """
    select distinct * from eligibility
    where try_cast(birth_date as date) is not null and regexp_full_match(pcp_npi, '^[0-9]{10}$')
"""


def coverage_days(con) -> dict[str, int]:
    """Enrolled days per member after merging overlapping and touching segments."""
    rows = con.execute(f"""
        select person_id, cast(enrollment_start_date as date), cast(enrollment_end_date as date)
        from ({CLEAN_ELIGIBILITY}) order by 1, 2, 3""").fetchall()
    days: dict[str, int] = {}
    current = None
    for person, start, end in rows:
        if current and current[0] == person and start <= current[2] + _ONE_DAY:
            current = (person, current[1], max(current[2], end))
            continue
        if current:
            days[current[0]] = days.get(current[0], 0) + (current[2] - current[1]).days + 1
        current = (person, start, end)
    if current:
        days[current[0]] = days.get(current[0], 0) + (current[2] - current[1]).days + 1
    return days


def internal_gaps(con) -> list[int]:
    """Lengths (days) of the gaps between merged enrollment periods of each member."""
    rows = con.execute(f"""
        select person_id, cast(enrollment_start_date as date), cast(enrollment_end_date as date)
        from ({CLEAN_ELIGIBILITY}) order by 1, 2, 3""").fetchall()
    gaps = []
    previous = None
    for person, start, end in rows:
        if previous and previous[0] == person:
            if start > previous[1] + _ONE_DAY:
                gaps.append((start - previous[1]).days - 1)
            previous = (person, max(previous[1], end))
        else:
            previous = (person, end)
    return gaps


import datetime as _dt  # noqa: E402

_ONE_DAY = _dt.timedelta(days=1)


def valueset_codes(shared_dir, name: str) -> set[str]:
    """Codes (upper case, no dots) of the value set whose `name` is `name` in ../shared/valuesets."""
    import json

    for path in (shared_dir / "valuesets").glob("valueset-*.json"):
        data = json.loads(path.read_text())
        if data.get("name") == name:
            return {c["code"].upper().replace(".", "") for c in data["expansion"]["contains"]}
    raise AssertionError(f"value set {name} not found in {shared_dir}")
