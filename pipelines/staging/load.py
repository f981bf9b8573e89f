"""The staging layer: typed, normalised rows; rows breaking a rule go to `staging.quarantine`.

Set-based: the rule checks are generated from the contract (`pipelines.staging.rules`) into a few
DuckDB statements per source, run in one transaction that also replaces the source's (or the
partition range's) staged and quarantined rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from pipelines.contract import SOURCES, Source
from pipelines.duck import run_sql_file, table_exists, transaction
from pipelines.ingest.errors import IngestError
from pipelines.ingest.sqltext import ident, sql_string
from pipelines.staging.rules import DUPLICATE, KNOWN_MEMBER, clean_expr, rules_for, typed_expr

LINEAGE = ("_source_file", "_source_row", "_loaded_at", "_service_month")
_DUPLICATE_REASON = "exact duplicate of an earlier row (same value in every contract column); the first is kept"


@dataclass
class MonthReconciliation:
    partition_key: str | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_quarantined


@dataclass
class StageLoad:
    source: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    quarantine_by_rule: dict[str, int] = field(default_factory=dict)
    months: list[MonthReconciliation] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_quarantined and all(m.balanced for m in self.months)


def staging_table(source: str) -> str:
    return f"staging.{source}"


def ensure_staging_tables(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    run_sql_file(con, "staging/quarantine.sql")
    columns = [f"{ident(c.name)} {c.type}" for c in source.columns]
    columns += ["_source_file varchar not null", "_source_row bigint not null", "_loaded_at timestamp not null"]
    if source.partitioned:
        columns.append("_service_month date not null")
    con.execute(f"create table if not exists {staging_table(source.name)} ({', '.join(columns)})")
    existing = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'staging' and table_name = ?",
        [source.name]).fetchall()}
    for c in source.columns:
        if c.name not in existing:
            con.execute(f"alter table {staging_table(source.name)} add column {ident(c.name)} {c.type}")


def _range_filter(source: Source) -> str:
    return " where _service_month >= $month_start and _service_month < $month_end" if source.partitioned else ""


def cleaned_sql(source: Source, rowids: str | None = None) -> str:
    """The partition's raw rows as staged text (trimmed, empty as null, codes normalised).

    `rowids` names a relation with a `raw_rowid` column: only those raw rows (already in the range).
    """
    month = "_service_month" if source.partitioned else "cast(null as date) as _service_month"
    columns = ", ".join(f"{clean_expr(source.name, c)} as {ident(c)}" for c in source.column_names)
    where = f" where rowid in (select raw_rowid from {rowids})" if rowids else _range_filter(source)
    return (f"select _source_file, _source_row, _loaded_at, {month}, {columns} "
            f"from raw.{source.name}{where}")


def _rule_violations_sql(source: Source) -> str:
    rules = [r for r in rules_for(source.name) if r.violation_sql]
    entries = ", ".join(
        f"case when {r.violation_sql} then {{'column_name': {sql_string(r.column)}, 'rule': {sql_string(r.kind)}, "
        f"'expectation': {sql_string(r.expectation)}, 'value': cast({ident(r.column)} as varchar), "
        f"'reason': {sql_string(r.reason)}}} end"
        for r in rules)
    any_violation = " or ".join(f"({r.violation_sql})" for r in rules)
    return (f"insert into staging_violations "
            f"select _source_file, _source_row, _service_month, v.column_name, v.rule, v.expectation, v.value, v.reason "
            f"from (select _source_file, _source_row, _service_month, "
            f"unnest(list_filter([{entries}], x -> x is not null)) as v "
            f"from ({cleaned_sql(source)}) as cleaned where {any_violation}) as violations")


def _unknown_member_sql(source: Source) -> str:
    member = ident(source.member_column)
    rule = next(r for r in rules_for(source.name) if r.kind == KNOWN_MEMBER)
    return (f"insert into staging_violations "
            f"select _source_file, _source_row, _service_month, {sql_string(source.member_column)}, "
            f"{sql_string(KNOWN_MEMBER)}, {sql_string(rule.expectation)}, {member}, {sql_string(rule.reason)} "
            f"from ({cleaned_sql(source)}) as cleaned anti join staging.eligibility as eligible "
            f"on eligible.person_id = cleaned.{member} where cleaned.{member} is not null")


def _duplicate_sql(source: Source) -> str:
    columns = ", ".join(ident(c) for c in source.column_names)
    key = ", ".join(clean_expr(source.name, c) for c in source.required_columns or source.column_names)
    # Rows equal in every column are equal in the required ones, so a hash of those few cleaned
    # columns finds every candidate group in one narrow scan; only the candidates (found again by
    # rowid) have all their columns cleaned and compared, by the window, to confirm them.
    return (f"insert into staging_violations "
            f"with keyed as materialized (select rowid as raw_rowid, hash({key}) as key_hash "
            f"from raw.{source.name}{_range_filter(source)}), "
            f"repeated_keys as (select key_hash from keyed group by key_hash having count(*) > 1), "
            f"candidate_rowids as (select raw_rowid from keyed semi join repeated_keys using (key_hash)), "
            f"candidates as ({cleaned_sql(source, rowids='candidate_rowids')}), "
            f"ranked as (select _source_file, _source_row, _service_month, "
            f"row_number() over (partition by {columns} order by _source_file, _source_row) as copy_number, "
            f"first_value(_source_file || ' row ' || _source_row) over (partition by {columns} "
            f"order by _source_file, _source_row) as first_copy from candidates) "
            f"select _source_file, _source_row, _service_month, '(all columns)', {sql_string(DUPLICATE)}, null, "
            f"'duplicate of ' || first_copy, {sql_string(_DUPLICATE_REASON)} from ranked where copy_number > 1")


def _insert_staged_sql(source: Source) -> str:
    names = ", ".join([ident(c) for c in source.column_names] + list(LINEAGE if source.partitioned else LINEAGE[:3]))
    values = ", ".join([typed_expr(c, f"cleaned.{ident(c.name)}") for c in source.columns]
                       + [f"cleaned.{c}" for c in (LINEAGE if source.partitioned else LINEAGE[:3])])
    return (f"insert into {staging_table(source.name)} ({names}) select {values} "
            f"from ({cleaned_sql(source)}) as cleaned anti join staging_violations as v "
            f"on v.source_file = cleaned._source_file and v.source_row = cleaned._source_row")


def stage_source(con: duckdb.DuckDBPyConnection, source_name: str, loaded_at: dt.datetime,
                 month_start: dt.date | None = None, month_end: dt.date | None = None) -> StageLoad:
    """Replace `staging.<source>` and its quarantine rows (partitioned: months in [month_start, month_end))."""
    source = SOURCES[source_name]
    if source.partitioned and (month_start is None or month_end is None):
        raise ValueError(f"{source_name} is partitioned: give month_start and month_end")
    if not table_exists(con, f"raw.{source_name}"):
        raise IngestError(f"raw.{source_name} does not exist: materialize the raw asset before staging it")
    if source.member_column and not table_exists(con, "staging.eligibility"):
        raise IngestError(f"staging.eligibility does not exist: stage eligibility before {source_name} "
                          f"(its {source.member_column} values are checked against it)")
    months = {"month_start": month_start, "month_end": month_end} if source.partitioned else {}
    key_range = ({"first_key": month_start.isoformat(), "end_key": month_end.isoformat()}
                 if source.partitioned else {})
    unordered = False
    try:
        with transaction(con):
            ensure_staging_tables(con, source)
            con.execute("create or replace temp table staging_violations (source_file varchar, source_row bigint, "
                        "service_month date, column_name varchar, rule varchar, expectation varchar, value varchar, "
                        "reason varchar)")
            con.execute(_rule_violations_sql(source), months)
            if source.member_column:
                con.execute(_unknown_member_sql(source), months)
            con.execute(_duplicate_sql(source), months)
            if source.partitioned:
                con.execute(f"delete from {staging_table(source_name)}{_range_filter(source)}", months)
                con.execute("delete from staging.quarantine where source = $source and partition_key >= $first_key "
                            "and partition_key < $end_key", {"source": source_name} | key_range)
            else:
                con.execute(f"delete from {staging_table(source_name)}")
                con.execute("delete from staging.quarantine where source = $source", {"source": source_name})
            # Row order in staging carries no meaning (lineage columns say where a row came from), and
            # an unordered insert runs in parallel.
            con.execute("set preserve_insertion_order = false")
            unordered = True
            con.execute(_insert_staged_sql(source), months)
            con.execute("reset preserve_insertion_order")
            unordered = False
            con.execute("insert into staging.quarantine select $source, strftime(service_month, '%Y-%m-%d'), "
                        "source_file, source_row, column_name, rule, expectation, value, reason, $loaded_at "
                        "from staging_violations", {"source": source_name, "loaded_at": loaded_at})
            con.execute("drop table staging_violations")
    finally:
        # After a failed insert the transaction has rolled back; only then can the setting be reset.
        if unordered:
            con.execute("reset preserve_insertion_order")
    return reconcile(con, source_name, month_start, month_end)


def reconcile(con: duckdb.DuckDBPyConnection, source_name: str, month_start: dt.date | None = None,
              month_end: dt.date | None = None) -> StageLoad:
    """Rows read (raw) against rows loaded (staging) plus rows quarantined, per month and in total."""
    source = SOURCES[source_name]
    months = {"month_start": month_start, "month_end": month_end} if source.partitioned else {}
    month = "strftime(_service_month, '%Y-%m-%d')" if source.partitioned else "cast(null as varchar)"
    where = _range_filter(source)
    quarantine_where = ("where source = $source and partition_key >= strftime($month_start::date, '%Y-%m-%d') "
                        "and partition_key < strftime($month_end::date, '%Y-%m-%d')"
                        if source.partitioned else "where source = $source")
    rows = con.execute(
        f"with read as (select {month} as partition_key, count(*) as n from raw.{source_name}{where} group by 1), "
        f"loaded as (select {month} as partition_key, count(*) as n from {staging_table(source_name)}{where} group by 1), "
        f"quarantined as (select partition_key, count(distinct (source_file, source_row)) as n "
        f"from staging.quarantine {quarantine_where} group by 1) "
        f"select coalesce(read.partition_key, loaded.partition_key, quarantined.partition_key) as partition_key, "
        f"coalesce(read.n, 0), coalesce(loaded.n, 0), coalesce(quarantined.n, 0) "
        f"from read full join loaded on read.partition_key is not distinct from loaded.partition_key "
        f"full join quarantined on coalesce(read.partition_key, loaded.partition_key) "
        f"is not distinct from quarantined.partition_key order by 1",
        months | {"source": source_name}).fetchall()
    by_rule = dict(con.execute(
        f"select rule, count(*) from staging.quarantine {quarantine_where} group by 1 order by 1",
        months | {"source": source_name}).fetchall())
    reconciled = [MonthReconciliation(*r) for r in rows]
    return StageLoad(source=source_name, rows_read=sum(m.rows_read for m in reconciled),
                     rows_loaded=sum(m.rows_loaded for m in reconciled),
                     rows_quarantined=sum(m.rows_quarantined for m in reconciled),
                     quarantine_by_rule=by_rule, months=reconciled)
