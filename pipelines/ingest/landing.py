"""The landing folder: which files hold which source, their headers, and how to read them.

Used by the raw assets and by the lead's runner and sensor (`discover`, `service_month_range`,
`fingerprint`). No Dagster imports: everything here is plain Python and DuckDB.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import hashlib
import io
from collections.abc import Mapping
from pathlib import Path

import duckdb

from pipelines.contract import SOURCES, Source
from pipelines.ingest.errors import IngestError
from pipelines.ingest.sqltext import ident, service_month, sql_string

REQUIRED_SOURCES = ("eligibility", "medical_claim")
_SINGLE_FILE_SUFFIXES = (".csv", ".csv.gz", ".parquet")
_PART_SUFFIXES = (".csv", ".csv.gz", ".parquet")


def accepted_names(source: str) -> list[str]:
    """The file and folder names a landing folder may use for `source`."""
    return [f"{source}.csv", f"{source}.csv.gz", f"{source}.parquet", f"{source}_seed.csv", f"{source}/"]


def _is_part(path: Path) -> bool:
    return (path.is_file() and not path.name.startswith((".", "_"))
            and path.name.endswith(_PART_SUFFIXES))


def discover(landing_dir: str | Path) -> dict[str, list[Path]]:
    """Every contract source mapped to its landing files (an empty list when none landed).

    A source may land as `<source>.csv`, `<source>.csv.gz`, `<source>.parquet`, `<source>_seed.csv`
    or a folder `<source>/` of CSV/Parquet parts (searched recursively; names starting with `.` or
    `_` are skipped). Anything else in the folder is ignored.
    """
    root = Path(landing_dir)
    if not root.is_dir():
        raise IngestError(f"landing folder {root} does not exist or is not a folder")
    found: dict[str, list[Path]] = {}
    for name in SOURCES:
        files = [root / f"{name}{suffix}" for suffix in _SINGLE_FILE_SUFFIXES]
        files.append(root / f"{name}_seed.csv")
        paths = [p for p in files if p.is_file()]
        folder = root / name
        if folder.is_dir():
            paths += sorted(p for p in folder.rglob("*") if _is_part(p)
                            and not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts))
        found[name] = sorted(paths)
    return found


def require_sources(landing_dir: str | Path, discovered: Mapping[str, list[Path]] | None = None,
                    names: tuple[str, ...] = REQUIRED_SOURCES) -> None:
    """Raise `IngestError` when a required source (eligibility, medical_claim) has no file."""
    discovered = discovered if discovered is not None else discover(landing_dir)
    for name in names:
        if not discovered.get(name):
            raise IngestError(
                f"required source {name!r} has no file in landing folder {Path(landing_dir)}: "
                f"expected one of {', '.join(accepted_names(name))}"
            )


def fingerprint(landing_dir: str | Path) -> str:
    """A digest of every source file's name, size and modification time.

    It changes when a source file is added, removed, replaced or modified, and not when unrelated
    files (manifests, other seeds) change: the sensor's cursor.
    """
    root = Path(landing_dir)
    digest = hashlib.sha256()
    for name, paths in sorted(discover(root).items()):
        for path in paths:
            stat = path.stat()
            digest.update(f"{name}\0{path.relative_to(root)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def is_parquet(path: Path) -> bool:
    return path.name.endswith(".parquet")


def _scan(path: Path) -> str:
    """Table-function SQL reading `path` (bound as `$path`) with a 1-based `ordinality` row number."""
    if is_parquet(path):
        # file_row_number keeps the scan parallel; WITH ORDINALITY would make it single-threaded.
        return "(select *, file_row_number + 1 as ordinality from read_parquet($path, file_row_number = true))"
    # Every value is read as text, as written; types are decided in staging. The columns come from
    # the header as the contract defines the format, not from DuckDB's sniffer, which on small files
    # can mistake the dialect and return no rows at all instead of failing.
    columns = ", ".join(f"{sql_string(name)}: 'VARCHAR'" for name in csv_header(path))
    return (f"read_csv($path, header = true, auto_detect = false, columns = {{{columns}}}, delim = ',', "
            "quote = '\"', escape = '\"', strict_mode = true, null_padding = false, encoding = 'utf-8') "
            "with ordinality")


def csv_header(path: Path) -> list[str]:
    """The column names in a CSV file's header row (UTF-8, a leading byte-order mark ignored)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        first_line = handle.readline()
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise IngestError(f"{path}: the header row is not valid UTF-8 (bytes {first_line[err.start:err.end + 1].hex(' ')}). "
                          f"Landing files must be UTF-8; re-export it as UTF-8.") from err
    header = next(csv.reader([text]), [])
    if not header or header == [""]:
        raise IngestError(f"{path}: the first line is empty; a source file needs a header row naming its columns")
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise IngestError(f"{path}: the header names {', '.join(map(repr, duplicated))} more than once")
    return header


def file_columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """The column names in the file's header (or Parquet schema)."""
    if path.stat().st_size == 0:
        raise IngestError(f"{path}: the file is empty (0 bytes); a source file needs at least a "
                          f"header row. Remove it or land the complete file.")
    try:
        rows = con.execute(f"describe select * from {_scan(path)}", {"path": str(path)}).fetchall()
    except duckdb.Error as exc:
        raise read_error(path, exc) from exc
    return [r[0] for r in rows if r[0] not in ("ordinality", "file_row_number")]


def check_columns(source: Source, path: Path, columns: list[str]) -> None:
    """Raise `IngestError` naming the file and every required column missing from its header."""
    missing = [c for c in source.required_columns if c not in columns]
    if not missing:
        return
    hints = []
    for name in missing:
        close = difflib.get_close_matches(name, [c for c in columns if c not in source.column_names], n=1)
        if close:
            hints.append(f"{name!r} (the file has {close[0]!r}: renamed?)")
        else:
            hints.append(repr(name))
    raise IngestError(
        f"{path}: required column(s) of {source.name} missing from the header: {', '.join(hints)}. "
        f"Column names are matched exactly; see docs/data-contract.md."
    )


def select_sql(source: Source, path: Path, columns: list[str]) -> str:
    """SQL selecting every contract column as text (null when absent), `_source_row` and, for
    partitioned sources, `_service_month`, from the file bound as `$path`."""
    present = set(columns)
    projected = []
    for name in source.column_names:
        if name in present:
            projected.append(f"cast({ident(name)} as varchar) as {ident(name)}")
        else:
            projected.append(f"cast(null as varchar) as {ident(name)}")
    inner = f"select {', '.join(projected)}, ordinality as _source_row from {_scan(path)}"
    if not source.partitioned:
        return inner
    types = {c.name: c.type for c in source.columns}
    month = service_month(source.partition_date_columns, types)
    return f"select file_rows.*, {month} as _service_month from ({inner}) as file_rows"


def read_error(path: Path, exc: Exception) -> IngestError:
    """An `IngestError` for a file DuckDB could not read, locating bad bytes when it is an encoding error."""
    message = str(exc)
    if not is_parquet(path) and ("unicode" in message.lower() or "utf-8" in message.lower()):
        located = locate_invalid_utf8(path)
        if located:
            row, column, byte_text = located
            return IngestError(
                f"{path}: not valid UTF-8 at data row {row}, column {column!r} (bytes {byte_text}). "
                f"Landing files must be UTF-8; re-export it as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)."
            )
    first_line = message.strip().splitlines()[0] if message.strip() else type(exc).__name__
    return IngestError(f"{path}: could not be read as a {'Parquet' if is_parquet(path) else 'CSV'} file: "
                       f"{first_line}")


def locate_invalid_utf8(path: Path) -> tuple[int, str, str] | None:
    """(1-based data row, column name, offending bytes) of the first invalid UTF-8, or None."""
    with open(path, "rb") as handle:
        header_bytes = handle.readline()
        header = next(csv.reader([header_bytes.decode("utf-8", errors="replace")]), [])
        for row_number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as err:
                prefix = line[: err.start].decode("utf-8", errors="replace")
                fields = next(csv.reader(io.StringIO(prefix)), [""])
                index = max(len(fields) - 1, 0)
                column = header[index] if index < len(header) else f"#{index + 1}"
                return row_number, column, line[err.start: err.end + 1].hex(" ")
    try:
        header_bytes.decode("utf-8")
    except UnicodeDecodeError:
        return 0, "(header)", header_bytes.hex(" ")[:40]
    return None


def service_month_range(landing_dir: str | Path,
                        bounds: tuple[str, str] | None = None) -> tuple[str, str] | None:
    """First and last service month (`YYYY-MM-01`) over the partitioned sources, or None when none.

    The range is clipped to `bounds` (first, last partition key), by default the months of
    `service_month_partitions`, so it can be used directly as a partition key range; rows outside
    it are rejected by the landing inventory (`raw.rejected_rows`).
    """
    if bounds is None:
        bounds = default_bounds()
    discovered = discover(landing_dir)
    lowest: str | None = None
    highest: str | None = None
    con = duckdb.connect()
    try:
        for name, paths in discovered.items():
            source = SOURCES[name]
            if not source.partitioned:
                continue
            for path in paths:
                columns = file_columns(con, path)
                check_columns(source, path, columns)
                sql = f"select min(_service_month), max(_service_month) from ({select_sql(source, path, columns)})"
                try:
                    first, last = con.execute(sql, {"path": str(path)}).fetchone()
                except duckdb.Error as exc:
                    raise read_error(path, exc) from exc
                if first is None:
                    continue
                first, last = first.isoformat(), last.isoformat()
                if bounds:
                    first, last = max(first, bounds[0]), min(last, bounds[1])
                    if first > last:
                        continue
                lowest = first if lowest is None else min(lowest, first)
                highest = last if highest is None else max(highest, last)
    finally:
        con.close()
    return (lowest, highest) if lowest else None


def default_bounds() -> tuple[str, str]:
    """First and last key of the monthly partitions (imported here: Dagster is slow to import)."""
    from pipelines.partitions import service_month_partitions

    keys = service_month_partitions.get_partition_keys()
    return keys[0], keys[-1]
