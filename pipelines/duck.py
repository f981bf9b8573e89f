"""DuckDB access: short-lived connections, SQL files from `sql/`, partition replacement.

One writer at a time: callers open a connection, do their work in one transaction and close it.
Nothing here holds the database open between steps.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb

REPO_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = REPO_ROOT / "sql"
SCHEMAS = ("raw", "staging", "clinical", "measures", "scores", "dashboards")


def sql_text(relative_path: str) -> str:
    """The text of `sql/<relative_path>` (e.g. "staging/medical_claim.sql")."""
    path = SQL_DIR / relative_path
    if not path.is_file():
        raise FileNotFoundError(f"SQL model {relative_path!r} not found under {SQL_DIR}")
    return path.read_text(encoding="utf-8")


def run_sql_file(con: duckdb.DuckDBPyConnection, relative_path: str,
                 params: Mapping[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    """Run one SQL model file with named parameters bound (`$name`), never formatted in. Only the
    parameters the file names are bound (DuckDB rejects unused ones), so a caller can pass one set of
    run parameters to every model of a run."""
    text = sql_text(relative_path)
    used = {name: value for name, value in (params or {}).items() if re.search(rf"\${name}\b", text)}
    if used:
        return con.execute(text, used)
    return con.execute(text)


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")


@contextlib.contextmanager
def connect(db_path: str | Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection; schemas exist on a writable one."""
    if not read_only:
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path), read_only=read_only)
    try:
        if not read_only:
            ensure_schemas(con)
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Commit on success, roll back on any error: a failed step leaves the previous data untouched."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def table_exists(con: duckdb.DuckDBPyConnection, qualified_name: str) -> bool:
    schema, _, name = qualified_name.partition(".")
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()
    return bool(row and row[0])


def row_count(con: duckdb.DuckDBPyConnection, qualified_name: str) -> int:
    if not table_exists(con, qualified_name):
        return 0
    return int(con.execute(f"select count(*) from {qualified_name}").fetchone()[0])
