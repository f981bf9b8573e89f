"""The raw layer: every landing file loaded as text, with lineage, per source.

`raw.<source>` holds every contract column as VARCHAR, exactly as read, plus `_source_file`,
`_source_row` (1-based data row in that file), `_loaded_at` and, for partitioned sources,
`_service_month`. A load replaces a source (or a range of its service months) in one transaction,
so a failed load leaves the previous rows untouched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.contract import SOURCES, Source
from pipelines.duck import run_sql_file, transaction
from pipelines.ingest.errors import IngestError
from pipelines.ingest.landing import check_columns, discover, file_columns, is_parquet, read_error, select_sql
from pipelines.ingest.sqltext import ident, sql_string

LINEAGE_COLUMNS = ("_source_file", "_source_row", "_loaded_at", "_service_month")


@dataclass
class FileCounts:
    """Rows of one landing file, split by where they belong relative to the months being loaded."""

    path: str
    rows_read: int
    rows_in_range: int = 0
    rows_other_months: int = 0
    rows_without_month: int = 0


@dataclass
class RawLoad:
    source: str
    landed: bool
    rows_loaded: int
    files: list[FileCounts] = field(default_factory=list)
    rows_by_month: dict[str, int] = field(default_factory=dict)

    @property
    def rows_read_in_range(self) -> int:
        return sum(f.rows_in_range for f in self.files)


def raw_table(source: str) -> str:
    return f"raw.{source}"


def ensure_raw_table(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Create `raw.<source>` if needed, adding any contract column a previous version lacked."""
    columns = [f"{ident(c)} varchar" for c in source.column_names]
    columns += ["_source_file varchar not null", "_source_row bigint not null",
                "_loaded_at timestamp not null"]
    if source.partitioned:
        columns.append("_service_month date not null")
    con.execute(f"create table if not exists {raw_table(source.name)} ({', '.join(columns)})")
    existing = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ?",
        [source.name]).fetchall()}
    for name in source.column_names:
        if name not in existing:
            con.execute(f"alter table {raw_table(source.name)} add column {ident(name)} varchar")


def _checked_columns(con: duckdb.DuckDBPyConnection, source: Source, paths: list[Path]) -> dict[Path, list[str]]:
    """Every file's header, checked before anything is written: one bad file stops the whole load."""
    columns = {}
    for path in paths:
        columns[path] = file_columns(con, path)
        check_columns(source, path, columns[path])
    return columns


def _month_counts(con: duckdb.DuckDBPyConnection, source: Source, path: Path, columns: list[str],
                  month_start: dt.date, month_end: dt.date) -> FileCounts:
    sql = (f"select count(*), "
           f"count(*) filter (where _service_month >= $month_start and _service_month < $month_end), "
           f"count(*) filter (where _service_month is null) "
           f"from ({select_sql(source, path, columns)})")
    try:
        total, in_range, without = con.execute(
            sql, {"path": str(path), "month_start": month_start, "month_end": month_end}).fetchone()
    except duckdb.Error as exc:
        raise read_error(path, exc) from exc
    return FileCounts(str(path), total, in_range, total - in_range - without, without)


def _partitioned_counts(con: duckdb.DuckDBPyConnection, source: Source, path: Path, columns: list[str],
                        month_start: dt.date, month_end: dt.date, inserted: int) -> FileCounts:
    """The file's rows by month status. A Parquet file knows its row count without being read: when
    every row went in (a load of all the months it covers), it is not scanned a second time."""
    if is_parquet(path):
        try:
            total = con.execute("select count(*) from read_parquet($path)", {"path": str(path)}).fetchone()[0]
        except duckdb.Error as exc:
            raise read_error(path, exc) from exc
        if total == inserted:
            return FileCounts(str(path), total, inserted)
    return _month_counts(con, source, path, columns, month_start, month_end)


def load_raw(con: duckdb.DuckDBPyConnection, source_name: str, paths: list[Path], loaded_at: dt.datetime,
             month_start: dt.date | None = None, month_end: dt.date | None = None) -> RawLoad:
    """Replace `raw.<source>` (partitioned: only months in [month_start, month_end)) with `paths`.

    Raises `IngestError` (naming file, and row and column where they apply) before or during the
    load; either way the transaction rolls back and the previous rows stay.
    """
    source = SOURCES[source_name]
    if source.partitioned and (month_start is None or month_end is None):
        raise ValueError(f"{source_name} is partitioned: give month_start and month_end")
    columns_by_file = _checked_columns(con, source, paths)
    target = raw_table(source_name)
    names = ", ".join([ident(c) for c in source.column_names] + ["_source_row", "_source_file", "_loaded_at"]
                      + (["_service_month"] if source.partitioned else []))
    counts: list[FileCounts] = []
    # Row order in raw carries no meaning (_source_file and _source_row say where a row came from),
    # and an unordered insert runs in parallel and buffers less. Reset after the transaction ends,
    # whether it committed or rolled back.
    con.execute("set preserve_insertion_order = false")
    try:
        with transaction(con):
            ensure_raw_table(con, source)
            if source.partitioned:
                con.execute(f"delete from {target} where _service_month >= $month_start and _service_month < $month_end",
                            {"month_start": month_start, "month_end": month_end})
            else:
                con.execute(f"delete from {target}")
            for path in paths:
                columns = columns_by_file[path]
                params: dict = {"path": str(path), "source_file": str(path), "loaded_at": loaded_at}
                select = select_sql(source, path, columns)
                file_column_list = ", ".join([ident(c) for c in source.column_names] + ["_source_row"])
                if source.partitioned:
                    params |= {"month_start": month_start, "month_end": month_end}
                    sql = (f"insert into {target} ({names}) select {file_column_list}, $source_file, $loaded_at, "
                           f"_service_month from ({select}) where _service_month >= $month_start "
                           f"and _service_month < $month_end")
                else:
                    sql = f"insert into {target} ({names}) select {file_column_list}, $source_file, $loaded_at from ({select})"
                try:
                    inserted = con.execute(sql, params).fetchone()[0]
                except duckdb.Error as exc:
                    raise read_error(path, exc) from exc
                if not source.partitioned:
                    file_counts = FileCounts(str(path), inserted, inserted)
                else:
                    file_counts = _partitioned_counts(con, source, path, columns, month_start, month_end, inserted)
                if inserted != file_counts.rows_in_range:
                    raise IngestError(f"{path}: read {file_counts.rows_in_range} rows for the months loaded "
                                      f"but inserted {inserted}; the file changed during the load?")
                counts.append(file_counts)
    finally:
        con.execute("reset preserve_insertion_order")
    by_month: dict[str, int] = {}
    if source.partitioned:
        rows = con.execute(
            f"select strftime(_service_month, '%Y-%m-%d'), count(*) from {target} "
            f"where _service_month >= $month_start and _service_month < $month_end group by 1 order by 1",
            {"month_start": month_start, "month_end": month_end}).fetchall()
        by_month = {m: n for m, n in rows}
    return RawLoad(source=source_name, landed=bool(paths), rows_loaded=sum(c.rows_in_range for c in counts),
                   files=counts, rows_by_month=by_month)


def ensure_inventory_tables(con: duckdb.DuckDBPyConnection) -> None:
    run_sql_file(con, "raw/landing_inventory.sql")
    run_sql_file(con, "raw/rejected_rows.sql")


@dataclass
class Inventory:
    files: int
    rows_read: dict[str, int]
    rows_rejected: dict[str, int]
    missing_sources: list[str]
    first_month: str | None
    last_month: str | None


def inventory_landing(con: duckdb.DuckDBPyConnection, landing_dir: str | Path, first_month: dt.date,
                      last_month: dt.date, inventoried_at: dt.datetime) -> Inventory:
    """Record what landed (per file and service month) and reject the rows no partition can hold.

    `first_month` and `last_month` are the first and last monthly partitions. Replaces
    `raw.landing_inventory` and `raw.rejected_rows` in one transaction.
    """
    from pipelines.ingest.landing import require_sources

    discovered = discover(landing_dir)
    require_sources(landing_dir, discovered)
    columns_by_file = {}
    for name, paths in discovered.items():
        columns_by_file |= _checked_columns(con, SOURCES[name], paths)
    month_end = _next_month(last_month)
    rows_read: dict[str, int] = {}
    rows_rejected: dict[str, int] = {}
    with transaction(con):
        ensure_inventory_tables(con)
        con.execute("delete from raw.landing_inventory")
        con.execute("delete from raw.rejected_rows")
        for name, paths in discovered.items():
            source = SOURCES[name]
            for path in paths:
                stat = path.stat()
                params = {"path": str(path), "source": name, "source_file": str(path),
                          "file_bytes": stat.st_size, "at": inventoried_at,
                          "file_modified": dt.datetime.fromtimestamp(stat.st_mtime)}
                select = select_sql(source, path, columns_by_file[path])
                try:
                    if source.partitioned:
                        params |= {"first_month": first_month, "month_end": month_end}
                        con.execute(
                            f"insert into raw.landing_inventory select $source, $source_file, $file_bytes, "
                            f"$file_modified, _service_month, case when _service_month is null then 'no_service_month' "
                            f"when _service_month < $first_month or _service_month >= $month_end "
                            f"then 'outside_partitions' else 'in_partitions' end, count(*), $at "
                            f"from ({select}) group by _service_month", params)
                        dates = " || ' | ' || ".join(
                            f"{sql_string(c + '=')} || coalesce({ident(c)}, '(null)')"
                            for c in source.partition_date_columns)
                        rejected_params = {k: params[k] for k in ("path", "source", "source_file", "at",
                                                                  "first_month", "month_end")}
                        # The inventory just counted this file's rows by status: a file whose rows all
                        # fit a partition (the usual case) is not read a second time.
                        outside = con.execute(
                            "select coalesce(sum(rows), 0) from raw.landing_inventory where source_file = $source_file "
                            "and row_status <> 'in_partitions'", {"source_file": str(path)}).fetchone()[0]
                        if outside:
                            con.execute(
                                f"insert into raw.rejected_rows select $source, $source_file, _source_row, "
                                f"{sql_string(', '.join(source.partition_date_columns))}, "
                                f"case when _service_month is null then 'no_service_month' else 'outside_partitions' end, "
                                f"{dates}, case when _service_month is null then "
                                f"{sql_string('none of ' + ', '.join(source.partition_date_columns) + ' holds a valid date, so the row belongs to no service month')} "
                                f"else 'service month ' || strftime(_service_month, '%Y-%m') || "
                                f"' is outside the partitions (' || strftime($first_month::date, '%Y-%m') || ' to ' || "
                                f"strftime($month_end::date - interval 1 month, '%Y-%m') || '); set HMOQA_FIRST_MONTH to load older history' end, "
                                f"$at from ({select}) where _service_month is null or _service_month < $first_month "
                                f"or _service_month >= $month_end", rejected_params)
                    else:
                        con.execute(
                            f"insert into raw.landing_inventory select $source, $source_file, $file_bytes, "
                            f"$file_modified, null, 'unpartitioned', count(*), $at from ({select})", params)
                except duckdb.Error as exc:
                    raise read_error(path, exc) from exc
        for name, count in con.execute("select source, sum(rows) from raw.landing_inventory group by 1").fetchall():
            rows_read[name] = int(count)
        for name, count in con.execute("select source, count(*) from raw.rejected_rows group by 1").fetchall():
            rows_rejected[name] = int(count)
        first, last = con.execute(
            "select strftime(min(service_month), '%Y-%m-%d'), strftime(max(service_month), '%Y-%m-%d') "
            "from raw.landing_inventory where row_status = 'in_partitions'").fetchone()
    return Inventory(files=sum(len(p) for p in discovered.values()), rows_read=rows_read,
                     rows_rejected=rows_rejected, missing_sources=[n for n, p in discovered.items() if not p],
                     first_month=first, last_month=last)


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
