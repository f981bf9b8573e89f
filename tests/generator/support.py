"""Query helpers for the generator tests."""

from __future__ import annotations


def scalar(con, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()[0]


def column_set(con, sql: str) -> set:
    return {row[0] for row in con.execute(sql).fetchall()}
