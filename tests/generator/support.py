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
