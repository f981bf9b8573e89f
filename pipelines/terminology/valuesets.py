"""Load value sets into DuckDB: FHIR ValueSet expansions (VSAC / eCQM package JSON) from a configured
folder, or, when none is configured, the small starter code list shipped in the package.

Tables (schema `measures`, reference data every measure reads):
  measures.valueset        one row per value set: oid, name, title, url, version, source file, source
                           ('folder' or 'starter')
  measures.valueset_code   one row per (oid, code system, normalised code)
  measures.valueset_supplement  the administrative code supplement (pipelines/terminology/supplements.py)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines.terminology.codes import normalize_code
from pipelines.terminology.supplements import load_supplements, read_versioned_csv

OID_PATTERN = re.compile(r"(?:urn:oid:)?([0-2](?:\.\d+)+)$")


class MissingValueSetError(LookupError):
    """A measure needs a value set that the configured folder does not hold."""

    def __init__(self, measure: str, missing_oids: Iterable[str], folder: str | None = None):
        self.measure = measure
        self.missing_oids = sorted(missing_oids)
        where = f" in {folder}" if folder else ""
        super().__init__(
            f"measure {measure} needs value set(s) {', '.join(self.missing_oids)} "
            f"that are not loaded{where}"
        )


class ValueSetFormatError(ValueError):
    pass


@dataclass(frozen=True)
class ValueSet:
    oid: str
    name: str | None
    title: str | None
    url: str | None
    version: str | None
    source_file: str
    codes: tuple[tuple[str, str], ...]  # (code system URI, code as published)


def valueset_oid(resource: dict) -> str | None:
    """The OID from `identifier` (urn:oid or a bare OID), else the last segment of `url`, else `id`."""
    for identifier in resource.get("identifier") or []:
        match = OID_PATTERN.search(str(identifier.get("value", "")))
        if match:
            return match.group(1)
    url = resource.get("url")
    if url:
        match = OID_PATTERN.search(url.rstrip("/").rsplit("/", 1)[-1])
        if match:
            return match.group(1)
    if resource.get("id"):
        match = OID_PATTERN.search(str(resource["id"]))
        if match:
            return match.group(1)
    return None


def _expansion_codes(contains: list[dict]) -> Iterator[tuple[str, str]]:
    for entry in contains or []:
        # Abstract grouping entries have no code; their nested `contains` still count.
        if entry.get("code") and entry.get("system") and not entry.get("abstract", False):
            yield entry["system"], entry["code"]
        yield from _expansion_codes(entry.get("contains") or [])


def _compose_codes(compose: dict) -> Iterator[tuple[str, str]]:
    for include in compose.get("include") or []:
        system = include.get("system")
        for concept in include.get("concept") or []:
            if system and concept.get("code"):
                yield system, concept["code"]


def parse_valueset(resource: dict, source_file: str) -> ValueSet:
    if resource.get("resourceType") != "ValueSet":
        raise ValueSetFormatError(f"{source_file}: not a ValueSet (resourceType "
                                  f"{resource.get('resourceType')!r})")
    oid = valueset_oid(resource)
    if not oid:
        raise ValueSetFormatError(f"{source_file}: ValueSet without an OID in identifier, url or id")
    expansion = resource.get("expansion")
    if expansion is not None:
        codes = list(_expansion_codes(expansion.get("contains") or []))
    else:
        codes = list(_compose_codes(resource.get("compose") or {}))
    return ValueSet(
        oid=oid,
        name=resource.get("name"),
        title=resource.get("title"),
        url=resource.get("url"),
        version=resource.get("version"),
        source_file=source_file,
        codes=tuple(dict.fromkeys(codes)),
    )


def _resources_in(path: Path) -> Iterator[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and data.get("resourceType") == "Bundle":
        for entry in data.get("entry") or []:
            if isinstance(entry.get("resource"), dict):
                yield entry["resource"]
    elif isinstance(data, dict) and data.get("resourceType") == "ValueSet":
        yield data


def read_valueset_folder(folder: Path) -> list[ValueSet]:
    """Every ValueSet in `folder` (recursively; single resources or Bundles). Other JSON is ignored."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"value-set folder {folder} does not exist")
    valuesets: dict[str, ValueSet] = {}
    for path in sorted(folder.rglob("*.json")):
        try:
            resources = list(_resources_in(path))
        except json.JSONDecodeError as exc:
            raise ValueSetFormatError(f"{path}: not valid JSON ({exc})") from exc
        for resource in resources:
            vs = parse_valueset(resource, str(path.relative_to(folder)))
            valuesets[vs.oid] = vs
    return list(valuesets.values())


VALUESET_SCHEMA = pa.schema([
    ("valueset_oid", pa.string()), ("name", pa.string()), ("title", pa.string()),
    ("url", pa.string()), ("version", pa.string()), ("source_file", pa.string()),
    ("code_count", pa.int64()), ("source", pa.string()),
])
VALUESET_CODE_SCHEMA = pa.schema([
    ("valueset_oid", pa.string()), ("code_system", pa.string()), ("code", pa.string()),
    ("code_normalized", pa.string()),
])


def create_valueset_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists measures")
    con.execute("""
        create table if not exists measures.valueset (
            valueset_oid varchar primary key, name varchar, title varchar, url varchar,
            version varchar, source_file varchar, code_count bigint, source varchar)""")
    # Databases made before the starter list existed lack the column; adding it keeps their rows.
    con.execute("alter table measures.valueset add column if not exists source varchar")
    con.execute("""
        create table if not exists measures.valueset_code (
            valueset_oid varchar not null, code_system varchar not null, code varchar not null,
            code_normalized varchar not null)""")


SOURCE_FOLDER = "folder"
SOURCE_STARTER = "starter"
STARTER_PATH = Path(__file__).resolve().parent / "starter" / "starter_codes.csv"


def read_starter_codes(path: Path | None = None) -> list[ValueSet]:
    """The starter code list as value sets (one per OID, codes in file order). The file's leading
    comment lines carry `# starter_version: X`, which becomes every value set's version."""
    path = Path(path) if path else STARTER_PATH
    version, records = read_versioned_csv(path, "starter_version", ValueSetFormatError)
    names: dict[str, str] = {}
    codes: dict[str, list[tuple[str, str]]] = {}
    for record in records:
        oid = record["valueset_oid"].strip()
        if not OID_PATTERN.fullmatch(oid):
            raise ValueSetFormatError(f"{path}: {oid!r} is not an OID")
        names.setdefault(oid, record["valueset_name"].strip())
        codes.setdefault(oid, []).append((record["code_system"].strip(), record["code"].strip()))
    source_file = f"{SOURCE_STARTER}/{path.name}"
    return [ValueSet(oid=oid, name=names[oid], title=names[oid], url=None, version=version,
                     source_file=source_file, codes=tuple(dict.fromkeys(codes[oid]))) for oid in codes]


def _replace_valuesets(con: duckdb.DuckDBPyConnection, valuesets: list[ValueSet], source: str) -> int:
    create_valueset_tables(con)
    header = pa.Table.from_pylist([
        {"valueset_oid": vs.oid, "name": vs.name, "title": vs.title, "url": vs.url,
         "version": vs.version, "source_file": vs.source_file, "code_count": len(vs.codes), "source": source}
        for vs in valuesets], schema=VALUESET_SCHEMA)
    code_rows = {}
    for vs in valuesets:
        for system, code in vs.codes:
            normalized = normalize_code(system, code)
            if normalized:
                code_rows[(vs.oid, system, normalized)] = code
    codes = pa.Table.from_pylist([
        {"valueset_oid": oid, "code_system": system, "code": code, "code_normalized": normalized}
        for (oid, system, normalized), code in code_rows.items()], schema=VALUESET_CODE_SCHEMA)
    con.execute("delete from measures.valueset_code")
    con.execute("delete from measures.valueset")
    con.register("valueset_batch", header)
    con.register("valueset_code_batch", codes)
    try:
        con.execute("insert into measures.valueset by name select * from valueset_batch")
        con.execute("insert into measures.valueset_code by name select * from valueset_code_batch")
    finally:
        con.unregister("valueset_batch")
        con.unregister("valueset_code_batch")
    return len(valuesets)


def load_starter_codes(con: duckdb.DuckDBPyConnection) -> int:
    """Replace the loaded value sets with the starter code list; returns the number of value sets."""
    return _replace_valuesets(con, read_starter_codes(), SOURCE_STARTER)


def load_terminology(con: duckdb.DuckDBPyConnection, folder: str | Path | None) -> dict:
    """Everything the measures match codes against, in one call: the value sets of `folder` (FHIR
    expansions), or the starter code list when `folder` is None, plus the administrative code
    supplement. Returns what was loaded, with a plain sentence saying where the value sets came from."""
    if folder:
        loaded = _replace_valuesets(con, read_valueset_folder(Path(folder)), SOURCE_FOLDER)
        source, where = SOURCE_FOLDER, f"value-set folder {folder}"
    else:
        loaded = load_starter_codes(con)
        source = SOURCE_STARTER
        version = con.execute("select any_value(version) from measures.valueset").fetchone()[0]
        where = (f"the starter code list ({STARTER_PATH.name}, version {version}): "
                 "a small subset for demos and tests, not complete value sets. Configure licensed value "
                 "sets with --valuesets / HMOQA_VALUESETS_DIR for production (docs/value-sets.md)")
    supplement_codes = load_supplements(con)
    return {
        "source": source,
        "folder": str(folder) if folder else None,
        "value_sets_from": where,
        "valuesets": loaded,
        "codes": con.execute("select count(*) from measures.valueset_code").fetchone()[0],
        "supplement_codes": supplement_codes,
        "supplement_version": con.execute(
            "select any_value(supplement_version) from measures.valueset_supplement").fetchone()[0],
    }


def load_valuesets(con: duckdb.DuckDBPyConnection, folder: str | Path | None) -> int:
    """Replace the loaded value sets with those in `folder` (None: the starter code list) and load the
    administrative code supplement; returns the number of value sets."""
    return load_terminology(con, folder)["valuesets"]


def require_valuesets(con: duckdb.DuckDBPyConnection, measure: str, oids: Iterable[str],
                      folder: str | None = None) -> None:
    """Raise MissingValueSetError naming the measure and every OID it needs that is not loaded."""
    needed = sorted(set(oids))
    loaded = {row[0] for row in con.execute(
        "select valueset_oid from measures.valueset where valueset_oid in (select unnest($oids))",
        {"oids": needed}).fetchall()} if needed else set()
    missing = [oid for oid in needed if oid not in loaded]
    if missing:
        raise MissingValueSetError(measure, missing, folder)


def resolve_valuesets_dir(configured: str | Path | None) -> Path | None:
    """The configured value-set folder (--valuesets, HMOQA_VALUESETS_DIR, the hmoqa resource's
    valuesets_dir), or None when nothing is configured: then the starter code list is loaded. Nothing
    is looked up beside the repository: unconfigured never silently means someone else's folder."""
    if configured:
        folder = Path(configured)
        if not folder.is_dir():
            raise FileNotFoundError(f"value-set folder {folder} does not exist (configured with --valuesets / "
                                    "HMOQA_VALUESETS_DIR); leave it unset to use the starter code list")
        return folder
    return None
